/**
 * split, route, fault, retry and timeout intents as one networking.istio.io/v1 VirtualService
 * per service. Fields: https://istio.io/latest/docs/reference/config/networking/virtual-service/
 * (checked against the 1.30.3 CRD and virtual_service.proto; see references.ts).
 *
 * Istio takes the first http entry whose match holds, and each entry carries its own fault,
 * retries and timeout. So the entries are ordered from most to least specific:
 *
 *   1. every combination of request-scoped policies (a fault on a chaos header, a timeout on
 *      /v1), largest combination first, each crossed with every header/path route and then
 *      with the default destinations;
 *   2. the header/path routes on their own;
 *   3. the default: the weighted split, or the plain service.
 *
 * Unscoped policies (no match) apply to every entry unless a scoped policy of the same kind
 * overrides them. A request to /v1 with the chaos and canary headers thus gets the fault, the
 * /v1 timeout and the canary, rather than whichever single entry happened to come first.
 */
import { VirtualService, type IVirtualService } from "@kubernetes-models/istio/networking.istio.io/v1/VirtualService";
import type { KubeObject } from "../../plan/steps.js";
import type { UnsupportedIntent } from "../driver.js";
import type { IntentOf, RequestMatch, Target } from "../intent.js";
import { conjoin, describeMatch, isUnconditional, normalise, toIstioMatch } from "./match.js";
import { istioDuration, objectMeta, serviceHost } from "./meta.js";

type Spec = NonNullable<IVirtualService["spec"]>;
type HttpRoute = NonNullable<Spec["http"]>[number];
type Destination = NonNullable<HttpRoute["route"]>[number];
type Fault = NonNullable<HttpRoute["fault"]>;
type Retries = NonNullable<HttpRoute["retries"]>;

type Policy = IntentOf<"fault"> | IntentOf<"retry"> | IntentOf<"timeout">;
type PolicySet = Partial<{ fault: IntentOf<"fault">; retry: IntentOf<"retry">; timeout: IntentOf<"timeout"> }>;

interface Scoped {
  policy: Policy;
  match: RequestMatch;
}

interface RouteRule {
  version: string;
  match: RequestMatch;
}

/**
 * Past this many request-scoped policies the combinations (2^n entries per route) stop being a
 * route table a reviewer can read; the extras are reported rather than rendered.
 */
export const MAX_SCOPED_POLICIES = 5;

/** Istio rejects fault percentages in (0, 0.0001) (pkg/config/validation, validatePercentage). */
const MIN_FAULT_PERCENT = 0.0001;

export interface VirtualServiceIntents {
  splits: IntentOf<"split">[];
  routes: IntentOf<"route">[];
  faults: IntentOf<"fault">[];
  retries: IntentOf<"retry">[];
  timeouts: IntentOf<"timeout">[];
}

export interface RenderedVirtualService {
  manifest: KubeObject | undefined;
  /** Versions the routes send traffic to by subset; the DestinationRule must define them. */
  subsets: string[];
  unsupported: UnsupportedIntent[];
}

