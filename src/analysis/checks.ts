/**
 * The engine's entry for measure steps. Batches of load are observed one after another; each
 * check looks at its counts when they cross its next planned look size, decides pass or fail
 * as soon as its interval allows, and asks for more samples until its budget is spent, then
 * says inconclusive. No check compares a raw ratio or a point quantile with a threshold.
 *
 * When a check looks depends only on how many samples it has (its planned look sizes), never
 * on what they show, and it never takes more looks than planned: the conditions under which
 * the per-look levels add up to the error bounds the verdicts state (see proportion.ts).
 */
import { outcomeKey, type FailedLatency, type LatencySummary, type OutcomeCount } from "../load/profile.js";
import { mergeSummaries } from "./hdr.js";
import { bucketsOf, countAtOrBelow, quantileOfBuckets, valueAtRank, type Buckets } from "./distribution.js";
import { planLatency, planShare, type LatencyPlan, type PlanOptions, type ProportionPlan } from "./planner.js";
import { intervalAtLevel, type LookDecision } from "./proportion.js";
import { operatingCharacteristics, stepDesign } from "./sequential.js";
import { binomialCdf, binomialSurvival } from "./special.js";
import {
  CheckSpec,
  type CheckSpecInput,
  type LatencyCheckSpec,
  type LatencyShareCheckSpec,
  type OutcomeSelector,
  type ProportionCheckSpec,
  type Verdict,
} from "./verdict.js";

/** What one batch of load measured: a subset of LoadResult. */
export interface Observations {
  outcomes: OutcomeCount[];
  /** Of the successful requests. */
  latency: { e2e?: LatencySummary; e2eFromSend?: LatencySummary; ttft?: LatencySummary; itl?: LatencySummary };
  /** Of the failed ones, by status; absent when the load engine did not time them. */
  failedLatency?: readonly FailedLatency[];
  evidence: string[];
  /** The load that produced them: its token limit bounds how many inter-token gaps one stream has. */
  profile?: { maxTokens: number };
}

export interface Evaluation {
  /** Take one more batch; checks whose counts crossed their next look size look now. */
  observe(result: Observations): void;
  /** True when no check can change with more samples (all decided, or budgets spent). */
  decided(): boolean;
  /**
   * Non-final: the verdicts of checks that have settled (pass, fail, or inconclusive with the
   * budget spent); open checks are left out. Final: every check, the open ones after one last
   * look if they have looks left, and inconclusive if that does not decide them.
   */
  verdicts(final: boolean): Verdict[];
  /** More requests the open checks want before their next look (0 when none). */
  samplesNeeded(): number;
}

export function matchesSelector(outcome: Pick<OutcomeCount, "version" | "status" | "peer" | "attempt">, selector: OutcomeSelector): boolean {
  if (selector.version !== undefined && outcome.version !== selector.version) return false;
  // Peer and attempt come from headers the reference server echoes; an outcome that lacks them
  // cannot count as matching, so a backend that does not echo them never passes such a check.
  if (selector.peer !== undefined && outcome.peer !== selector.peer) return false;
  if (selector.minAttempt !== undefined && !(outcome.attempt !== undefined && outcome.attempt >= selector.minAttempt)) return false;
  const status = selector.status;
  if (status === undefined) return true;
  const s = outcome.status;
  switch (status) {
    case "2xx":
      return s >= 200 && s < 300;
    case "4xx":
      return s >= 400 && s < 500;
    case "5xx":
      return s >= 500 && s < 600;
    case "error":
      return !(s >= 200 && s < 300);
    default:
      return s === status;
  }
}

