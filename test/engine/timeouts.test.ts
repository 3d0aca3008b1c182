import { describe, expect, it } from "vitest";
import { TimeoutError, formatMs } from "../../src/core/errors.js";
import { pollUntil, withTimeout } from "../../src/core/timeouts.js";

describe("pollUntil", () => {
  it("needs N consecutive successes; a miss resets the streak and is logged", async () => {
    const answers = [true, false, true, true, true];
    const misses: string[] = [];
    const result = await pollUntil(async () => answers.shift() ?? true, {
      what: "ready",
      timeoutMs: 5000,
      intervalMs: 1,
      consecutive: 3,
      onMiss: (_, why) => misses.push(why),
    });
    expect(answers).toEqual([]);
    expect(result.misses).toBe(1);
    expect(misses).toEqual(["condition not met"]);
  });

  it("treats a throwing probe as 'not yet' and reports the last problem on timeout", async () => {
    const err = await pollUntil(
      async () => {
        throw new Error("connection refused");
      },
      { what: "the API server", timeoutMs: 30, intervalMs: 5 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as Error).message).toMatch(/waiting for the API server \(last: connection refused\)/);
  });

  it("stops when the signal aborts", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("interrupted")), 20);
    await expect(pollUntil(async () => false, { what: "x", timeoutMs: 10_000, intervalMs: 5, signal: ac.signal })).rejects.toThrow();
  });
});

describe("withTimeout", () => {
  it("names what timed out", async () => {
    await expect(withTimeout(new Promise(() => {}), 10, "istiod rollout")).rejects.toThrow(/waiting for istiod rollout/);
  });
  it("passes results through", async () => {
    await expect(withTimeout(Promise.resolve(7), 1000, "x")).resolves.toBe(7);
  });
});

describe("formatMs", () => {
  it("reads naturally", () => {
    expect(formatMs(850)).toBe("850ms");
    expect(formatMs(1500)).toBe("1.5s");
    expect(formatMs(42_000)).toBe("42s");
    expect(formatMs(90_000)).toBe("1m30s");
  });
});
