import { AuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy";
import { PeerAuthentication } from "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication";
import { DestinationRule } from "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule";
import { VirtualService } from "@kubernetes-models/istio/networking.istio.io/v1/VirtualService";
import { EnvoyFilter } from "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/plan/steps.js";
import { INTENT_KINDS, type Intent } from "../../../src/mesh/intent.js";
import { createIstioDriver, istioDriver } from "../../../src/mesh/istio/index.js";
import { one, referenceIntents, referencePolicy, target } from "./fixtures.js";

const driver = createIstioDriver();
const render = (intents: Intent[]) => driver.render(intents, target, "native");
const byKind = (manifests: KubeObject[], kind: string) => manifests.filter((m) => m.kind === kind);

/** Re-hydrate with the published model and run its schema validation (types, required fields). */
function validateWithModel(m: KubeObject): void {
  const models = { VirtualService, DestinationRule, PeerAuthentication, AuthorizationPolicy, EnvoyFilter } as const;
  const Model = models[m.kind as keyof typeof models];
  if (!Model) throw new Error(`no model for ${m.kind}`);
  new Model(m as never).validate();
}

describe("Istio render (native routing)", () => {
  it("validates every manifest against the published model schemas", () => {
    const manifests = [...INTENT_KINDS.flatMap((k) => render([referenceIntents[k]]).manifests), ...render(referencePolicy).manifests];
    expect(manifests.length).toBeGreaterThan(10);
    for (const m of manifests) expect(() => validateWithModel(m), `${m.kind} ${m.metadata.name}`).not.toThrow();
  });

  it("stamps the run's labels on every resource, in the target namespace, with <service>-<purpose> names", () => {
    for (const m of render(referencePolicy).manifests) {
      expect(m.metadata.namespace).toBe(target.namespace);
      expect(m.metadata.labels).toEqual(target.labels);
      expect(m.metadata.name).toMatch(/^llm-sim-[a-z-]+$/);
    }
  });

  it("is deterministic: the same intents give the same manifests", () => {
    expect(render(referencePolicy)).toEqual(render(referencePolicy));
  });

  it("renders nothing and reports nothing for no intents", () => {
    expect(render([])).toEqual({ manifests: [], unsupported: [] });
  });

  it("puts the DestinationRule that defines subsets before the VirtualService that uses them", () => {
    const kinds = render(referencePolicy).manifests.map((m) => m.kind);
    expect(kinds.indexOf("DestinationRule")).toBeLessThan(kinds.indexOf("VirtualService"));
  });

  it("defines a subset for every deployed version, selected by the version label", () => {
    const [dr] = byKind(render([referenceIntents.route]).manifests, "DestinationRule");
    expect((dr!.spec as { subsets: unknown }).subsets).toEqual([
      { name: "stable", labels: { version: "stable" } },
      { name: "canary", labels: { version: "canary" } },
    ]);
  });

  it("reports a retry budget as unsupported but still renders the attempts", () => {
    const retry = one({ kind: "retry", attempts: 2, retryOn: ["5xx"], budget: { ratio: 0.2, minRetriesPerSecond: 10, ttlSeconds: 10 } });
    const rendered = render([retry]);
    expect(rendered.unsupported).toEqual([{ intent: "retry", partial: true, reason: expect.stringContaining("no retry budget") }]);
    const [vs] = byKind(rendered.manifests, "VirtualService");
    expect(JSON.stringify(vs)).toContain('"retries":{"attempts":2,"retryOn":"5xx"}');
  });

  it("adds retriable status codes to retryOn, as Istio's retryOn accepts them", () => {
    const retry = one({ kind: "retry", attempts: 1, retryOn: ["retriable-status-codes"], statusCodes: [503, 429] });
    const [vs] = render([retry]).manifests;
    expect(JSON.stringify(vs)).toContain('"retryOn":"retriable-status-codes,503,429"');
  });

  it("leaves out an authz rule it cannot express, reporting it, so the default deny covers it", () => {
    const authz = one({
      kind: "authz",
      rules: [{ headers: [{ name: "x-team", match: { type: "regex", value: "a.*" } }] }, { namespaces: ["llm"] }],
    });
    const rendered = render([authz]);
    expect(rendered.unsupported).toEqual([{ intent: "authz", partial: true, reason: expect.stringMatching(/rule 1 .* regex/) }]);
    const allow = rendered.manifests.find((m) => m.metadata.name === "llm-sim-authz-allow");
    expect((allow!.spec as { rules: unknown[] }).rules).toEqual([{ from: [{ source: { namespaces: ["llm"] } }] }]);
  });

  it("keeps the deny-all even when no allow rule is left", () => {
    const rendered = render([one({ kind: "authz", rules: [] })]);
    expect(rendered.manifests.map((m) => m.metadata.name)).toEqual(["llm-sim-authz-deny-all"]);
    expect(rendered.manifests[0]!.spec).toEqual({ selector: { matchLabels: { app: "llm-sim" } }, action: "ALLOW" });
  });

  it("adds no port policy under permissive mTLS, where every port is already permissive", () => {
    const rendered = render([one({ kind: "mtls", mode: "permissive", permissivePorts: [8081] })]);
    expect(rendered.manifests.map((m) => m.metadata.name)).toEqual(["llm-sim-mtls"]);
    expect(rendered.manifests[0]!.spec).toEqual({ mtls: { mode: "PERMISSIVE" } });
  });

  it("maps a burst to the bucket size and reports a refill interval Envoy cannot take", () => {
    const burst = render([one({ kind: "rateLimit", requests: 10, intervalMs: 1000, burst: 30 })]);
    expect(JSON.stringify(burst.manifests[0])).toContain('"token_bucket":{"max_tokens":30,"tokens_per_fill":10,"fill_interval":"1s"}');
    const tooFast = render([one({ kind: "rateLimit", requests: 1, intervalMs: 10 })]);
    expect(tooFast.manifests).toEqual([]);
    expect(tooFast.unsupported).toEqual([{ intent: "rateLimit", reason: expect.stringContaining("50ms") }]);
  });

  it("rounds a fractional ejection percentage and says so", () => {
    const outlier = one({ kind: "outlier", consecutiveErrors: 3, intervalMs: 1000, baseEjectionMs: 1500, maxEjectionPercent: 33.3 });
    const rendered = render([outlier]);
    expect(JSON.stringify(rendered.manifests[0])).toContain('"maxEjectionPercent":33');
    expect(JSON.stringify(rendered.manifests[0])).toContain('"baseEjectionTime":"1500ms"');
    expect(rendered.unsupported).toEqual([{ intent: "outlier", partial: true, reason: expect.stringContaining("33.3%") }]);
  });

  it("reports a second intent of a one-per-service kind instead of dropping it silently", () => {
    const rendered = render([referenceIntents.split, one({ kind: "split", backends: [{ version: "stable", weight: 100 }] })]);
    expect(rendered.unsupported).toEqual([{ intent: "split", reason: expect.stringContaining("first split") }]);
  });

  it("writes principals with the configured trust domain", () => {
    const custom = createIstioDriver({ trustDomain: "example.org" });
    const rendered = custom.render([referenceIntents.authz], target, "native");
    expect(JSON.stringify(rendered.manifests)).toContain('"principals":["example.org/ns/llm/sa/loadgen"]');
  });

  it("declares a capability for every intent kind in both modes", () => {
    for (const routing of ["native", "gamma"] as const) {
      const caps = istioDriver.capabilities(routing);
      expect(Object.keys(caps).sort()).toEqual([...INTENT_KINDS].sort());
      for (const entry of Object.values(caps)) expect(entry.note.length).toBeGreaterThan(10);
    }
  });
});
