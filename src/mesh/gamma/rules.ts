/**
 * Plans the rules of the HTTPRoutes that carry routing (split, header/path routes) and the
 * per-request policies attached to them (timeouts, retries, and for Linkerd fault backends).
 *
 * Why a planner: an HTTPRoute sends a request to its most specific matching rule (longest path,
 * then most headers), not to the first rule listed, and a rule carries both where the request
 * goes and which timeout/retry applies. A canary header route and a "/v1 gets 60 s" timeout are
 * therefore not two rules but four: every routing rule is crossed with every combination of
 * policy scopes, so the most specific rule a request can match always has both its version and
 * all the policies that apply to it.
 */
import type { Intent, IntentOf, RequestMatch, Target } from "../intent.js";
import { compareSpecificity, implies, matchKey, mergeMatches, normalizeMatch } from "./matches.js";

export type ScopedPolicy = IntentOf<"timeout"> | IntentOf<"retry"> | IntentOf<"fault">;

export interface WeightedBackend {
  /** Service name in the target's namespace. */
  service: string;
  weight: number;
}

export interface PlannedRule {
  /** Undefined: every request (the route's catch-all rule). */
  match: RequestMatch | undefined;
  backends: WeightedBackend[];
  timeout?: IntentOf<"timeout">;
  retry?: IntentOf<"retry">;
  fault?: IntentOf<"fault">;
}

export interface RoutingIntents {
  split?: IntentOf<"split">;
  routes: IntentOf<"route">[];
  policies: ScopedPolicy[];
}

/**
 * Overlapping scopes multiply (n overlapping scopes give 2^n combinations; disjoint ones only
 * n + 1). 256 is far more than a scenario needs; beyond it, say so rather than emit thousands.
 */
const MAX_SCOPE_COMBINATIONS = 256;

/** Sort intents by kind into what the planner needs; anything else is left for the caller. */
export function routingIntentsOf(intents: readonly Intent[]): RoutingIntents {
  const splits = intents.filter((i): i is IntentOf<"split"> => i.kind === "split");
  if (splits.length > 1) {
    throw new Error(`${splits.length} split intents for one service: a service has one traffic split; merge them into one intent`);
  }
  return {
    ...(splits[0] ? { split: splits[0] } : {}),
    routes: intents.filter((i): i is IntentOf<"route"> => i.kind === "route"),
    policies: intents.filter((i): i is ScopedPolicy => i.kind === "timeout" || i.kind === "retry" || i.kind === "fault"),
  };
}

/** True when the planner has anything to render (otherwise no HTTPRoute is needed). */
export function needsRoute(routing: RoutingIntents): boolean {
  return routing.split !== undefined || routing.routes.length > 0 || routing.policies.length > 0;
}

/**
 * The rules, most specific first within each routing rule. `serviceFor(version)` names the
 * Service that selects one version's pods.
 */
export function planRules(target: Target, routing: RoutingIntents, serviceFor: (version: string) => string): PlannedRule[] {
  const known = new Set(target.versions);
  const checkVersion = (version: string, where: string): string => {
    if (!known.has(version)) {
      throw new Error(`${where} names version "${version}", but the target deploys only ${target.versions.join(", ")}; fix the intent or deploy that version`);
    }
    return serviceFor(version);
  };

  const destinations: { match: RequestMatch | undefined; backends: WeightedBackend[] }[] = [
    ...routing.routes.map((r) => ({ match: normalizeMatch(r.match), backends: [{ service: checkVersion(r.version, "a route intent"), weight: 1 }] })),
    {
      match: undefined,
      backends: routing.split
        ? routing.split.backends.map((b) => ({ service: checkVersion(b.version, "the split intent"), weight: b.weight }))
        : [{ service: target.service, weight: 1 }],
    },
  ];

  const combinations = scopeCombinations(distinctScopes(routing.policies));

  const rules: PlannedRule[] = [];
  const seen = new Set<string>();
  for (const destination of destinations) {
    const own: PlannedRule[] = [];
    for (const scope of combinations) {
      const match = mergeMatches(destination.match, scope);
      if (match === null) continue;
      const key = matchKey(match);
      if (seen.has(key)) continue;
      seen.add(key);
      own.push({ match, backends: destination.backends, ...policiesFor(match, routing.policies) });
    }
    own.sort((a, b) => compareSpecificity(b.match, a.match));
    rules.push(...own);
  }
  return rules;
}

function distinctScopes(policies: readonly ScopedPolicy[]): RequestMatch[] {
  const byKey = new Map<string, RequestMatch>();
  for (const p of policies) {
    const m = normalizeMatch(p.match);
    if (m) byKey.set(matchKey(m), m);
  }
  return [...byKey.values()];
}

/** Every consistent intersection of a subset of the scopes, the empty subset (everything) included. */
function scopeCombinations(scopes: readonly RequestMatch[]): (RequestMatch | undefined)[] {
  let combos: (RequestMatch | undefined)[] = [undefined];
  for (const scope of scopes) {
    const next = [...combos];
    for (const c of combos) {
      const merged = mergeMatches(c, scope);
      if (merged !== null) next.push(merged);
    }
    combos = next;
    if (combos.length > MAX_SCOPE_COMBINATIONS) {
      throw new Error(
        `the timeout/retry/fault intents overlap in more than ${MAX_SCOPE_COMBINATIONS} ways; use fewer differently-scoped intents for one service`,
      );
    }
  }
  const byKey = new Map<string, RequestMatch | undefined>();
  for (const c of combos) if (!byKey.has(matchKey(c))) byKey.set(matchKey(c), c);
  return [...byKey.values()];
}

/**
 * For each policy kind, the policy that governs requests matching `match`: among those whose
 * scope covers the match, the most specific; on a tie, the later intent.
 */
function policiesFor(match: RequestMatch | undefined, policies: readonly ScopedPolicy[]): Pick<PlannedRule, "timeout" | "retry" | "fault"> {
  const pick = <K extends ScopedPolicy["kind"]>(kind: K): Extract<ScopedPolicy, { kind: K }> | undefined => {
    let best: Extract<ScopedPolicy, { kind: K }> | undefined;
    for (const p of policies) {
      if (p.kind !== kind || !implies(match, p.match)) continue;
      const candidate = p as Extract<ScopedPolicy, { kind: K }>;
      if (!best || compareSpecificity(candidate.match, best.match) >= 0) best = candidate;
    }
    return best;
  };
  const timeout = pick("timeout");
  const retry = pick("retry");
  const fault = pick("fault");
  return { ...(timeout ? { timeout } : {}), ...(retry ? { retry } : {}), ...(fault ? { fault } : {}) };
}

/** Smallest integers with the same ratios (weights are relative in Gateway API). */
export function reduceWeights(weights: readonly number[]): number[] {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const divisor = weights.reduce((g, w) => gcd(g, w), 0);
  return divisor > 1 ? weights.map((w) => w / divisor) : [...weights];
}
