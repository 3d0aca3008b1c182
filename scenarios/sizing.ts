/**
 * Load sized by the sample-size planner instead of guessed: how long a measure step's first batch
 * runs, how many batches it may draw, and how long a convergence window must be so that one
 * window can tell the new policy from the old. The dry-run shows the resulting durations.
 */
import { budgetResolves, planCheck, ProportionCheckSpec, secondsFor, type CheckSpecInput } from "../src/analysis/index.js";
import type { ConvergeStep, MeasureStep } from "../src/plan/steps.js";
import type { ScenarioContext, StepFactory } from "../src/engine/scenario.js";
import { TIMEOUTS } from "../src/core/timeouts.js";
import { UsageError } from "../src/core/errors.js";
import type { LoadProfile, LoadProfileInput } from "../src/load/profile.js";
import type { IntentKind } from "../src/mesh/intent.js";
import { CONVERGENCE_ERRORS } from "./checks.js";

/** Shortest first batch: a load generator's start-up and ramp make shorter batches mostly noise. */
export const MIN_BATCH_SECONDS = 10;
/**
 * Spare batches beyond one per planned look. The executor sizes each later batch to reach the
 * next look (executor.ts nextBatch), so one batch per look reaches the budget; spares cover
 * batches that fell short (a rate not quite achieved, a denominator share below its average).
 */
const SPARE_BATCHES = 3;
/** Convergence windows tried, shortest first; the first that resolves the change is used. */
export const CONVERGENCE_WINDOW_SECONDS = [5, 10, 15, 20, 30, 45, 60] as const;
const LONGEST_WINDOW_SECONDS = 60;
/** Consecutive windows that must agree with the new policy (Gateway API's AwaitConvergence). */
export const CONVERGENCE_WINDOWS = 3;
/** Convergence windows are judged one window at a time: one look each. */
const WINDOW_PLAN = { looks: 1 } as const;
/** Start-up and drain of one k6 run around its load, for timeouts. */
const K6_OVERHEAD_SECONDS = 15;

export interface MeasureOptions {
  load?: Partial<LoadProfileInput>;
  /** Intent kinds the checks depend on (empty: the checks hold on any mesh, e.g. a benchmark). */
  requires: IntentKind[];
  /**
   * Share of all requests that a check's denominator selects, by check id, when it is not all
   * of them (e.g. only the errors): the step must send that many more requests.
   */
  denominatorShare?: Record<string, number>;
  /**
   * One batch of exactly the given load, no sequential extension: for checks whose expected value
   * depends on the batch's length (a rate limit's admitted share).
   */
  singleBatch?: boolean;
}

interface Need {
  /** Requests a perfect mesh needs on average (the slowest check's). */
  expected: number;
  /** Requests by which 5% of perfect meshes have decided (the slowest check's): the first batch. */
  first: number;
  /** The sequential budget in requests (the largest check's). */
  max: number;
  /** Most planned looks of any check: the later batches the step may need. */
  looks: number;
}

/** Requests the checks need: on a perfect mesh (expected) and at most (the sequential budget). */
export function samplesNeeded(checks: readonly CheckSpecInput[], denominatorShare: Record<string, number> = {}): Need {
  let expected = 0;
  let first = 0;
  let max = 0;
  let looks = 0;
  for (const check of checks) {
    const plan = planCheck(check);
    const share = denominatorShare[check.id] ?? 1;
    if (!(share > 0 && share <= 1)) throw new RangeError(`denominator share of check ${check.id} must lie in (0, 1], got ${share}`);
    const ok = plan.kind === "proportion" ? plan.operating.perfect : plan.operating.comfortable;
    expected = Math.max(expected, plan.expectedSamples / share);
    first = Math.max(first, (ok.samplesP05 ?? plan.expectedSamples) / share);
    max = Math.max(max, plan.maxSamples / share);
    looks = Math.max(looks, plan.looks);
  }
  return { expected: Math.ceil(expected), first: Math.ceil(first), max: Math.ceil(max), looks };
}

