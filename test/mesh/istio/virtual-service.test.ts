import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../src/plan/steps.js";
import type { Intent } from "../../../src/mesh/intent.js";
import { createIstioDriver } from "../../../src/mesh/istio/index.js";
import { conjoin } from "../../../src/mesh/istio/match.js";
import { combinationsLargestFirst, MAX_SCOPED_POLICIES } from "../../../src/mesh/istio/virtual-service.js";
import { one, referenceIntents, referencePolicy, target } from "./fixtures.js";

interface Entry {
  name: string;
  match?: { headers?: Record<string, { exact?: string; regex?: string }>; uri?: { prefix?: string; exact?: string } }[];
  route: { destination: { subset?: string }; weight?: number }[];
  fault?: unknown;
  retries?: unknown;
  timeout?: string;
}

const driver = createIstioDriver();
function entries(intents: Intent[]): Entry[] {
  const vs = driver.render(intents, target, "native").manifests.find((m: KubeObject) => m.kind === "VirtualService");
  if (!vs) throw new Error("no VirtualService rendered");
  return (vs.spec as { http: Entry[] }).http;
}

/** Which entry Istio would pick: the first whose match holds (a simplified evaluator of the rendered table). */
function pick(table: Entry[], request: { headers?: Record<string, string>; path: string }): Entry {
  const holds = (m: NonNullable<Entry["match"]>[number]) =>
    Object.entries(m.headers ?? {}).every(([name, cond]) => {
      const value = request.headers?.[name];
      if (value === undefined) return false;
      if (cond.exact !== undefined) return value === cond.exact;
      if (cond.regex !== undefined) return new RegExp(`^(?:${cond.regex})$`).test(value);
      return true;
    }) &&
    (!m.uri || (m.uri.prefix !== undefined ? request.path.startsWith(m.uri.prefix) : request.path === m.uri.exact));
  const found = table.find((e) => !e.match || e.match.some(holds));
  if (!found) throw new Error("no entry matched");
  return found;
}

describe("VirtualService route table", () => {
  const table = entries(referencePolicy);
  const chaos = { "x-chaos": "true" };
  const canary = { "x-canary": "true" };

  it("ends with the weighted split as the default entry, without a match", () => {
    const last = table.at(-1)!;
    expect(last.match).toBeUndefined();
    expect(last.route.map((r) => [r.destination.subset, r.weight])).toEqual([["stable", 90], ["canary", 10]]);
  });

  it("sends the canary header to the canary, with the route's timeout and the global retries", () => {
    const entry = pick(table, { headers: canary, path: "/v1/chat/completions" });
    expect(entry.route).toEqual([expect.objectContaining({ destination: expect.objectContaining({ subset: "canary" }) })]);
    expect(entry.timeout).toBe("60s");
    expect(entry.retries).toEqual({ attempts: 3, retryOn: "5xx,reset,connect-failure,refused-stream", perTryTimeout: "2s" });
    expect(entry.fault).toBeUndefined();
  });

  it("gives a request with the chaos and canary headers the fault, the canary and the /v1 timeout together", () => {
    const entry = pick(table, { headers: { ...chaos, ...canary }, path: "/v1/completions" });
    expect(entry.fault).toBeDefined();
    expect(entry.route[0]!.destination.subset).toBe("canary");
    expect(entry.timeout).toBe("60s");
  });

  it("applies the 5 s timeout to /health and no fault without the chaos header", () => {
    const entry = pick(table, { path: "/health/ready" });
    expect(entry.timeout).toBe("5s");
    expect(entry.fault).toBeUndefined();
    expect(entry.route).toHaveLength(2);
  });

  it("applies no timeout to paths outside /v1 and /health", () => {
    expect(pick(table, { path: "/metrics" }).timeout).toBeUndefined();
  });

  it("never combines the /v1 and /health timeouts, which no request can both match", () => {
    expect(table.some((e) => e.name.includes("/v1") && e.name.includes("/health"))).toBe(false);
  });

  it("lets a scoped policy override an unscoped one of the same kind", () => {
    const table2 = entries([one({ kind: "timeout", ms: 30_000 }), one({ kind: "timeout", ms: 5_000, match: { path: { type: "prefix", value: "/health" } } })]);
    expect(pick(table2, { path: "/health/live" }).timeout).toBe("5s");
    expect(pick(table2, { path: "/v1/models" }).timeout).toBe("30s");
  });

  it("renders a presence match as an empty StringMatch", () => {
    const table2 = entries([one({ kind: "route", match: { headers: [{ name: "x-debug", match: { type: "present" } }] }, version: "canary" })]);
    expect(table2[0]!.match).toEqual([{ headers: { "x-debug": {} } }]);
  });

  it("reports a route whose conditions contradict each other", () => {
    const contradiction = one({
      kind: "route",
      match: {
        headers: [
          { name: "x-a", match: { type: "exact", value: "1" } },
          { name: "x-a", match: { type: "exact", value: "2" } },
        ],
      },
      version: "canary",
    });
    const rendered = driver.render([contradiction, referenceIntents.split], target, "native");
    expect(rendered.unsupported).toEqual([{ intent: "route", reason: expect.stringContaining("can never hold") }]);
  });

  it(`reports request-scoped policies beyond ${MAX_SCOPED_POLICIES} instead of rendering 2^n entries`, () => {
    const many = Array.from({ length: MAX_SCOPED_POLICIES + 1 }, (_, i) =>
      one({ kind: "timeout", ms: 1000 * (i + 1), match: { headers: [{ name: `x-t${i}`, match: { type: "present" } }] } }),
    );
    const rendered = driver.render(many, target, "native");
    expect(rendered.unsupported).toHaveLength(1);
    expect(rendered.unsupported[0]!.reason).toContain(`more than ${MAX_SCOPED_POLICIES}`);
  });
});

describe("match conjunction", () => {
  const header = (value: string) => ({ name: "x-v", match: { type: "exact" as const, value } });

  it("keeps the narrower of two path prefixes and drops disjoint ones", () => {
    expect(conjoin({ headers: [], path: { type: "prefix", value: "/v1" } }, { headers: [], path: { type: "prefix", value: "/v1/chat" } })).toEqual({
      kind: "match",
      match: { headers: [], path: { type: "prefix", value: "/v1/chat" } },
    });
    expect(conjoin({ headers: [], path: { type: "prefix", value: "/v1" } }, { headers: [], path: { type: "prefix", value: "/health" } })).toEqual({ kind: "never" });
  });

  it("resolves an exact value against a regex on the same header", () => {
    const regex = { name: "x-v", match: { type: "regex" as const, value: "v[0-9]+" } };
    expect(conjoin({ headers: [regex] }, { headers: [header("v2")] })).toEqual({ kind: "match", match: { headers: [header("v2")] } });
    expect(conjoin({ headers: [regex] }, { headers: [header("beta")] })).toEqual({ kind: "never" });
  });

  it("says when two different regexes on one header cannot be expressed", () => {
    const a = { name: "x-v", match: { type: "regex" as const, value: "a.*" } };
    const b = { name: "x-v", match: { type: "regex" as const, value: ".*b" } };
    expect(conjoin({ headers: [a] }, { headers: [b] })).toMatchObject({ kind: "inexpressible" });
  });

  it("orders combinations largest first, then as the intents were listed", () => {
    expect(combinationsLargestFirst(["a", "b", "c"])).toEqual([["a", "b", "c"], ["a", "b"], ["a", "c"], ["b", "c"], ["a"], ["b"], ["c"]]);
  });
});