function describeSelector(s: OutcomeSelector): string {
  const parts = [
    s.version !== undefined ? `version ${s.version}` : "",
    s.status !== undefined ? `status ${s.status}` : "",
    s.peer !== undefined ? `peer ${s.peer}` : "",
    s.minAttempt !== undefined ? `attempt >= ${s.minAttempt}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "any response";
}

const percent = (x: number, digits = 2) => `${(x * 100).toFixed(digits)}%`;
const count = (n: number) => Math.round(n).toLocaleString("en-US");
const ms = (x: number) => `${x >= 100 ? x.toFixed(0) : x.toFixed(2)} ms`;

/** The running state every check shares: the look schedule and the verdict once settled. */
abstract class CheckState {
  looksTaken = 0;
  nextLook = 0;
  samplesAtLastLook = 0;
  /** Samples at each look actually taken: the schedule the verdict's error probabilities are computed for. */
  readonly realizedLooks: number[] = [];
  settled: Verdict | undefined;
  constructor(protected readonly plan: ProportionPlan | LatencyPlan) {}

  /** The error probabilities of the design that ran: the looks taken, then the planned ones after them. */
  protected errorsOfRun(): { falseFailure: number; falsePass: number } {
    return errorsOfSchedule(this.plan, this.realizedLooks);
  }

  /** Fields every verdict of this check carries about the design that ran. */
  protected designRecord(): Pick<Verdict, "errorProbabilities" | "design"> {
    const run = this.errorsOfRun();
    return {
      errorProbabilities: { ...run, targets: { falseFailure: this.plan.falseFailure, falsePass: this.plan.falsePass } },
      design: { rule: this.plan.rule, looksTaken: [...this.realizedLooks], plannedLooks: this.plan.looks, budget: this.plan.maxSamples },
    };
  }

  /** Samples for this check so far (in the plan's units). */
  abstract samples(ctx: Totals): number;
  /** Decide with the data so far at the per-look levels. */
  protected abstract look(ctx: Totals): { decision: LookDecision; verdict: (status: Verdict["status"], final: boolean) => Verdict };

  afterObserve(ctx: Totals): void {
    if (this.settled) return;
    const n = this.samples(ctx);
    const lookSamples = this.plan.lookSamples;
    if (this.nextLook >= lookSamples.length || n < lookSamples[this.nextLook]!) return;
    this.takeLook(ctx, false);
    while (this.nextLook < lookSamples.length && lookSamples[this.nextLook]! <= n) this.nextLook++;
    if (!this.settled && (this.looksTaken >= this.plan.looks || this.nextLook >= lookSamples.length)) {
      this.settled = this.look(ctx).verdict("inconclusive", true);
    }
  }

  private takeLook(ctx: Totals, final: boolean): void {
    this.looksTaken++;
    this.samplesAtLastLook = this.samples(ctx);
    this.realizedLooks.push(this.samplesAtLastLook);
    const { decision, verdict } = this.look(ctx);
    if (decision !== "continue") this.settled = verdict(decision, final);
  }

  finish(ctx: Totals): Verdict {
    if (this.settled) return this.settled;
    const n = this.samples(ctx);
    // One last look is allowed only within the planned number of looks, so the error bounds hold.
    if (this.looksTaken < this.plan.looks && n > this.samplesAtLastLook) this.takeLook(ctx, true);
    return this.settled ?? this.look(ctx).verdict("inconclusive", true);
  }

  /** Requests to send before the next look, given how many requests feed this check. */
  requestsNeeded(ctx: Totals): number {
    if (this.settled) return 0;
    const n = this.samples(ctx);
    const target = this.plan.lookSamples[this.nextLook] ?? this.plan.maxSamples;
    const share = ctx.requests > 0 && n > 0 ? n / ctx.requests : 1;
    return Math.max(0, Math.ceil((target - n) / share));
  }

  protected lookNote(final: boolean): string {
    return `look ${this.looksTaken} of ${this.plan.looks}${final ? ", the last" : ""}`;
  }
}

function withoutCount(c: OutcomeCount): Omit<OutcomeCount, "count"> {
  return {
    version: c.version,
    status: c.status,
    ...(c.peer !== undefined ? { peer: c.peer } : {}),
    ...(c.attempt !== undefined ? { attempt: c.attempt } : {}),
  };
}

type Metric = "e2e" | "e2eFromSend" | "ttft" | "itl";
const METRICS = ["e2e", "e2eFromSend", "ttft", "itl"] as const satisfies readonly Metric[];
type FailedMetric = "e2e" | "e2eFromSend";
/** Whose latency (LatencyShareCheckSpec.responses): the successes, or every response. */
type Responses = "ok" | "all";

/** Everything observed so far, merged. */
export class Totals {
  outcomes = new Map<string, OutcomeCount>();
  requests = 0;
  /** Largest token limit of any batch: no stream has more inter-token gaps. */
  maxTokens: number | undefined;
  evidence: string[] = [];
  /** False once a batch came without the latency of its failed requests (k6, an older loadgen). */
  failuresTimed = true;
  private parts: Record<Metric, LatencySummary[]> = { e2e: [], e2eFromSend: [], ttft: [], itl: [] };
  /** Failed requests' latency, every status together. */
  private failedParts: Record<FailedMetric, LatencySummary[]> = { e2e: [], e2eFromSend: [] };
  private merged = new Map<string, Buckets>();
  private summaries = new Map<string, LatencySummary | undefined>();

  add(o: Observations): void {
    for (const c of o.outcomes) {
      const key = outcomeKey(c);
      const prev = this.outcomes.get(key);
      this.outcomes.set(key, { ...withoutCount(c), count: (prev?.count ?? 0) + c.count });
      this.requests += c.count;
    }
    for (const metric of METRICS) {
      const s = o.latency[metric];
      if (s && s.count > 0) this.parts[metric].push(s);
    }
    if (o.failedLatency === undefined) this.failuresTimed = false;
    for (const f of o.failedLatency ?? []) {
      for (const metric of ["e2e", "e2eFromSend"] as const) {
        const s = f[metric];
        if (s && s.count > 0) this.failedParts[metric].push(s);
      }
    }
    for (const e of o.evidence) if (!this.evidence.includes(e)) this.evidence.push(e);
    if (o.profile) this.maxTokens = Math.max(this.maxTokens ?? 0, o.profile.maxTokens);
    this.merged.clear();
    this.summaries.clear();
  }

  /** The parts one population's histogram merges: successes, or successes and failures of every status. */
  private partsOf(metric: Metric, responses: Responses): LatencySummary[] {
    if (responses === "ok" || (metric !== "e2e" && metric !== "e2eFromSend")) return this.parts[metric];
    return [...this.parts[metric], ...this.failedParts[metric]];
  }

  summary(metric: Metric, responses: Responses = "ok"): LatencySummary | undefined {
    const key = `${metric}:${responses}`;
    if (!this.summaries.has(key)) {
      const parts = this.partsOf(metric, responses);
      this.summaries.set(key, parts.length > 0 ? mergeSummaries(parts) : undefined);
    }
    return this.summaries.get(key);
  }

  buckets(metric: Metric, responses: Responses = "ok"): Buckets {
    const key = `${metric}:${responses}`;
    let b = this.merged.get(key);
    if (!b) {
      b = bucketsOf(this.summary(metric, responses));
      this.merged.set(key, b);
    }
    return b;
  }

  /** Requests with a stream (one time-to-first-token each), else all requests with a latency. */
  streams(): number {
    return this.summary("ttft")?.count ?? this.summary("e2e")?.count ?? 0;
  }
}

/**
 * Decide from a count known only within [low, high] (an HDR bucket straddling a threshold):
 * only a decision both ends agree on stands.
 */
function decideRange(low: number, high: number, n: number, plan: ProportionPlan | LatencyPlan): LookDecision {
  const a = decideCounts(plan, low, n);
  if (low === high) return a;
  const b = decideCounts(plan, high, n);
  return a === b ? a : "continue";
}

/** The plan's rule at one look (interval or SPRT pair), from counts. */
function decideCounts(plan: ProportionPlan | LatencyPlan, x: number, n: number): LookDecision {
  const step = stepDesign(plan.design, 0, x, n);
  return step === "pass" || step === "fail" ? step : "continue";
}

/**
 * Exact error probabilities of a schedule: the looks taken (rounded to whole samples) followed
 * by the planned looks beyond them, at the values the plan's targets are stated for.
 */
export function errorsOfSchedule(plan: ProportionPlan | LatencyPlan, taken: readonly number[]): { falseFailure: number; falsePass: number } {
  const looks: number[] = [];
  for (const n of taken) {
    const whole = Math.max(1, Math.round(n));
    if (looks.length === 0 || whole > looks[looks.length - 1]!) looks.push(whole);
  }
  const last = looks[looks.length - 1] ?? 0;
  for (const n of plan.lookSamples) if (n > last) looks.push(n);
  if (looks.length === 0) return plan.exactErrors;
  const key = JSON.stringify([plan.design.band, plan.design.levels, plan.design.rule ?? null, plan.kind, looks]);
  const known = scheduleErrors.get(key);
  if (known) return known;
  const design = { ...plan.design, lookSamples: looks };
  const passAt = plan.kind === "proportion" ? [plan.expected] : [plan.allowedExceedance];
  const failAt = plan.kind === "proportion" ? plan.alternatives : [plan.operating.violating.p];
  const errors = {
    falseFailure: Math.max(0, ...passAt.map((p) => operatingCharacteristics(design, p).fail)),
    falsePass: Math.max(0, ...failAt.map((p) => operatingCharacteristics(design, p).pass)),
  };
  if (scheduleErrors.size > 10_000) scheduleErrors.clear();
  scheduleErrors.set(key, errors);
  return errors;
}

/** Schedules recur (the same batch sizes run after run): their exact errors are computed once. */
const scheduleErrors = new Map<string, { falseFailure: number; falsePass: number }>();

function shareVerdict(
  spec: { id: string; claim: string },
  plan: ProportionPlan,
  x: number,
  n: number,
  what: { counted: string; population: string },
  evidence: string[],
  status: Verdict["status"],
  lookNote: string,
  design: Pick<Verdict, "errorProbabilities" | "design">,
): Verdict {
  const base = {
    checkId: spec.id,
    claim: spec.claim,
    status,
    expected: plan.expected,
    requestedTolerance: plan.requestedTolerance,
    tolerance: plan.tolerance,
    sampleSize: n,
    ...design,
    unit: "proportion",
    evidence: [...evidence],
  };
  if (plan.toleranceFrom === "budget") {
    // Never judged at a band wider than asked: a wide enough band lets the old policy pass.
    return {
      ...base,
      status: "inconclusive",
      unresolvable: true,
      observed: n > 0 ? x / n : undefined,
      reason:
        `unresolvable: a budget of ${count(plan.maxSamples)} samples resolves +/- ${(plan.tolerance * 100).toFixed(2)} points at best, ` +
        `and the check asked for +/- ${(plan.requestedTolerance * 100).toFixed(2)}; it was not judged (send more requests: a higher --rate or a longer --duration)`,
    };
  }
  const band =
    plan.rule === "sprt"
      ? `${percent(plan.expected)} +/- ${(plan.tolerance * 100).toFixed(2)} points (sequential ratio tests of ${percent(plan.expected)} against ${plan.alternatives.map((a) => percent(a)).join(" and ")})`
      : `${percent(plan.expected)} +/- ${(plan.tolerance * 100).toFixed(2)} points`;
  if (n === 0) {
    return { ...base, status: "inconclusive", reason: `no ${what.population} were observed, so nothing could be judged; check the load reached the service and the selector matches` };
  }
  const level = status === "pass" ? plan.levels.pass : plan.levels.fail;
  const interval = intervalAtLevel(x, n, level);
  const ci = `${percent(interval.confidence, 4)} interval ${percent(interval.low)}-${percent(interval.high)}`;
  const observed = `${what.counted}: ${percent(x / n)} of ${count(n)} ${what.population} (${ci})`;
  const reason =
    status === "pass"
      ? `${observed} lies inside ${band}; decided at ${lookNote}`
      : status === "fail"
        ? `${observed} lies wholly outside ${band}; decided at ${lookNote}`
        : `${observed} still overlaps the edge of ${band} after ${lookNote} (budget ${count(plan.maxSamples)}); more samples or a wider tolerance are needed to decide`;
  return { ...base, observed: x / n, interval, reason };
}

class ProportionState extends CheckState {
  constructor(private readonly spec: ProportionCheckSpec, readonly p: ProportionPlan) {
    super(p);
  }
  private counts(ctx: Totals): { x: number; n: number } {
    let x = 0;
    let n = 0;
    for (const o of ctx.outcomes.values()) {
      if (!matchesSelector(o, this.spec.denominator)) continue;
      n += o.count;
      if (matchesSelector(o, this.spec.numerator)) x += o.count;
    }
    return { x, n };
  }
  samples(ctx: Totals): number {
    return this.counts(ctx).n;
  }
  protected look(ctx: Totals) {
    const { x, n } = this.counts(ctx);
    const denominator = describeSelector(this.spec.denominator);
    const what = {
      counted: describeSelector(this.spec.numerator),
      population: denominator === "any response" ? "responses" : `responses of ${denominator}`,
    };
    return {
      decision: n > 0 && this.p.toleranceFrom === "absolute" ? decideCounts(this.p, x, n) : ("continue" as const),
      verdict: (status: Verdict["status"], final: boolean) =>
        shareVerdict(this.spec, this.p, x, n, what, ctx.evidence, status, this.lookNote(final), this.designRecord()),
    };
  }
}

function describeResponses(responses: Responses): string {
  return responses === "all" ? " of every response (successful or failed)" : "";
}

class LatencyShareState extends CheckState {
  constructor(private readonly spec: LatencyShareCheckSpec, readonly p: ProportionPlan) {
    super(p);
  }
  samples(ctx: Totals): number {
    return ctx.buckets(this.spec.metric, this.spec.responses).total;
  }
  /** Failures' latency is wanted, and some batch did not time them: no number of samples can judge this. */
  private untimed(ctx: Totals): Verdict | undefined {
    if (this.spec.responses === "ok" || ctx.failuresTimed) return undefined;
    return {
      checkId: this.spec.id,
      claim: this.spec.claim,
      status: "unsupported",
      reason:
        `not supported: this check judges the latency${describeResponses(this.spec.responses)}, and the load engine did not time failed requests ` +
        "(k6, or a summary of a loadgen before it did); run it with the built-in load engine",
      evidence: [...ctx.evidence],
    };
  }
  override afterObserve(ctx: Totals): void {
    if (!this.settled) this.settled = this.untimed(ctx);
    super.afterObserve(ctx);
  }
  override finish(ctx: Totals): Verdict {
    if (!this.settled) this.settled = this.untimed(ctx);
    return super.finish(ctx);
  }
  protected look(ctx: Totals) {
    const b = ctx.buckets(this.spec.metric, this.spec.responses);
    const below = countAtOrBelow(b, this.spec.slowerThanMs);
    // Slower than the threshold: surely (total - possibly below) .. possibly (total - surely below).
    const low = b.total - below.possibly;
    const high = b.total - below.surely;
    const what = { counted: `slower than ${ms(this.spec.slowerThanMs)}`, population: `${this.spec.metric} samples${describeResponses(this.spec.responses)}` };
    return {
      decision: b.total > 0 && this.p.toleranceFrom === "absolute" ? decideRange(low, high, b.total, this.p) : ("continue" as const),
      verdict: (status: Verdict["status"], final: boolean) =>
        shareVerdict(this.spec, this.p, status === "fail" ? low : high, b.total, what, ctx.evidence, status, this.lookNote(final), this.designRecord()),
    };
  }
}

/**
 * Latency SLO "quantile q <= maxMs", judged as a one-sided test on the share of samples slower
 * than maxMs (allowed: 1 - q). The interval reported is the distribution-free confidence
 * interval of the quantile itself: order statistics whose ranks come from binomial tails.
 */
class LatencyState extends CheckState {
  constructor(private readonly spec: LatencyCheckSpec, readonly p: LatencyPlan) {
    super(p);
  }
  /**
   * Inter-token gaps within one stream are correlated, so they are not independent samples. In
   * the worst case (gaps of a stream fully correlated) streams of m_i gaps carry the information
   * of (sum m_i)^2 / sum m_i^2 independent samples: the design effect is sum m^2 / sum m, not the
   * average stream length sum m / k, and the two differ when lengths vary. Per-stream lengths
   * are not reported, but no stream has more gaps than the token limit M, so sum m^2 <= M sum m
   * and sum m / M effective samples is a bound that holds (also never more than one per stream).
   */
  private effectiveScale(ctx: Totals): number {
    if (this.spec.metric !== "itl") return 1;
    const total = ctx.buckets("itl").total;
    const streams = ctx.streams();
    if (!(total > 0 && streams > 0)) return 1;
    const byLimit = ctx.maxTokens !== undefined ? 1 / ctx.maxTokens : 1;
    return Math.min(1, streams / total, byLimit);
  }
  samples(ctx: Totals): number {
    return ctx.buckets(this.spec.metric).total * this.effectiveScale(ctx);
  }
  protected look(ctx: Totals) {
    const b = ctx.buckets(this.spec.metric);
    const scale = this.effectiveScale(ctx);
    const n = b.total * scale;
    const below = countAtOrBelow(b, this.spec.maxMs);
    const slowLow = (b.total - below.possibly) * scale;
    const slowHigh = (b.total - below.surely) * scale;
    return {
      decision: n > 0 ? decideRange(slowLow, slowHigh, n, this.p) : ("continue" as const),
      verdict: (status: Verdict["status"], final: boolean) => this.verdict(ctx, b, scale, status, final),
    };
  }

  private verdict(ctx: Totals, b: Buckets, scale: number, status: Verdict["status"], final: boolean): Verdict {
    const spec = this.spec;
    const q = spec.quantile;
    const n = b.total * scale;
    const base = {
      checkId: spec.id,
      claim: spec.claim,
      status,
      expected: spec.maxMs,
      sampleSize: Math.round(n),
      ...this.designRecord(),
      unit: "ms",
      evidence: [...ctx.evidence],
    };
    const label = `p${+(q * 100).toFixed(3)} ${spec.metric}`;
    if (b.total === 0) {
      return { ...base, status: "inconclusive", reason: `no ${spec.metric} latency samples were observed, so ${label} could not be judged` };
    }
    const level = status === "pass" ? this.p.levels.pass : this.p.levels.fail;
    const { low, high, unboundedAbove } = quantileInterval(b, scale, q, level);
    const observed = quantileOfBuckets(b, q);
    const interval = { low, high, confidence: 1 - 2 * level };
    const itlNote = spec.metric === "itl" ? ` (inter-token gaps counted as ${count(n)} independent samples: the worst case of their correlation within a stream)` : "";
    const ci = `${percent(interval.confidence, 4)} interval ${ms(low)}-${unboundedAbove ? "beyond the slowest sample" : ms(high)}`;
    const head = `${label} ${ms(observed)} (${ci}) from ${count(b.total)} samples${itlNote}`;
    const reason =
      status === "pass"
        ? `${head} is within the objective of ${ms(spec.maxMs)}; decided at ${this.lookNote(final)}`
        : status === "fail"
          ? `${head} exceeds the objective of ${ms(spec.maxMs)}; decided at ${this.lookNote(final)}`
          : `${head} straddles the objective of ${ms(spec.maxMs)} after ${this.lookNote(final)} (budget ${count(this.p.maxSamples)}); more samples are needed to decide`;
    return { ...base, observed, interval, reason };
  }
}

/**
 * Distribution-free interval for the q-quantile: the upper end is the smallest order statistic
 * X(u) with P(Bin(n, q) >= u) <= level (so F(X(u)) >= q with confidence), the lower end
 * X(l + 1) for the largest l with P(Bin(n, q) <= l) < level. Ranks in effective samples are
 * mapped back onto the histogram by the scale.
 */
export function quantileInterval(b: Buckets, scale: number, q: number, level: number): { low: number; high: number; unboundedAbove: boolean } {
  const n = b.total * scale;
  let lo = 0;
  let hi = Math.floor(n) + 1;
  // u: smallest integer rank with P(Bin(n, q) >= u) <= level (may be n + 1: unbounded).
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (binomialSurvival(mid, n, q) <= level) hi = mid;
    else lo = mid + 1;
  }
  const u = lo;
  // l: largest rank with P(Bin(n, q) <= l) < level (may be -1: no lower order statistic).
  let a = -1;
  let c = Math.floor(n);
  while (a < c) {
    const mid = Math.ceil((a + c) / 2);
    if (binomialCdf(mid, n, q) < level) a = mid;
    else c = mid - 1;
  }
  const l = a;
  const unboundedAbove = u > Math.floor(n);
  const high = valueAtRank(b, unboundedAbove ? b.total : u / scale);
  const low = l < 0 ? 0 : valueAtRank(b, (l + 1) / scale);
  return { low, high, unboundedAbove };
}

function stateFor(spec: CheckSpec, options: PlanOptions): CheckState {
  switch (spec.type) {
    case "proportion":
      return new ProportionState(spec, planShare(spec, options));
    case "latency-share":
      return new LatencyShareState(spec, planShare(spec, options));
    case "latency":
      return new LatencyState(spec, planLatency(spec, options));
  }
}

export function startEvaluation(checks: readonly CheckSpecInput[], options: PlanOptions = {}): Evaluation {
  const specs = checks.map((c) => CheckSpec.parse(c));
  const ids = new Set<string>();
  for (const s of specs) {
    if (ids.has(s.id)) throw new Error(`two checks share the id "${s.id}"; give each check of a step its own id`);
    ids.add(s.id);
  }
  const states = specs.map((s) => stateFor(s, options));
  const totals = new Totals();
  return {
    observe(result) {
      totals.add(result);
      for (const s of states) s.afterObserve(totals);
    },
    decided() {
      return states.every((s) => s.settled !== undefined);
    },
    verdicts(final) {
      if (final) return states.map((s) => s.finish(totals));
      return states.flatMap((s) => (s.settled ? [s.settled] : []));
    },
    samplesNeeded() {
      return states.reduce((m, s) => Math.max(m, s.requestsNeeded(totals)), 0);
    },
  };
}

/**
 * One convergence window judged on its own: a single look, so each check spends its whole
 * error budget on it. The band is the check's own (widened only by the budget rule when the
 * check sets maxSamples), never widened to fit the window, because a band wide enough to
 * hold both the old and the new policy would declare convergence before the change applied.
 * So when a window check sets maxSamples, keep the resulting band (see its plan's tolerance)
 * narrower than half the distance between the old and the new expected value.
 */
export function evaluateWindow(checks: readonly CheckSpecInput[], observations: Observations): Verdict[] {
  const evaluation = startEvaluation(checks, { looks: 1 });
  evaluation.observe(observations);
  return evaluation.verdicts(true);
}
