/**
 * Convergence after a policy change: the new behaviour counts as in place only after N
 * consecutive observation windows agree with it, the first of them within a named maximum
 * time. The time to converge is when that run began, so a run that began in time may finish
 * after the limit (at most N - 1 more windows, and only while every window agrees): a slow but
 * correct mesh is not cut off between two agreeing windows and called wrong. Every window
 * that does not agree is logged with the elapsed time and why. When time runs out, the log
 * tells apart a mesh that never applied the change (windows still look like the previous
 * policy) from one that applied it and behaves wrongly (windows match neither).
 * Pure logic with an injectable clock: the engine feeds it real windows.
 */
import type { Verdict } from "./verdict.js";

export type ConvergenceState = "converged" | "waiting" | "timed-out";

export type ConvergenceDiagnosis =
  | "converged"
  /** Time ran out while the windows still matched the previous policy. */
  | "never-applied"
  /**
   * The windows stopped matching the previous policy but did not settle on the new one:
   * either they never matched it, or they did only now and then (flapping).
   */
  | "applied-but-wrong"
  /**
   * The change applied and traffic matched the new policy, but only from after the limit: the
   * mesh is correct and slower than the limit allows.
   */
  | "too-slow"
  /** Time ran out and the engine never said whether windows matched the previous policy. */
  | "timed-out";

export interface ConvergenceMiss {
  /** Elapsed time since the tracker started when the window was judged. */
  atMs: number;
  reason: string;
  /** Whether the window still matched the previous policy, when the engine said. */
  matchesPrevious?: boolean;
}

export interface ConvergenceReport {
  converged: boolean;
  /** Elapsed time when the first window of the final agreeing run was judged; null if none. */
  timeToConvergeMs: number | null;
  /** Elapsed time when the tracker reached its final state (or now, while waiting). */
  elapsedMs: number;
  windowsObserved: number;
  windowsRequired: number;
  maxMs: number;
  misses: ConvergenceMiss[];
  diagnosis: ConvergenceDiagnosis;
  /** The diagnosis in a sentence a reader of the report understands. */
  explanation: string;
}

export interface ConvergenceOptions {
  /** Consecutive agreeing windows required. */
  windows: number;
  /** The named limit: past it without convergence the tracker times out. */
  maxMs: number;
  /** Milliseconds since some origin; Date.now by default. Inject a fake one in tests. */
  clock?: () => number;
  /**
   * An earlier limit that ends the wait only on a disagreeing window: past it, the first window
   * that does not agree ends the tracking (timed out at this limit), while agreeing windows keep
   * going to maxMs. A mutant run uses it (the engine derives it from the correct twin's time to
   * converge): a configuration that is right, but slow to show, is not cut off while agreeing.
   */
  stopDisagreeingAfterMs?: number;
}

/** Why a window does not agree with the new policy, or undefined when it agrees. */
function disagreement(verdicts: readonly Verdict[]): string | undefined {
  const judged = verdicts.filter((v) => v.status !== "unsupported");
  if (verdicts.length === 0) return "the window produced no verdicts";
  const misses = judged.filter((v) => v.status !== "pass");
  if (misses.length === 0) return undefined;
  return misses.map((v) => `${v.checkId} ${v.status}: ${v.reason}`).join("; ");
}

export class ConvergenceTracker {
  private readonly clock: () => number;
  private readonly startedAt: number;
  private readonly required: number;
  private readonly maxMs: number;
  private readonly stopDisagreeingAfterMs: number | undefined;
  private stoppedEarly = false;
  private streak = 0;
  private streakStartedAtMs: number | null = null;
  private everAgreed = false;
  private lastMatchedPrevious: boolean | undefined;
  private observed = 0;
  private finalState: ConvergenceState | undefined;
  private finishedAtMs: number | undefined;
  private readonly misses: ConvergenceMiss[] = [];

  constructor(options: ConvergenceOptions) {
    if (!Number.isInteger(options.windows) || options.windows < 1) {
      throw new RangeError(`convergence needs a whole number of windows >= 1, got ${options.windows}`);
    }
    if (!(options.maxMs > 0)) throw new RangeError(`convergence needs a positive maxMs, got ${options.maxMs}`);
    this.required = options.windows;
    this.maxMs = options.maxMs;
    if (options.stopDisagreeingAfterMs !== undefined && !(options.stopDisagreeingAfterMs > 0)) throw new RangeError(`convergence needs a positive stopDisagreeingAfterMs, got ${options.stopDisagreeingAfterMs}`);
    this.stopDisagreeingAfterMs = options.stopDisagreeingAfterMs !== undefined && options.stopDisagreeingAfterMs < options.maxMs ? options.stopDisagreeingAfterMs : undefined;
    this.clock = options.clock ?? Date.now;
    this.startedAt = this.clock();
  }

