/** Every manifest the Linkerd driver renders passes a schema: the published model's, or meshproof's Linkerd one. */
import { describe, expect, it } from "vitest";
import { isLinkerdPolicyKind, linkerdDriver, validateLinkerdPolicy } from "../../../src/mesh/linkerd/index.js";
import { validateWithPublishedModel } from "../gamma/published-models.js";
import { goldenCases, target } from "../gamma/reference-policy.js";

describe("Linkerd manifests against their schemas", () => {
  it("validates every manifest of every golden case", () => {
    const kinds = new Set<string>();
    for (const intents of Object.values(goldenCases)) {
      for (const m of linkerdDriver.render(intents, target, "native").manifests) {
        const check = isLinkerdPolicyKind(m) ? () => validateLinkerdPolicy(m) : () => validateWithPublishedModel(m);
        expect(check, `${m.apiVersion} ${m.kind}/${m.metadata.name}`).not.toThrow();
        kinds.add(m.kind);
      }
    }
    expect([...kinds].sort()).toEqual([
      "AuthorizationPolicy",
      "ConfigMap",
      "Deployment",
      "HTTPLocalRateLimitPolicy",
      "HTTPRoute",
      "MeshTLSAuthentication",
      "NetworkAuthentication",
      "Server",
      "Service",
    ]);
  });
});