export function renderVirtualService(intents: VirtualServiceIntents, target: Target, clusterDomain: string): RenderedVirtualService {
  const unsupported: UnsupportedIntent[] = [];
  const host = serviceHost(target, clusterDomain);
  const subsets = new Set<string>();

  const [split, ...extraSplits] = intents.splits;
  unsupported.push(
    ...extraSplits.map((): UnsupportedIntent => ({ intent: "split", reason: "only one weighted split per service: the first split intent is rendered" })),
  );

  const routes: RouteRule[] = [];
  for (const route of intents.routes) {
    const normalised = normalise(route.match);
    if (normalised.kind === "match") routes.push({ version: route.version, match: normalised.match });
    else unsupported.push({ intent: "route", reason: unusableMatch(`route to ${route.version}`, normalised) });
  }

  const { global, scoped } = sortPolicies([...intents.faults, ...intents.retries, ...intents.timeouts], unsupported);

  const destination = (subset?: string): Destination["destination"] => {
    if (subset) subsets.add(subset);
    return subset ? { host, subset, port: { number: target.port } } : { host, port: { number: target.port } };
  };
  const defaultRoute: Destination[] = split
    ? split.backends.map((b) => ({ destination: destination(b.version), weight: b.weight }))
    : [{ destination: destination() }];
  const defaultLabel = split ? `split ${split.backends.map((b) => `${b.version} ${b.weight}`).join(" / ")}` : "every version";

  const entries: HttpRoute[] = [];
  const entry = (match: RequestMatch | undefined, to: Destination[], toLabel: string, policies: PolicySet, scope: Scoped[]) => {
    // Fields in reading order: which requests, then where they go, then what happens to them.
    const http: HttpRoute = { name: entryName(scope, toLabel) };
    const istioMatch = match ? toIstioMatch(match) : undefined;
    if (istioMatch) http.match = [istioMatch];
    http.route = to;
    const fault = policies.fault && toFault(policies.fault);
    if (fault) http.fault = fault;
    if (policies.retry) http.retries = toRetries(policies.retry);
    if (policies.timeout) http.timeout = istioDuration(policies.timeout.ms);
    entries.push(http);
  };

  const reported = new Set<string>();
  for (const combination of combinationsLargestFirst(scoped)) {
    const together = combination.reduce<ReturnType<typeof conjoin>>(
      (acc, s) => (acc.kind === "match" ? conjoin(acc.match, s.match) : acc),
      { kind: "match", match: { headers: [] } },
    );
    if (together.kind === "inexpressible") {
      const reason = `${combination.map((s) => s.policy.kind).join(" + ")} on overlapping requests: ${together.reason}`;
      if (!reported.has(reason)) unsupported.push({ intent: combination[0]!.policy.kind, partial: true, reason });
      reported.add(reason);
    }
    if (together.kind !== "match") continue;
    const policies = { ...global, ...firstOfEachKind(combination) };
    for (const route of routes) {
      const both = conjoin(together.match, route.match);
      if (both.kind === "match") {
        entry(both.match, [{ destination: destination(route.version) }], routeLabel(route), policies, combination);
      } else if (both.kind === "inexpressible") {
        unsupported.push({ intent: "route", partial: true, reason: `route to ${route.version} combined with ${combination.map((s) => s.policy.kind).join(" + ")}: ${both.reason}` });
      }
    }
    entry(together.match, defaultRoute, defaultLabel, policies, combination);
  }
  for (const route of routes) entry(route.match, [{ destination: destination(route.version) }], routeLabel(route), global, []);
  entry(undefined, defaultRoute, defaultLabel, global, []);

  const needed = split || routes.length > 0 || scoped.length > 0 || Object.keys(global).length > 0;
  if (!needed) return { manifest: undefined, subsets: [], unsupported };

  const vs = new VirtualService({
    metadata: objectMeta(target, "routes"),
    spec: { hosts: [host], http: entries },
  });
  vs.validate();
  return { manifest: vs.toJSON() as KubeObject, subsets: [...subsets], unsupported };
}

/**
 * Unscoped policies apply to every entry (one per kind); scoped ones take part in combinations.
 * Whatever cannot be placed is reported into `unsupported`.
 */
function sortPolicies(policies: Policy[], unsupported: UnsupportedIntent[]): { global: PolicySet; scoped: Scoped[] } {
  const global: PolicySet = {};
  const scoped: Scoped[] = [];
  for (const policy of policies) {
    unsupported.push(...partsIstioCannotExpress(policy));
    if (isUnconditional(policy.match)) {
      if (global[policy.kind]) {
        unsupported.push({
          intent: policy.kind,
          reason: `a second ${policy.kind} for every request conflicts with the first; Istio holds one per route entry, the first is rendered`,
        });
      } else {
        setPolicy(global, policy);
      }
      continue;
    }
    const normalised = normalise(policy.match ?? { headers: [] });
    if (normalised.kind !== "match") {
      unsupported.push({ intent: policy.kind, reason: unusableMatch(policy.kind, normalised) });
    } else if (scoped.length >= MAX_SCOPED_POLICIES) {
      unsupported.push({
        intent: policy.kind,
        reason: `more than ${MAX_SCOPED_POLICIES} request-scoped fault/retry/timeout intents on one service: not rendered`,
      });
    } else {
      scoped.push({ policy, match: normalised.match });
    }
  }
  return { global, scoped };
}