  elapsedMs(): number {
    return this.clock() - this.startedAt;
  }

  /**
   * Judge one window. `matchesPrevious` (optional) says whether the window still agrees with
   * the policy before the change; without it the tracker cannot tell "never applied" from
   * "applied but wrong".
   */
  observe(windowVerdicts: readonly Verdict[], matchesPrevious?: boolean): ConvergenceState {
    if (this.finalState) return this.finalState;
    const at = this.elapsedMs();
    this.observed++;
    const why = disagreement(windowVerdicts);
    if (why === undefined) {
      if (this.streak === 0) this.streakStartedAtMs = at;
      this.streak++;
      this.everAgreed = true;
    } else {
      this.streak = 0;
      this.streakStartedAtMs = null;
      this.lastMatchedPrevious = matchesPrevious;
      this.misses.push({ atMs: at, reason: why, ...(matchesPrevious === undefined ? {} : { matchesPrevious }) });
    }
    if (this.streak >= this.required && this.streakStartedAtMs !== null && this.streakStartedAtMs <= this.maxMs) return this.finish("converged", at);
    if (at >= this.maxMs && !this.streakBeganInTime()) return this.finish("timed-out", at);
    if (why !== undefined && this.stopDisagreeingAfterMs !== undefined && at >= this.stopDisagreeingAfterMs) {
      this.stoppedEarly = true;
      return this.finish("timed-out", at);
    }
    return "waiting";
  }

  /** An agreeing run that began within the limit may still complete. */
  private streakBeganInTime(): boolean {
    return this.streak > 0 && this.streakStartedAtMs !== null && this.streakStartedAtMs <= this.maxMs;
  }

  /** The state now, timing out if the limit passed while no window arrived (and no agreeing run is under way). */
  state(): ConvergenceState {
    if (this.finalState) return this.finalState;
    const at = this.elapsedMs();
    if (at >= this.maxMs && !this.streakBeganInTime()) return this.finish("timed-out", at);
    return "waiting";
  }

  /**
   * The caller drew as many windows as the limit can hold and stops: a bound on the count of
   * windows as well as on time, so a fast fake or a clock that stalls cannot loop forever.
   */
  stop(): ConvergenceState {
    if (this.finalState) return this.finalState;
    return this.finish("timed-out", this.elapsedMs());
  }

  private finish(state: ConvergenceState, at: number): ConvergenceState {
    this.finalState = state;
    this.finishedAtMs = at;
    return state;
  }

  /** The limit that ended the tracking: the early one when a disagreeing window past it stopped it. */
  limitMs(): number {
    return this.stoppedEarly && this.stopDisagreeingAfterMs !== undefined ? this.stopDisagreeingAfterMs : this.maxMs;
  }

  report(): ConvergenceReport {
    const converged = this.finalState === "converged";
    const maxMs = this.limitMs();
    const limit = `${this.required} consecutive agreeing windows within ${maxMs} ms`;
    let diagnosis: ConvergenceDiagnosis;
    let explanation: string;
    if (converged) {
      diagnosis = "converged";
      explanation = `${this.required} consecutive windows agreed with the new policy, the first judged at ${this.streakStartedAtMs} ms`;
    } else if (!this.finalState) {
      diagnosis = "timed-out";
      explanation = `still waiting for ${limit}`;
    } else if (this.streak > 0) {
      diagnosis = "too-slow";
      explanation = `the windows agreed with the new policy from ${this.streakStartedAtMs} ms on, after the limit of ${maxMs} ms: the change applied correctly, but late`;
    } else if (this.everAgreed) {
      diagnosis = "applied-but-wrong";
      explanation = `the new policy showed in some windows but never in ${this.required} consecutive ones (flapping) before ${maxMs} ms`;
    } else if (this.lastMatchedPrevious === true) {
      diagnosis = "never-applied";
      explanation = `no window agreed with the new policy and the last one still matched the previous policy: the mesh did not apply the change within ${maxMs} ms`;
    } else if (this.lastMatchedPrevious === false) {
      diagnosis = "applied-but-wrong";
      explanation = `the windows stopped matching the previous policy but none agreed with the new one: the change applied and the behaviour is wrong`;
    } else {
      diagnosis = "timed-out";
      explanation = `no ${limit}; whether the windows still matched the previous policy was not reported, so applied and not applied cannot be told apart`;
    }
    return {
      converged,
      timeToConvergeMs: converged ? this.streakStartedAtMs : null,
      elapsedMs: this.finishedAtMs ?? this.elapsedMs(),
      windowsObserved: this.observed,
      windowsRequired: this.required,
      maxMs,
      misses: this.misses.map((m) => ({ ...m })),
      diagnosis,
      explanation,
    };
  }
}
