import { describe, expect, it } from "vitest";
import { gammaChannelFor, renderGamma } from "../../../src/mesh/gamma/index.js";
import type { KubeObject } from "../../../src/plan/steps.js";
import { parseIntents } from "../../../src/mesh/intent.js";
import { goldenCases, referenceIntents, target } from "./reference-policy.js";

type Rule = { matches?: unknown[]; backendRefs?: { name: string; port: number; weight?: number }[]; retry?: unknown; timeouts?: Record<string, string> };
const routes = (manifests: KubeObject[]) => manifests.filter((m) => m.kind === "HTTPRoute");
const rulesOf = (route: KubeObject | undefined) => ((route?.["spec"] as { rules: Rule[] } | undefined)?.rules ?? []);

describe("renderGamma", () => {
  it("splits through one Service per version, attached to the target Service", () => {
    const { manifests, unsupported } = renderGamma(goldenCases["split"] ?? [], target);
    expect(unsupported).toEqual([]);
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(["Service/llm-sim-stable", "Service/llm-sim-canary", "HTTPRoute/llm-sim-route"]);
    const [stable] = manifests;
    expect(stable?.["spec"]).toMatchObject({ selector: { "app.kubernetes.io/name": "llm-sim", version: "stable" }, ports: [{ port: 8000 }] });
    const route = routes(manifests)[0];
    expect(route?.["spec"]).toMatchObject({ parentRefs: [{ group: "", kind: "Service", name: "llm-sim", port: 8000 }] });
    expect(rulesOf(route)[0]?.backendRefs).toEqual([
      { name: "llm-sim-stable", port: 8000, weight: 9 },
      { name: "llm-sim-canary", port: 8000, weight: 1 },
    ]);
  });

  it("stamps the target's labels and namespace on everything", () => {
    for (const m of renderGamma(goldenCases["reference"] ?? [], target).manifests) {
      expect(m.metadata.namespace).toBe(target.namespace);
      expect(m.metadata.labels).toMatchObject(target.labels);
    }
  });

  it("renders retries on the experimental field and per-try limits as backendRequest, and says what it cannot express", () => {
    const { manifests, unsupported } = renderGamma(goldenCases["retry"] ?? [], target);
    const [rule] = rulesOf(routes(manifests)[0]);
    expect(rule?.retry).toEqual({ attempts: 3, codes: [500, 502, 503, 504] });
    expect(rule?.timeouts).toEqual({ backendRequest: "2s" });
    expect(rule?.backendRefs).toEqual([{ name: "llm-sim", port: 8000 }]);
    expect(unsupported.every((u) => u.intent === "retry" && u.partial)).toBe(true);
    const reasons = unsupported.map((u) => u.reason);
    expect(reasons).toEqual([expect.stringMatching(/^retry on 5xx/), expect.stringMatching(/^retry on reset, connect-failure, refused-stream/), expect.stringMatching(/^retry budget/)]);
    expect(gammaChannelFor(goldenCases["retry"] ?? [])).toBe("experimental");
    expect(gammaChannelFor(goldenCases["timeout"] ?? [])).toBe("standard");
  });

  it("reports intents Gateway API has no resource for, once each, and renders nothing for them", () => {
    for (const kind of ["fault", "outlier", "mtls", "authz", "rate-limit"]) {
      const { manifests, unsupported } = renderGamma(goldenCases[kind] ?? [], target);
      expect(manifests, kind).toEqual([]);
      expect(unsupported, kind).toHaveLength(1);
      expect(unsupported[0]?.partial, kind).toBeUndefined();
    }
  });

  it("never lets a per-try limit exceed the request timeout (the CRD forbids it)", () => {
    const intents = parseIntents([
      { kind: "timeout", ms: 1_000 },
      { kind: "retry", attempts: 2, perTryTimeoutMs: 5_000, retryOn: ["gateway-error"] },
    ]);
    const { manifests, unsupported } = renderGamma(intents, target);
    expect(rulesOf(routes(manifests)[0])[0]?.timeouts).toEqual({ request: "1s" });
    expect(unsupported.some((u) => /longer than the 1000 ms request timeout/.test(u.reason))).toBe(true);
  });

  it("spreads more than 16 rules over several routes on the same parent", () => {
    const scoped = Array.from({ length: 20 }, (_, i) => ({ kind: "timeout", ms: 1_000 + i, match: { path: { type: "exact", value: `/p${i}` } } }));
    const { manifests } = renderGamma(parseIntents([referenceIntents.split, ...scoped]), target);
    const all = routes(manifests);
    expect(all.map((r) => r.metadata.name)).toEqual(["llm-sim-route", "llm-sim-route-2"]);
    expect(all.reduce((n, r) => n + rulesOf(r).length, 0)).toBe(21);
  });

  it("is deterministic", () => {
    const intents = goldenCases["reference"] ?? [];
    expect(renderGamma(intents, target)).toEqual(renderGamma(intents, target));
  });
});
