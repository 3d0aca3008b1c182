/**
 * Every rendered manifest passes the published model schemas; and a misspelt field, which those
 * schemas would let through (the API server would then prune it silently), does not compile.
 */
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { describe, expect, it } from "vitest";
import { renderGamma } from "../../../src/mesh/gamma/index.js";
import { validateWithPublishedModel } from "./published-models.js";
import { goldenCases, target } from "./reference-policy.js";

describe("GAMMA manifests against the published schemas", () => {
  it("validates every manifest of every golden case", () => {
    let count = 0;
    for (const intents of Object.values(goldenCases)) {
      for (const m of renderGamma(intents, target).manifests) {
        expect(() => validateWithPublishedModel(m), `${m.kind}/${m.metadata.name}`).not.toThrow();
        count += 1;
      }
    }
    expect(count).toBeGreaterThan(0);
  });

  it("the schema check catches a wrong type", () => {
    const bad = { metadata: { name: "x" }, spec: { rules: [{ timeouts: { request: 5 } }] } };
    expect(() => new HTTPRoute(bad as unknown as ConstructorParameters<typeof HTTPRoute>[0]).validate()).toThrow(/must be string/);
  });

  it("a misspelt field does not compile, although the schema check would let it through", () => {
    const misspelt = new HTTPRoute({
      metadata: { name: "x" },
      // @ts-expect-error -- "requestt" is not a field of HTTPRouteTimeouts: typecheck fails if this ever compiles
      spec: { rules: [{ timeouts: { requestt: "5s" } }] },
    });
    // Why the compiler check matters: the published schema accepts unknown fields.
    expect(() => misspelt.validate()).not.toThrow();
  });
});