/** Header of the reference server that holds a response back (timeout scenarios use it). */
export const DELAY_HEADER = "x-llm-delay-ms";
/** Generous bound on one generation of the reference server without an injected delay. */
const GENERATION_SECONDS = 5;

/** How long the slowest request of this profile should take, in seconds, within its client timeout. */
function longestRequestSeconds(load: LoadProfile): number {
  const delayMs = Number(load.headers[DELAY_HEADER] ?? 0);
  const expected = (Number.isFinite(delayMs) ? delayMs / 1000 : 0) + GENERATION_SECONDS;
  return Math.ceil(Math.min(expected, load.requestTimeoutMs / 1000));
}

/**
 * A measure step whose first batch delivers the requests a perfect mesh needs, with enough
 * batches allowed to reach the planner's budget. The user's --duration, when given, sets the
 * first batch instead; --rate applies either way.
 */
export function plannedMeasure(
  ctx: ScenarioContext,
  steps: StepFactory,
  id: string,
  name: string,
  checks: CheckSpecInput[],
  opts: MeasureOptions,
): MeasureStep {
  const rate = steps.load({ ...opts.load, name: id }).rate;
  const need = samplesNeeded(checks, opts.denominatorShare);
  const expectedSeconds = secondsFor(need.expected, rate);

  if (opts.singleBatch) {
    const step = steps.measure(id, name, checks, { load: { ...opts.load }, maxBatches: 1, requires: opts.requires });
    return { ...step, expectedSeconds: step.load.durationSeconds };
  }

  const chosen = ctx.options.durationSeconds;
  const firstSeconds = chosen ?? Math.max(MIN_BATCH_SECONDS, secondsFor(need.first, rate));
  const maxBatches = 1 + need.looks + SPARE_BATCHES;
  const step = steps.measure(id, name, checks, {
    load: { ...opts.load, ...(chosen === undefined ? { durationSeconds: firstSeconds } : {}) },
    maxBatches,
    requires: opts.requires,
  });
  // Later batches together draw at most the budget (plus the look margin and a second each for
  // short ones), and each may wait for its slowest request: the step's limit must cover that.
  const loadSeconds = step.load.durationSeconds + (need.max * 1.05) / rate + maxBatches;
  const perBatchSeconds = longestRequestSeconds(step.load) + K6_OVERHEAD_SECONDS;
  const timeoutMs = Math.max(step.timeoutMs, (loadSeconds + perBatchSeconds * maxBatches) * 1000 + TIMEOUTS.loadGrace);
  // A first batch longer than a perfect mesh needs (a long --duration) still runs to its end.
  return { ...step, timeoutMs, expectedSeconds: Math.max(expectedSeconds, step.load.durationSeconds) };
}

type ConvergenceInput = Extract<CheckSpecInput, { type: "proportion" }>;

export interface ConvergeOptions {
  probe?: Partial<LoadProfileInput>;
  requires: IntentKind[];
  windows?: number;
  /**
   * Widest band each check may have, by check id: narrow enough that the previous policy's
   * value lies outside it, so a window of the old behaviour cannot count as converged.
   */
  maxTolerance: Record<string, number>;
  denominatorShare?: Record<string, number>;
}

/**
 * A convergence step whose probe window is the shortest that resolves each check to its
 * `maxTolerance`. Checks get the convergence error knobs and a budget of one window.
 */
