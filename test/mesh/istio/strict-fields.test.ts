import type { IVirtualService } from "@kubernetes-models/istio/networking.istio.io/v1/VirtualService";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/plan/steps.js";
import { INTENT_KINDS } from "../../../src/mesh/intent.js";
import { createIstioDriver } from "../../../src/mesh/istio/index.js";
import type { LocalRateLimitFilter } from "../../../src/mesh/istio/rate-limit.js";
import { referenceIntents, referencePolicy, target } from "./fixtures.js";
import { unknownFieldProblems } from "./strict-fields.js";

type HttpRoute = NonNullable<NonNullable<IVirtualService["spec"]>["http"]>[number];

const driver = createIstioDriver();
const allManifests = (): KubeObject[] => [
  ...INTENT_KINDS.flatMap((kind) => driver.render([referenceIntents[kind]], target, "native").manifests),
  ...driver.render(referencePolicy, target, "native").manifests,
  ...INTENT_KINDS.flatMap((kind) => driver.render([referenceIntents[kind]], target, "gamma").manifests),
  ...driver.render(referencePolicy, target, "gamma").manifests,
];

describe("every rendered field is a field of the model generated from the Istio CRDs", () => {
  it("finds no unknown field in any rendered manifest", () => {
    expect(unknownFieldProblems(allManifests())).toEqual([]);
  });

  it("catches a misspelt field deep inside a VirtualService", () => {
    const [vs] = driver.render([referenceIntents.timeout], target, "native").manifests;
    const misspelt = structuredClone(vs!) as KubeObject & { spec: { http: Record<string, unknown>[] } };
    misspelt.spec.http[0]!["timout"] = "5s";
    const problems = unknownFieldProblems([misspelt]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^VirtualService llm\/llm-sim-routes: .*'"?timout"?'/);
  });

  it("catches a misspelt field inside the EnvoyFilter's untyped patch value", () => {
    const [filter] = driver.render([referenceIntents.rateLimit], target, "native").manifests;
    const misspelt = structuredClone(filter!);
    const value = (misspelt.spec as { configPatches: { patch: { value: { typed_config: { value: { token_bucket: Record<string, unknown> } } } } }[] })
      .configPatches[0]!.patch.value.typed_config.value;
    value.token_bucket["fill_intervall"] = "60s";
    const problems = unknownFieldProblems([misspelt]);
    expect(problems.join("\n")).toMatch(/configPatches\[0\]\.patch\.value: .*'"?fill_intervall"?'/);
  });

  it("refuses a kind it has no model for, so nothing slips past unchecked", () => {
    const unknown: KubeObject = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } };
    expect(unknownFieldProblems([unknown])).toEqual([expect.stringContaining("no model type known")]);
  });

  it("is also enforced by the compiler where manifests are written (this file is type-checked)", () => {
    const route: HttpRoute = {
      // @ts-expect-error "timout" is not a field of an HTTPRoute entry; the API server would prune it silently
      timout: "5s",
    };
    const filter: LocalRateLimitFilter["typed_config"]["value"]["token_bucket"] = {
      max_tokens: 1,
      tokens_per_fill: 1,
      fill_interval: "1s",
      // @ts-expect-error "fill_intervall" is not a field of Envoy's TokenBucket
      fill_intervall: "1s",
    };
    expect([route, filter]).toHaveLength(2);
  });
});
