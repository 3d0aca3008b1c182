/**
 * Service-level objectives the gated scenarios hold a version to. They are generous next to the
 * reference server's timing (tens of milliseconds to the first token, a few tokens per request),
 * so a breach means something broke rather than that a cluster was busy; tighten them for a
 * real backend.
 */

export interface Slo {
  /** Largest acceptable share of non-2xx responses. */
  maxErrorRate: number;
  /** End-to-end latency at p99, ms. */
  e2eP99Ms: number;
  /** Time to first token at p99, ms (streamed requests). */
  ttftP99Ms: number;
}

/** Gates of each canary step: a breach rolls every request back to stable. */
export const CANARY_SLO: Slo = { maxErrorRate: 0.01, e2eP99Ms: 5_000, ttftP99Ms: 1_000 };

/** Benchmark checks: wide enough to pass on a busy two-core kind cluster; the numbers are the point. */
export const BENCHMARK_SLO: Slo & { itlP99Ms: number } = { maxErrorRate: 0.02, e2eP99Ms: 10_000, ttftP99Ms: 2_000, itlP99Ms: 500 };

/** Steady load across a mesh upgrade: restarts may cost a few requests, not an outage. */
export const UPGRADE_SLO: Slo = { maxErrorRate: 0.02, e2eP99Ms: 10_000, ttftP99Ms: 2_000 };
