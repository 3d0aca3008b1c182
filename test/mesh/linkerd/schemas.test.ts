/**
 * The hand-written policy.linkerd.io schemas: every rendered Linkerd resource passes them, and
 * they reject what the API server would silently prune (unknown fields) or refuse.
 */
import { describe, expect, it } from "vitest";
import { isLinkerdPolicyKind, linkerdDriver, validateLinkerdPolicy } from "../../../src/mesh/linkerd/index.js";
import type { Server } from "../../../src/mesh/linkerd/schemas.js";
import { goldenCases, target } from "../gamma/reference-policy.js";

const server = {
  apiVersion: "policy.linkerd.io/v1beta3",
  kind: "Server",
  metadata: { name: "llm-sim-server", namespace: "meshproof-llm" },
  spec: { podSelector: { matchLabels: { app: "llm-sim" } }, port: 8000, accessPolicy: "deny" },
};

describe("Linkerd policy schemas", () => {
  it("every policy.linkerd.io resource the driver renders passes its schema", () => {
    const kinds = new Set<string>();
    for (const intents of Object.values(goldenCases)) {
      for (const m of linkerdDriver.render(intents, target, "native").manifests) {
        if (!isLinkerdPolicyKind(m)) continue;
        expect(() => validateLinkerdPolicy(m), `${m.kind}/${m.metadata.name}`).not.toThrow();
        kinds.add(m.kind);
      }
    }
    expect([...kinds].sort()).toEqual(["AuthorizationPolicy", "HTTPLocalRateLimitPolicy", "MeshTLSAuthentication", "NetworkAuthentication", "Server"]);
  });

  it("rejects an unknown field at any depth", () => {
    expect(() => validateLinkerdPolicy({ ...server, spec: { ...server.spec, acessPolicy: "deny" } })).toThrow(/acessPolicy|Unrecognized key/);
    expect(() => validateLinkerdPolicy({ ...server, spec: { ...server.spec, podSelector: { matchLabel: { app: "x" } } } })).toThrow(/spec\.podSelector/);
    expect(() =>
      validateLinkerdPolicy({
        apiVersion: "policy.linkerd.io/v1alpha1",
        kind: "HTTPLocalRateLimitPolicy",
        metadata: { name: "rl", namespace: "ns" },
        spec: { targetRef: { group: "policy.linkerd.io", kind: "Server", name: "s" }, total: { requestPerSecond: 2 } },
      }),
    ).toThrow(/spec\.total/);
  });

  it("rejects values Linkerd does not accept", () => {
    expect(() => validateLinkerdPolicy({ ...server, spec: { ...server.spec, accessPolicy: "strict" } })).toThrow(/accessPolicy/);
    expect(() => validateLinkerdPolicy({ ...server, spec: { port: 8000 } })).toThrow(/exactly one of podSelector/);
    expect(() =>
      validateLinkerdPolicy({ apiVersion: "policy.linkerd.io/v1alpha1", kind: "MeshTLSAuthentication", metadata: { name: "m", namespace: "ns" }, spec: {} }),
    ).toThrow(/exactly one of them/);
    expect(() =>
      validateLinkerdPolicy({
        apiVersion: "policy.linkerd.io/v1alpha1",
        kind: "HTTPLocalRateLimitPolicy",
        metadata: { name: "rl", namespace: "ns" },
        spec: { targetRef: { group: "gateway.networking.k8s.io", kind: "HTTPRoute", name: "r" }, total: { requestsPerSecond: 1 } },
      }),
    ).toThrow(/targetRef/);
    expect(() => validateLinkerdPolicy({ ...server, apiVersion: "policy.linkerd.io/v1beta1" })).toThrow(/no Linkerd schema/);
  });

  it("a misspelt field does not compile", () => {
    const typed: Server = {
      apiVersion: "policy.linkerd.io/v1beta3",
      kind: "Server",
      metadata: { name: "s", namespace: "ns" },
      // @ts-expect-error -- "acessPolicy" is not a Server field: typecheck fails if this ever compiles
      spec: { podSelector: {}, port: 8000, acessPolicy: "deny" },
    };
    expect(() => validateLinkerdPolicy(typed)).toThrow(/acessPolicy|Unrecognized key/);
  });
});
