/**
 * API answers that a second attempt gets past. On a busy node the API server sheds load (429),
 * its webhooks (istiod's validation, Linkerd's injector) miss their deadline or have no ready
 * endpoint for a moment after a restart (500 "failed calling webhook"), and connections reset.
 * kubectl does not retry these either; a plan step failing on one says nothing about the mesh.
 * Anything else (an invalid object, a forbidden request, a conflict) fails at once.
 */
import { setTimeout as sleep } from "node:timers/promises";

const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "UND_ERR_SOCKET"]);
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** A 500 from the API server that names a webhook call or a deadline, not the object. */
const TRANSIENT_500 = /failed calling webhook|context deadline exceeded|no endpoints available|connection refused|the server is currently unable/i;

export function isTransientApiError(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, body, message } = err as { code?: unknown; body?: unknown; message?: unknown };
  if (typeof code === "string") return NETWORK_CODES.has(code);
  if (typeof code !== "number") return false;
  if (RETRYABLE_STATUS.has(code)) return true;
  return code === 500 && TRANSIENT_500.test(`${String(message ?? "")} ${typeof body === "string" ? body : JSON.stringify(body ?? "")}`);
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled after each, up to maxDelayMs. */
  delayMs: number;
  maxDelayMs: number;
  signal?: AbortSignal;
}

/** The API server's own retry habit (client-go backs off on 429 and 5xx): a bounded number of attempts, with backoff. */
export const API_RETRIES: RetryOptions = { attempts: 6, delayMs: 1000, maxDelayMs: 8000 };

/** Runs `work`, again after a transient API error, at most `attempts` times; the last error is thrown as it came. */
export async function retryTransient<T>(work: () => Promise<T>, opts: RetryOptions = API_RETRIES): Promise<T> {
  let delay = opts.delayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= opts.attempts || !isTransientApiError(err) || opts.signal?.aborted) throw err;
      await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : undefined);
      delay = Math.min(delay * 2, opts.maxDelayMs);
    }
  }
}
