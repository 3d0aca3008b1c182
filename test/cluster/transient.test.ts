import { describe, expect, it } from "vitest";
import { isTransientApiError, retryTransient } from "../../src/cluster/transient.js";

/** Shaped like @kubernetes/client-node's ApiException and node-fetch's FetchError. */
const apiError = (code: number, body: unknown) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body });
const networkError = (code: string) => Object.assign(new Error(`request failed, reason: ${code}`), { code, type: "system" });

const webhookTimeout = apiError(500, {
  message: 'Internal error occurred: failed calling webhook "validation.istio.io": failed to call webhook: Post "https://istiod.istio-system.svc:443/validate?timeout=10s": context deadline exceeded',
});
const invalid = apiError(422, { message: 'AuthorizationPolicy.security.istio.io "allow" is invalid: spec.rules[0]: unknown field' });

const FAST = { attempts: 4, delayMs: 1, maxDelayMs: 2 };

describe("transient API errors", () => {
  it("are a busy API server's or webhook's answers and reset connections, not an object's faults", () => {
    expect(isTransientApiError(webhookTimeout)).toBe(true);
    expect(isTransientApiError(apiError(429, "Too many requests"))).toBe(true);
    expect(isTransientApiError(apiError(503, ""))).toBe(true);
    expect(isTransientApiError(networkError("ECONNRESET"))).toBe(true);
    // The wrong twins: an invalid object, a refusal, a missing object, a 500 about the object itself.
    expect(isTransientApiError(invalid)).toBe(false);
    expect(isTransientApiError(apiError(403, "forbidden"))).toBe(false);
    expect(isTransientApiError(apiError(404, "not found"))).toBe(false);
    expect(isTransientApiError(apiError(500, { message: "Internal error occurred: admission denied" }))).toBe(false);
    expect(isTransientApiError(new Error("boom"))).toBe(false);
  });

  it("are tried again, and the work's result comes back", async () => {
    let calls = 0;
    const result = await retryTransient(async () => {
      calls += 1;
      if (calls < 3) throw webhookTimeout;
      return "applied";
    }, FAST);
    expect(result).toBe("applied");
    expect(calls).toBe(3);
  });

  it("are tried a bounded number of times, then the last error is thrown as it came", async () => {
    let calls = 0;
    await expect(retryTransient(async () => { calls += 1; throw webhookTimeout; }, FAST)).rejects.toBe(webhookTimeout);
    expect(calls).toBe(FAST.attempts);
  });

  it("other errors fail at once", async () => {
    let calls = 0;
    await expect(retryTransient(async () => { calls += 1; throw invalid; }, FAST)).rejects.toBe(invalid);
    expect(calls).toBe(1);
  });
});
