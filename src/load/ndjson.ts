/**
 * Reading k6's JSON output (`--out json=FILE`: one JSON object per line) into a LoadResult.
 * The file holds one line per sample, a streamed request alone gives one line per token gap,
 * so it is read line by line and only the metrics meshproof recorded are parsed at all.
 * Quantiles come from HDR histograms of every sample, not from k6's per-process summary.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { LatencyRecorder } from "../analysis/hdr.js";
import { byVersionThenStatus, outcomeKey, type LoadProfile, type LoadResult, type OutcomeCount } from "./profile.js";
import { offeredRps, scheduledSeconds } from "./schedule.js";

/** Metric names written by fixtures/k6/llm-metrics.ts (plus k6's own dropped_iterations). */
export const K6_METRICS = {
  ttft: "llm_ttft",
  itl: "llm_itl",
  e2e: "llm_e2e",
  outputTps: "llm_output_tps",
  requests: "llm_requests",
  sloMet: "llm_slo_met",
  dropped: "dropped_iterations",
  /** Emitted every second from the start: only used to date the run. */
  vus: "vus",
} as const;

const WANTED = new Set<string>(Object.values(K6_METRICS));
/** Cheap pre-filter so lines of k6's built-in HTTP metrics are never JSON-parsed. */
const WANTED_MARKERS = [...WANTED].map((name) => `"metric":"${name}"`);

interface PointLine {
  type: "Point";
  metric: string;
  data: { time: string; value: number; tags?: Record<string, string> | null };
}

function isPointLine(value: unknown): value is PointLine {
  if (typeof value !== "object" || value === null) return false;
  const line = value as Partial<PointLine>;
  return (
    line.type === "Point" &&
    typeof line.metric === "string" &&
    typeof line.data === "object" &&
    line.data !== null &&
    typeof line.data.value === "number"
  );
}

/** Accumulates k6 output lines; feed it every line, then ask for the result. */
export class K6OutputAccumulator {
  private readonly ttft = new LatencyRecorder();
  private readonly itl = new LatencyRecorder();
  private readonly e2e = new LatencyRecorder();
  private readonly outputTps = new LatencyRecorder();
  private readonly outcomes = new Map<string, OutcomeCount>();
  private requests = 0;
  private failed = 0;
  private dropped = 0;
  private sloMet = 0;
  private sloTotal = 0;
  private firstMs = Number.POSITIVE_INFINITY;
  private lastMs = Number.NEGATIVE_INFINITY;
  /** Lines that were not JSON: a k6 killed mid-write leaves one truncated last line. */
  malformedLines = 0;

  push(line: string): void {
    if (!WANTED_MARKERS.some((marker) => line.includes(marker))) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      this.malformedLines++;
      return;
    }
    if (!isPointLine(parsed) || !WANTED.has(parsed.metric)) return;
    this.take(parsed);
  }

  private take({ metric, data }: PointLine): void {
    const time = Date.parse(data.time);
    if (Number.isFinite(time)) {
      this.firstMs = Math.min(this.firstMs, time);
      this.lastMs = Math.max(this.lastMs, time);
    }
    const tags = data.tags ?? {};
    switch (metric) {
      case K6_METRICS.ttft:
        return this.ttft.record(data.value);
      case K6_METRICS.itl:
        return this.itl.record(data.value);
      case K6_METRICS.e2e:
        return this.e2e.record(data.value);
      case K6_METRICS.outputTps:
        return this.outputTps.record(data.value);
      case K6_METRICS.dropped:
        this.dropped += data.value;
        return;
      case K6_METRICS.sloMet:
        this.sloTotal += data.value;
        if (tags.met === "true") this.sloMet += data.value;
        return;
      case K6_METRICS.requests: {
        this.requests += data.value;
        if (tags.ok !== "true") this.failed += data.value;
        const version = tags.version || "unknown";
        const status = Number(tags.status ?? 0) || 0;
        const peer = tags.peer;
        const attempt = tags.attempt !== undefined ? Number(tags.attempt) || 0 : undefined;
        const key = outcomeKey({ version, status, peer, attempt });
        const outcome: OutcomeCount = this.outcomes.get(key) ?? { version, status, count: 0, ...(peer !== undefined ? { peer } : {}), ...(attempt !== undefined ? { attempt } : {}) };
        outcome.count += data.value;
        this.outcomes.set(key, outcome);
        return;
      }
    }
  }

  /**
   * The LoadResult. Rates use the schedule's length, not the wall clock: k6 start-up and the
   * graceful stop are not time the load was offered in. `startedAt`/`endedAt` are the first
   * and last sample k6 wrote (the fallbacks when it wrote none).
   */
  result(profile: LoadProfile, evidence: string[], fallback?: { startedAt: Date; endedAt: Date }): LoadResult {
    const seconds = scheduledSeconds(profile);
    const hasTimes = Number.isFinite(this.firstMs);
    const startedAt = hasTimes ? new Date(this.firstMs) : (fallback?.startedAt ?? new Date(0));
    const endedAt = hasTimes ? new Date(this.lastMs) : (fallback?.endedAt ?? startedAt);
    const streamed = profile.mode === "stream";
    const outcomes = [...this.outcomes.values()].sort(byVersionThenStatus);
    return {
      profile,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationSeconds: seconds,
      offeredRps: offeredRps(profile),
      achievedRps: seconds > 0 ? this.requests / seconds : 0,
      requests: this.requests,
      failed: this.failed,
      errorRate: this.requests > 0 ? this.failed / this.requests : 0,
      droppedIterations: this.dropped,
      outcomes,
      latency: {
        e2e: this.e2e.summary(),
        ...(streamed ? { ttft: this.ttft.summary(), itl: this.itl.summary() } : {}),
      },
      ...(streamed ? { outputTokensPerSecond: this.outputTps.summary() } : {}),
      ...(this.sloTotal > 0 ? { sloMet: { met: this.sloMet, total: this.sloTotal } } : {}),
      evidence,
    };
  }
}

/** Parse a k6 JSON output file, streaming, into a LoadResult. */
export async function parseK6Output(
  file: string,
  profile: LoadProfile,
  evidence: string[],
  fallback?: { startedAt: Date; endedAt: Date },
): Promise<{ result: LoadResult; malformedLines: number }> {
  const accumulator = new K6OutputAccumulator();
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of lines) accumulator.push(line);
  return { result: accumulator.result(profile, evidence, fallback), malformedLines: accumulator.malformedLines };
}
