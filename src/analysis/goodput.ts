/**
 * Goodput: the requests that met every latency objective, as vLLM's serving benchmark and
 * inference-perf define it. A request is good when its time to first token, its time per
 * output token ((e2e - ttft) / (output tokens - 1)) and its end-to-end latency are each within
 * the objectives that are set. Whether each request met them is decided per request, by the
 * load generator; here the counts become a share with an exact interval, and a rate.
 */
import { clopperPearsonInterval, type Interval } from "./proportion.js";

export interface GoodputSlo {
  ttftMs?: number;
  tpotMs?: number;
  e2eMs?: number;
}

export interface RequestTiming {
  e2eMs: number;
  ttftMs?: number;
  outputTokens?: number;
  /** False when the request failed (non-2xx, or a stream cut before [DONE]): never good. */
  ok?: boolean;
}

/** Time per output token after the first; undefined with fewer than two tokens or no TTFT. */
export function timePerOutputTokenMs(r: RequestTiming): number | undefined {
  if (r.ttftMs === undefined || r.outputTokens === undefined || r.outputTokens < 2) return undefined;
  return (r.e2eMs - r.ttftMs) / (r.outputTokens - 1);
}

/** Does one request meet every objective set? A missing measurement for a set objective fails it. */
export function meetsSlo(r: RequestTiming, slo: GoodputSlo): boolean {
  if (r.ok === false) return false;
  if (slo.e2eMs !== undefined && !(r.e2eMs <= slo.e2eMs)) return false;
  if (slo.ttftMs !== undefined && !(r.ttftMs !== undefined && r.ttftMs <= slo.ttftMs)) return false;
  if (slo.tpotMs !== undefined) {
    const tpot = timePerOutputTokenMs(r);
    // A one-token answer has no inter-token time to violate.
    if (tpot !== undefined && !(tpot <= slo.tpotMs)) return false;
    if (tpot === undefined && r.ttftMs === undefined) return false;
  }
  return true;
}

export interface Goodput {
  met: number;
  total: number;
  /** met / total. */
  share: number;
  /** Exact (Clopper-Pearson) interval of the share. */
  interval: Interval;
  /** Good requests per second, when the duration is known. */
  perSecond?: number;
  /** The share's interval times the offered request rate, when the duration is known. */
  perSecondInterval?: { low: number; high: number; confidence: number };
}

export function goodput(counts: { met: number; total: number; durationSeconds?: number }, confidence = 0.95): Goodput {
  const { met, total, durationSeconds } = counts;
  if (!(total > 0)) throw new RangeError(`goodput needs at least one request (total was ${total})`);
  if (!(met >= 0 && met <= total)) throw new RangeError(`met must lie in [0, total]; got ${met} of ${total}`);
  const interval = clopperPearsonInterval(met, total, confidence);
  const out: Goodput = { met, total, share: met / total, interval };
  if (durationSeconds !== undefined && durationSeconds > 0) {
    const rate = total / durationSeconds;
    out.perSecond = met / durationSeconds;
    out.perSecondInterval = { low: interval.low * rate, high: interval.high * rate, confidence };
  }
  return out;
}
