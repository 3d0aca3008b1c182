/**
 * Every wait has a named timeout (Gateway API keeps them in one TimeoutConfig); polling treats a
 * failed probe as "not yet" and requires N consecutive successes (AwaitConvergence).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { TimeoutError, errorMessage } from "./errors.js";

/** Defaults, overridable per step. Named so a reader of plan.json knows what each limit is. */
export const TIMEOUTS = {
  clusterCreate: 10 * 60_000,
  clusterDelete: 5 * 60_000,
  meshInstall: 10 * 60_000,
  meshReady: 5 * 60_000,
  meshUninstall: 5 * 60_000,
  apply: 60_000,
  delete: 2 * 60_000,
  rollout: 5 * 60_000,
  processReady: 30_000,
  command: 2 * 60_000,
  collect: 60_000,
  /** A policy change must show in traffic within this long. */
  convergence: 3 * 60_000,
  /** Extra time granted to a load step beyond its planned duration (load generator start-up, graceful stop). */
  loadGrace: 60_000,
  cleanupEach: 2 * 60_000,
} as const;

export type TimeoutName = keyof typeof TIMEOUTS;

/**
 * A mutant run on the install its scenario just used: its aimed convergence step stops early
 * once a window still disagrees with the claim past `factor` times the time the correct
 * configuration took to converge at the same step on the same install (never less than
 * `floorMs`, never more than the plan's limit). Only mutants get it; a correct scenario keeps
 * TIMEOUTS.convergence, so a slow mesh can never fail a correct configuration through this.
 */
export const MUTANT_CONVERGENCE = {
  factor: 3,
  floorMs: 45_000,
} as const;

/** Reject with a TimeoutError naming `what` if `work` takes longer than `ms`. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export interface PollOptions {
  what: string;
  timeoutMs: number;
  intervalMs: number;
  /** Successes in a row required before the condition counts as met. */
  consecutive?: number;
  signal?: AbortSignal;
  /** Called on each miss with the time since polling began and why. */
  onMiss?: (elapsedMs: number, why: string) => void;
}

/**
 * Poll `probe` until it returns true `consecutive` times in a row. A probe that throws or
 * returns false is a miss ("not yet"), never an immediate failure.
 */
export async function pollUntil(probe: () => Promise<boolean | string>, opts: PollOptions): Promise<{ elapsedMs: number; misses: number }> {
  const started = performance.now();
  const needed = opts.consecutive ?? 1;
  let streak = 0;
  let misses = 0;
  let lastProblem: string | undefined;
  for (;;) {
    opts.signal?.throwIfAborted();
    let outcome: boolean | string;
    try {
      outcome = await probe();
    } catch (err) {
      outcome = errorMessage(err);
    }
    const elapsed = performance.now() - started;
    if (outcome === true) {
      streak += 1;
      if (streak >= needed) return { elapsedMs: elapsed, misses };
    } else {
      streak = 0;
      misses += 1;
      lastProblem = typeof outcome === "string" ? outcome : "condition not met";
      opts.onMiss?.(elapsed, lastProblem);
    }
    if (elapsed + opts.intervalMs > opts.timeoutMs) throw new TimeoutError(opts.what, opts.timeoutMs, lastProblem);
    await sleep(opts.intervalMs, undefined, { signal: opts.signal });
  }
}
