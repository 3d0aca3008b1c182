/**
 * Every rendered manifest passes the published model schemas; and a misspelt field, which those
 * schemas would let through (the API server would then prune it silently), does not compile.
 */
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { renderGamma } from "../../../src/mesh/gamma/index.js";
import type { KubeObject } from "../../../src/engine/plan.js";
import { goldenCases, target } from "./reference-policy.js";

/** Rebuild a model from its JSON and run its schema validation. */
export function validateWithPublishedModel(m: KubeObject): void {
  const { apiVersion: _a, kind: _k, ...data } = m;
  if (m.apiVersion === "gateway.networking.k8s.io/v1" && m.kind === "HTTPRoute") new HTTPRoute(data as ConstructorParameters<typeof HTTPRoute>[0]).validate();
  else if (m.apiVersion === "v1" && m.kind === "Service") new Service(data as ConstructorParameters<typeof Service>[0]).validate();
  else throw new Error(`no published model checks ${m.apiVersion} ${m.kind}`);
}

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
