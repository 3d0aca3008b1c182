import { describe, expect, it } from "vitest";
import { INTENT_KINDS } from "../../../src/mesh/intent.js";
import { createIstioDriver } from "../../../src/mesh/istio/index.js";
import { referenceIntents, referencePolicy, target } from "./fixtures.js";
import { golden, goldenYaml } from "./golden.js";

const driver = createIstioDriver();

describe("Istio golden manifests, native routing", () => {
  for (const kind of INTENT_KINDS) {
    it(`renders the reference ${kind} intent as in native-${kind}.yaml`, () => {
      const rendered = driver.render([referenceIntents[kind]], target, "native");
      const text = goldenYaml(`reference ${kind} intent, native routing (VirtualService)`, rendered);
      expect(text).toBe(golden(`native-${kind}.yaml`, text));
    });
  }

  it("renders the combined reference policy as in native-reference.yaml", () => {
    const rendered = driver.render(referencePolicy, target, "native");
    const text = goldenYaml("combined reference policy (stack E), native routing (VirtualService)", rendered);
    expect(text).toBe(golden("native-reference.yaml", text));
  });
});

describe("Istio golden manifests, GAMMA routing", () => {
  for (const kind of INTENT_KINDS) {
    it(`renders the reference ${kind} intent as in gamma-${kind}.yaml`, () => {
      const rendered = driver.render([referenceIntents[kind]], target, "gamma");
      const text = goldenYaml(`reference ${kind} intent, GAMMA routing (HTTPRoute) with Istio policies`, rendered);
      expect(text).toBe(golden(`gamma-${kind}.yaml`, text));
    });
  }

  it("renders the combined reference policy as in gamma-reference.yaml", () => {
    const rendered = driver.render(referencePolicy, target, "gamma");
    const text = goldenYaml("combined reference policy (stack E), GAMMA routing (HTTPRoute) with Istio policies", rendered);
    expect(text).toBe(golden("gamma-reference.yaml", text));
  });
});
