/**
 * What load a step drives and what it measured. Profiles are data (they go into plan.json);
 * results are what the load engine (the built-in generator, or k6) measured.
 */
import { z } from "zod";

/**
 * Open-model load only: arrival-rate executors keep the offered rate fixed when generations
 * slow down, so a slow mesh cannot quietly lower the load it is judged under.
 */
export const LoadProfile = z.object({
  /** Readable name, also the k6 scenario name and part of every x-request-id. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  executor: z.enum(["constant-arrival-rate", "ramping-arrival-rate"]),
  /** Requests per second (constant), or the start rate (ramping). */
  rate: z.number().positive(),
  /** Ramping only: the rate at each stage's end, each stage lasting `stageSeconds`. */
  stages: z.array(z.object({ target: z.number().nonnegative(), seconds: z.number().positive() })).default([]),
  durationSeconds: z.number().positive(),
  /** Streamed chat completions (measured per event) or plain completions. */
  mode: z.enum(["stream", "plain"]),
  maxTokens: z.number().int().positive().default(32),
  /** Headers sent with every request (e.g. x-canary: true, a chaos header). */
  headers: z.record(z.string(), z.string()).default({}),
  /** Path on the target: /v1/chat/completions by default. */
  path: z.string().startsWith("/").default("/v1/chat/completions"),
  /** Cap on requests in flight (k6: VUs); sized from rate x expected latency. Beyond it, requests are dropped. */
  maxVUs: z.number().int().positive().default(200),
  /** Which client sends: the meshed loadgen pod, or the out-of-mesh `outsider` pod (mTLS checks). */
  client: z.enum(["meshed", "outsider"]).default("meshed"),
  /** Per-request timeout the client applies. */
  requestTimeoutMs: z.number().int().positive().default(120_000),
});
export type LoadProfile = z.infer<typeof LoadProfile>;
export type LoadProfileInput = z.input<typeof LoadProfile>;

/** Quantile summary of an HDR histogram, plus the histogram itself for merging. */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** Base64 of the HDR histogram's compressed encoding (values in microseconds). */
  hdr: string;
  unit: "ms";
}

/**
 * How long the failed requests answered with one HTTP status took to fail (0: no HTTP response
 * at all, e.g. a refused connection or the client's own timeout): a gateway's 504 after its
 * route timeout, told apart from a fast 503. Both from the due time (e2e) and from the send.
 */
export interface FailedLatency {
  status: number;
  e2e: LatencySummary;
  e2eFromSend?: LatencySummary;
}

/** Count of responses by the version that served them and the HTTP status. */
export interface OutcomeCount {
  /** Value of the version response header; "unknown" when absent (e.g. proxy-generated 503). */
  version: string;
  status: number;
  count: number;
  /** Peer identity the backend echoed (see OutcomeSelector.peer); absent when not measured. */
  peer?: string;
  /** The backend's x-llm-attempt value (1 = first attempt); absent when not measured. */
  attempt?: number;
}

/**
 * Outcomes are one if they agree on every field a selector can match (version, status, peer
 * identity, attempt), so a selector on peer or attempt sees what the backend echoed. Keying on
 * fewer fields silently drops them: a correct identity check would then fail, and a mesh
 * retrying five times would pass a bounded-tries check.
 */
export function outcomeKey(c: Pick<OutcomeCount, "version" | "status" | "peer" | "attempt">): string {
  return JSON.stringify([c.version, c.status, c.peer ?? null, c.attempt ?? null]);
}

/** Counts of equal outcomes (outcomeKey) summed, first appearance first. */
export function mergeOutcomes(outcomes: Iterable<OutcomeCount>): OutcomeCount[] {
  const byKey = new Map<string, OutcomeCount>();
  for (const o of outcomes) {
    const key = outcomeKey(o);
    const seen = byKey.get(key);
    if (seen) seen.count += o.count;
    else byKey.set(key, { ...o });
  }
  return [...byKey.values()];
}

/** The order reports list outcomes in: by version, then status. */
export function byVersionThenStatus(a: OutcomeCount, b: OutcomeCount): number {
  return a.version.localeCompare(b.version) || a.status - b.status;
}

export interface LoadResult {
  profile: LoadProfile;
  startedAt: string;
  endedAt: string;
  durationSeconds: number;
  offeredRps: number;
  achievedRps: number;
  requests: number;
  /** Requests that got no 2xx, or whose stream ended without [DONE]. */
  failed: number;
  /** failed / requests (0 when nothing was sent). */
  errorRate: number;
  /** Requests that could not start on time (cap on requests in flight reached; k6: no free VU): offered load that never left the client. */
  droppedIterations: number;
  outcomes: OutcomeCount[];
  /**
   * e2e and ttft count from when each request was due (no coordinated omission) with the
   * built-in engine, and from when it was sent with k6; the *FromSend twins (built-in only)
   * count from the send, so the two can be told apart.
   */
  latency: {
    e2e: LatencySummary;
    ttft?: LatencySummary;
    itl?: LatencySummary;
    e2eFromSend?: LatencySummary;
    ttftFromSend?: LatencySummary;
  };
  /**
   * The latency of failed requests, by status (the latency above is of successes only).
   * Absent when the engine did not time failures (k6, or a summary of a loadgen before it did);
   * empty when it did and nothing failed.
   */
  failedLatency?: FailedLatency[];
  /** Output tokens per second per request, for streamed requests. */
  outputTokensPerSecond?: LatencySummary;
  /**
   * Goodput, when the run was given an SLO (MESHPROOF_SLO): streamed requests that succeeded
   * with TTFT and mean time per output token within it (`met`), out of all streamed (`total`).
   */
  sloMet?: { met: number; total: number };
  /** Built-in engine: how late each request left the client after it was due (the generator's own lag). */
  startDelay?: LatencySummary;
  /** Where the raw load-generator output lives, relative to the run folder. */
  evidence: string[];
}