function setPolicy(set: PolicySet, policy: Policy): void {
  if (policy.kind === "fault") set.fault = policy;
  else if (policy.kind === "retry") set.retry = policy;
  else set.timeout = policy;
}

/** Within one combination the intent listed first wins a tie between two of the same kind. */
function firstOfEachKind(combination: Scoped[]): PolicySet {
  const set: PolicySet = {};
  for (const { policy } of combination) if (!set[policy.kind]) setPolicy(set, policy);
  return set;
}

/** Non-empty subsets, largest first; among equals, in the order the intents were listed. */
export function combinationsLargestFirst<T>(items: T[]): T[][] {
  const all: number[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) {
    const picked: number[] = [];
    for (let i = 0; i < items.length; i++) if (mask & (1 << i)) picked.push(i);
    all.push(picked);
  }
  all.sort((a, b) => b.length - a.length || compareIndexLists(a, b));
  return all.map((indices) => indices.map((i) => items[i]!));
}

function compareIndexLists(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function entryName(scope: Scoped[], toLabel: string): string {
  const policies = scope.map((s) => `${s.policy.kind} when ${describeMatch(s.match)}`);
  return [...policies, toLabel].join("; ");
}

function routeLabel(route: RouteRule): string {
  return `${route.version} when ${describeMatch(route.match)}`;
}

function unusableMatch(what: string, conjunction: { kind: "never" } | { kind: "inexpressible"; reason: string }): string {
  return conjunction.kind === "never"
    ? `${what}: its match can never hold (contradictory conditions on one header or path)`
    : `${what}: ${conjunction.reason}`;
}

/** undefined when nothing is left to inject (Istio rejects a fault with neither abort nor delay). */
function toFault(fault: IntentOf<"fault">): Fault | undefined {
  const istio: Fault = {};
  if (fault.abort && acceptedPercent(fault.abort.percent)) {
    istio.abort = { httpStatus: fault.abort.status, percentage: { value: fault.abort.percent } };
  }
  if (fault.delay && acceptedPercent(fault.delay.percent)) {
    istio.delay = { fixedDelay: istioDuration(fault.delay.ms), percentage: { value: fault.delay.percent } };
  }
  return istio.abort || istio.delay ? istio : undefined;
}

function acceptedPercent(percent: number): boolean {
  return percent === 0 || percent >= MIN_FAULT_PERCENT;
}

/**
 * Istio's `attempts` counts retries after the first try ("the maximum possible number of
 * requests made will be 1 + attempts"), which is how the intent's attempts are meant. Status
 * codes go into retryOn beside the condition names, as the retryOn field documents.
 */
function toRetries(retry: IntentOf<"retry">): Retries {
  const retries: Retries = { attempts: retry.attempts, retryOn: [...retry.retryOn, ...retry.statusCodes.map(String)].join(",") };
  if (retry.perTryTimeoutMs) retries.perTryTimeout = istioDuration(retry.perTryTimeoutMs);
  return retries;
}

/** Parts of a fault/retry/timeout that Istio has no field for. */
function partsIstioCannotExpress(policy: Policy): UnsupportedIntent[] {
  const parts: UnsupportedIntent[] = [];
  if (policy.kind === "retry" && policy.budget) {
    parts.push({
      intent: "retry",
      partial: true,
      reason: "Istio has no retry budget (ratio, minimum retries per second, window): the fixed attempt count is rendered, the budget is not",
    });
  }
  if (policy.kind === "fault") {
    for (const [part, spec] of [["abort", policy.abort], ["delay", policy.delay]] as const) {
      if (spec && !acceptedPercent(spec.percent)) {
        parts.push({ intent: "fault", partial: true, reason: `fault ${part} of ${spec.percent}%: Istio accepts 0 or 0.0001-100 percent` });
      }
    }
  }
  return parts;
}
