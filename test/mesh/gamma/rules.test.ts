/**
 * The planner's promise, checked by simulation: for any request, the rule Gateway API would
 * pick (most specific match, first on a tie) sends it where the intents say and carries the
 * policies the intents say, judged independently of how the planner built its rules.
 */
import { describe, expect, it } from "vitest";
import { compareSpecificity } from "../../../src/mesh/gamma/matches.js";
import { planRules, reduceWeights, routingIntentsOf, type PlannedRule, type ScopedPolicy } from "../../../src/mesh/gamma/rules.js";
import { parseIntents, type Intent, type RequestMatch } from "../../../src/mesh/intent.js";
import { target } from "./reference-policy.js";

interface Request {
  path: string;
  headers: Record<string, string>;
}

function holds(match: RequestMatch | undefined, req: Request): boolean {
  if (!match) return true;
  const p = match.path;
  if (p) {
    const ok =
      p.type === "exact" ? req.path === p.value : p.value === "/" || req.path === p.value || req.path.startsWith(p.value.endsWith("/") ? p.value : `${p.value}/`);
    if (!ok) return false;
  }
  return match.headers.every((h) => {
    const v = req.headers[h.name];
    if (v === undefined) return false;
    if (h.match.type === "present") return true;
    if (h.match.type === "exact") return v === h.match.value;
    return new RegExp(`^(?:${h.match.value})$`).test(v);
  });
}

/** Gateway API's choice: the most specific matching rule; the earlier one on a tie. */
function pick(rules: PlannedRule[], req: Request): PlannedRule | undefined {
  let best: PlannedRule | undefined;
  for (const r of rules) {
    if (!holds(r.match, req)) continue;
    if (!best || compareSpecificity(r.match, best.match) > 0) best = r;
  }
  return best;
}

/** What the intents mean for one request, without the planner. */
function expected(intents: Intent[], req: Request) {
  const route = intents.find((i): i is Extract<Intent, { kind: "route" }> => i.kind === "route" && holds(i.match, req));
  const split = intents.find((i): i is Extract<Intent, { kind: "split" }> => i.kind === "split");
  const policy = (kind: ScopedPolicy["kind"]) => {
    let best: ScopedPolicy | undefined;
    for (const i of intents) {
      if (i.kind !== kind || !holds(i.match, req)) continue;
      if (!best || compareSpecificity(i.match, best.match) >= 0) best = i;
    }
    return best;
  };
  const backends = route
    ? [{ service: `llm-sim-${route.version}`, weight: 1 }]
    : split
      ? split.backends.map((b) => ({ service: `llm-sim-${b.version}`, weight: b.weight }))
      : [{ service: "llm-sim", weight: 1 }];
  return { backends, timeout: policy("timeout"), retry: policy("retry"), fault: policy("fault") };
}

const intents = parseIntents([
  { kind: "split", backends: [{ version: "stable", weight: 90 }, { version: "canary", weight: 10 }] },
  { kind: "route", match: { headers: [{ name: "x-canary", match: { type: "exact", value: "true" } }] }, version: "canary" },
  { kind: "timeout", ms: 30_000 },
  { kind: "timeout", ms: 60_000, match: { path: { type: "prefix", value: "/v1" } } },
  { kind: "timeout", ms: 5_000, match: { path: { type: "prefix", value: "/health" } } },
  { kind: "retry", attempts: 2, retryOn: ["5xx"], match: { path: { type: "prefix", value: "/v1/chat" } } },
  { kind: "fault", abort: { percent: 5, status: 503 }, match: { headers: [{ name: "x-chaos", match: { type: "present" } }] } },
]);

const paths = ["/", "/v1", "/v1/chat/completions", "/v1/models", "/v10", "/health/ready", "/healthz"];
const headerSets: Record<string, string>[] = [{}, { "x-canary": "true" }, { "x-canary": "false" }, { "x-chaos": "1" }, { "x-canary": "true", "x-chaos": "" }];

describe("planRules", () => {
  const rules = planRules(target, routingIntentsOf(intents), (v) => `llm-sim-${v}`);

  it("gives every request the version and the policies its intents promise", () => {
    for (const path of paths) {
      for (const headers of headerSets) {
        const req = { path, headers };
        const rule = pick(rules, req);
        const want = expected(intents, req);
        expect(rule, `no rule matches ${path} ${JSON.stringify(headers)}`).toBeDefined();
        expect({ backends: rule?.backends, timeout: rule?.timeout, retry: rule?.retry, fault: rule?.fault }, `${path} ${JSON.stringify(headers)}`).toEqual(want);
      }
    }
  });

  it("never emits two rules with the same match", () => {
    const keys = rules.map((r) => JSON.stringify(r.match ?? null));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("sends everything to the target Service when there is no split", () => {
    const only = planRules(target, routingIntentsOf(parseIntents([{ kind: "timeout", ms: 1000 }])), (v) => v);
    expect(only).toEqual([{ match: undefined, backends: [{ service: "llm-sim", weight: 1 }], timeout: expect.objectContaining({ ms: 1000 }) }]);
  });

  it("refuses versions the target does not deploy, and two splits", () => {
    const unknown = parseIntents([{ kind: "split", backends: [{ version: "stable", weight: 50 }, { version: "v3", weight: 50 }] }]);
    expect(() => planRules(target, routingIntentsOf(unknown), (v) => v)).toThrow(/version "v3".*deploys only stable, canary/);
    const split = { kind: "split", backends: [{ version: "stable", weight: 100 }] };
    expect(() => routingIntentsOf(parseIntents([split, split]))).toThrow(/2 split intents/);
  });
});

describe("reduceWeights", () => {
  it("keeps ratios with the smallest integers", () => {
    expect(reduceWeights([90, 10])).toEqual([9, 1]);
    expect(reduceWeights([8550, 950, 500])).toEqual([171, 19, 10]);
    expect(reduceWeights([100, 0])).toEqual([1, 0]);
    expect(reduceWeights([0, 0])).toEqual([0, 0]);
  });
});