export function plannedConverge(
  ctx: ScenarioContext,
  steps: StepFactory,
  id: string,
  name: string,
  checks: ConvergenceInput[],
  opts: ConvergeOptions,
): ConvergeStep {
  const rate = steps.load({ ...opts.probe, name: `${id}-probe` }).rate;
  const windows = opts.windows ?? CONVERGENCE_WINDOWS;
  const windowChecks = (seconds: number): ConvergenceInput[] =>
    checks.map((check) => {
      const tolerance = opts.maxTolerance[check.id];
      if (tolerance === undefined) throw new Error(`convergence check ${check.id} needs a maxTolerance: how far its band may reach before the old policy fits inside`);
      const share = opts.denominatorShare?.[check.id] ?? 1;
      // Rounded so plan.json reads 0.09, not 0.09000000000000001.
      return { ...CONVERGENCE_ERRORS, ...check, toleranceAbsolute: Math.round(tolerance * 1e4) / 1e4, maxSamples: Math.max(1, Math.floor(seconds * rate * share)) };
    });
  // A window is judged on its own, with one look (executor.ts judgeWindow): plan it so.
  const resolves = (seconds: number) => windowChecks(seconds).every((c) => budgetResolves(ProportionCheckSpec.parse(c) as ProportionCheckSpec & { maxSamples: number }, WINDOW_PLAN));
  // A window too short to tell the new policy from the old would widen its band until the old
  // policy passed as converged: refuse the plan instead, and say what rate would do.
  const seconds = CONVERGENCE_WINDOW_SECONDS.find(resolves);
  if (seconds === undefined) throw unresolvableWindow(ctx, id, windowChecks(LONGEST_WINDOW_SECONDS), rate, opts.denominatorShare ?? {});
  const step = steps.converge(id, name, windowChecks(seconds), { windows, probe: { ...opts.probe, durationSeconds: seconds }, requires: opts.requires });
  // Room for the windows that must agree plus as many misses, each waiting for its slowest request.
  const windowMs = (seconds + longestRequestSeconds(step.probe) + K6_OVERHEAD_SECONDS) * 1000;
  return { ...step, timeoutMs: Math.max(step.timeoutMs, 2 * windows * windowMs) };
}

/**
 * The plan-time refusal of a convergence step whose longest window cannot resolve its band at
 * this rate: exit 2 with the smallest --rate at which it can.
 */
function unresolvableWindow(ctx: ScenarioContext, id: string, checks: ConvergenceInput[], rate: number, shares: Record<string, number>): UsageError {
  let needed = 0;
  for (const check of checks) {
    const spec = ProportionCheckSpec.parse(check) as ProportionCheckSpec & { maxSamples: number };
    if (budgetResolves(spec, WINDOW_PLAN)) continue;
    let lo = spec.maxSamples;
    let hi = Math.max(2 * lo, 2);
    while (!budgetResolves({ ...spec, maxSamples: hi }, WINDOW_PLAN) && hi < 10_000_000) hi *= 2;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (budgetResolves({ ...spec, maxSamples: mid }, WINDOW_PLAN)) hi = mid;
      else lo = mid;
    }
    needed = Math.max(needed, hi / (LONGEST_WINDOW_SECONDS * (shares[check.id] ?? 1)));
  }
  // Windows hold whole requests and the exact test is not monotone in them: step up until the longest window resolves.
  let suggestion = Math.ceil(needed * 10) / 10;
  const resolvesAt = (r: number) =>
    checks.every((c) => budgetResolves({ ...(ProportionCheckSpec.parse(c) as ProportionCheckSpec), maxSamples: Math.max(1, Math.floor(LONGEST_WINDOW_SECONDS * r * (shares[c.id] ?? 1))) }, WINDOW_PLAN));
  for (let i = 0; i < 50 && !resolvesAt(suggestion); i++) suggestion = Math.ceil(suggestion * 1.05 * 10) / 10;
  return new UsageError(
    `step ${id}: at ${rate} requests/s even a ${LONGEST_WINDOW_SECONDS} s probe window cannot tell the new policy from the previous one ` +
      `(its band would have to widen until the old policy passed as converged)`,
    `pass --rate ${suggestion} or more${ctx.options.rate === undefined ? "" : ` (you passed --rate ${ctx.options.rate})`}; --duration does not lengthen convergence windows`,
  );
}
