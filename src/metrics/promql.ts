/**
 * A small client for Prometheus' HTTP query API (stable since 2.0, so the same against the local
 * 2.42 and whatever a cluster runs): instant and range queries with typed results, and a wait
 * for a series to satisfy a predicate.
 * API reference: https://prometheus.io/docs/prometheus/2.42/querying/api/
 */
import { setTimeout as sleep } from "node:timers/promises";
import { TimeoutError } from "../core/errors.js";

export type Labels = Record<string, string>;

/** One element of an instant vector (or a scalar, with no labels). */
export interface Sample {
  labels: Labels;
  /** Unix time in seconds. */
  time: number;
  value: number;
}

export interface Point {
  time: number;
  value: number;
}

/** One series of a range query. */
export interface RangeSeries {
  labels: Labels;
  points: Point[];
}

/** Prometheus answered, and refused the query (bad expression, timeout, too many samples...). */
export class PromQLError extends Error {
  constructor(
    readonly expr: string,
    /** Prometheus' errorType (bad_data, timeout, execution...) or "unreachable", "http <status>". */
    readonly errorType: string,
    detail: string,
  ) {
    super(`PromQL query ${JSON.stringify(expr)} failed: ${errorType}: ${detail}`);
    this.name = "PromQLError";
  }
}

export interface PromClientOptions {
  /** Per-request limit; also sent to Prometheus as its evaluation timeout. */
  requestTimeoutMs?: number;
}

export interface WaitForSeriesOptions {
  /** Named timeout: how long the series may take to satisfy the predicate. */
  timeoutMs: number;
  intervalMs: number;
  /** Says what is awaited in the timeout message, e.g. "the sim's requests to be scraped". */
  what?: string;
}

export interface PromClient {
  readonly url: string;
  query(expr: string, time?: Date | number): Promise<Sample[]>;
  queryRange(expr: string, start: Date | number, end: Date | number, stepSeconds: number): Promise<RangeSeries[]>;
  /**
   * Poll `expr` until `predicate` accepts its samples, and return them. A failed query counts as
   * "not yet" (Prometheus may still be starting, or the series not yet scraped).
   */
  waitForSeries(expr: string, predicate: (samples: Sample[]) => boolean, opts: WaitForSeriesOptions): Promise<Sample[]>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export function promClient(baseUrl: string, opts: PromClientOptions = {}): PromClient {
  const url = baseUrl.replace(/\/+$/, "");
  const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;

  async function call(path: string, expr: string, params: Record<string, string>): Promise<ApiData> {
    // POST with a form body: long generated expressions never hit a URL length limit.
    const body = new URLSearchParams({ query: expr, timeout: `${Math.max(1, Math.floor(requestTimeoutMs / 1000))}s`, ...params });
    let res: Response;
    try {
      res = await fetch(`${url}${path}`, { method: "POST", body, signal: AbortSignal.timeout(requestTimeoutMs) });
    } catch (err) {
      const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      throw new PromQLError(expr, "unreachable", `no answer from Prometheus at ${url} (${reason}); is it running and is the URL right?`);
    }
    const text = await res.text();
    let parsed: ApiResponse;
    try {
      parsed = JSON.parse(text) as ApiResponse;
    } catch {
      throw new PromQLError(expr, `http ${res.status}`, `${url}${path} did not answer with Prometheus JSON: ${text.slice(0, 200)}`);
    }
    if (parsed.status !== "success") throw new PromQLError(expr, parsed.errorType ?? `http ${res.status}`, parsed.error ?? "no error message");
    return parsed.data;
  }

  const client: PromClient = {
    url,
    async query(expr, time) {
      const data = await call("/api/v1/query", expr, time === undefined ? {} : { time: String(unixSeconds(time)) });
      switch (data.resultType) {
        case "vector":
          return data.result.map((s) => ({ labels: s.metric, time: s.value[0], value: parseValue(s.value[1]) }));
        case "scalar":
          return [{ labels: {}, time: data.result[0], value: parseValue(data.result[1]) }];
        default:
          throw new PromQLError(expr, "unexpected_result", `an instant query gave a ${data.resultType}; use queryRange for range vectors`);
      }
    },
    async queryRange(expr, start, end, stepSeconds) {
      if (!(stepSeconds > 0)) throw new RangeError(`queryRange step must be positive, got ${stepSeconds}`);
      const data = await call("/api/v1/query_range", expr, {
        start: String(unixSeconds(start)),
        end: String(unixSeconds(end)),
        step: String(stepSeconds),
      });
      if (data.resultType !== "matrix") throw new PromQLError(expr, "unexpected_result", `a range query gave a ${data.resultType}`);
      return data.result.map((s) => ({ labels: s.metric, points: s.values.map(([t, v]) => ({ time: t, value: parseValue(v) })) }));
    },
    async waitForSeries(expr, predicate, opts) {
      const started = Date.now();
      let last = "no query answered yet";
      for (;;) {
        try {
          const samples = await client.query(expr);
          if (predicate(samples)) return samples;
          last = `got ${describeSamples(samples)}`;
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
        }
        const elapsed = Date.now() - started;
        if (elapsed + opts.intervalMs > opts.timeoutMs) {
          throw new TimeoutError(opts.what ?? `PromQL ${JSON.stringify(expr)} to match`, opts.timeoutMs, last);
        }
        await sleep(opts.intervalMs);
      }
    },
  };
  return client;
}

/** Prometheus writes special floats as strings Number() does not read ("+Inf"). */
function parseValue(raw: string): number {
  if (raw === "+Inf" || raw === "Inf") return Number.POSITIVE_INFINITY;
  if (raw === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(raw);
}

function unixSeconds(t: Date | number): number {
  return t instanceof Date ? t.getTime() / 1000 : t;
}

function describeSamples(samples: Sample[]): string {
  if (samples.length === 0) return "no series";
  const shown = samples.slice(0, 3).map((s) => `${JSON.stringify(s.labels)}=${s.value}`);
  return `${samples.length} series: ${shown.join(", ")}${samples.length > 3 ? ", ..." : ""}`;
}

/** The wire format; see the API reference above. */
type ApiData =
  | { resultType: "vector"; result: { metric: Labels; value: [number, string] }[] }
  | { resultType: "scalar"; result: [number, string] }
  | { resultType: "string"; result: [number, string] }
  | { resultType: "matrix"; result: { metric: Labels; values: [number, string][] }[] };

type ApiResponse =
  | { status: "success"; data: ApiData; errorType?: undefined; error?: undefined }
  | { status: "error"; errorType?: string; error?: string; data?: undefined };
