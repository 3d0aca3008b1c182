import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PreciseClock, timerClock } from "../../fixtures/llm-sim/src/clock.js";

describe("precise clock", () => {
  let clock: PreciseClock;
  beforeAll(async () => {
    clock = await PreciseClock.start();
  });
  afterAll(async () => {
    await clock.close();
  });

  it("never wakes a sleeper before its deadline, and wakes them in deadline order", async () => {
    const start = clock.now();
    const offsets = [30, 5, 20, 12, 25, 1, 18];
    const woke: { offset: number; at: number }[] = [];
    await Promise.all(
      offsets.map(async (offset) => {
        expect(await clock.sleepUntil(start + offset)).toBe(true);
        woke.push({ offset, at: clock.now() - start });
      }),
    );
    expect(woke.map((w) => w.offset)).toEqual([...offsets].sort((a, b) => a - b));
    // The batch window lets a sleeper go 50 µs early, never more.
    for (const { offset, at } of woke) expect(at).toBeGreaterThanOrEqual(offset - 0.05);
  });

  it("answers at once for a deadline already past", async () => {
    expect(await clock.sleepUntil(clock.now() - 10)).toBe(true);
  });

  it("gives up with false when the signal aborts, and leaves the others alone", async () => {
    const controller = new AbortController();
    const start = clock.now();
    const abandoned = clock.sleepUntil(start + 60_000, controller.signal);
    const kept = clock.sleepUntil(start + 10);
    controller.abort();
    expect(await abandoned).toBe(false);
    expect(await kept).toBe(true);
    expect(await clock.sleepUntil(start, AbortSignal.abort())).toBe(false);
  });

  it("keeps working on ordinary timers after it is closed", async () => {
    const other = await PreciseClock.start();
    const pending = other.sleepUntil(other.now() + 20);
    await other.close();
    expect(await pending).toBe(true);
    expect(await other.sleepUntil(other.now() + 5)).toBe(true);
  });

  it("the timer clock keeps the same contract", async () => {
    const start = timerClock.now();
    expect(await timerClock.sleepUntil(start + 5)).toBe(true);
    expect(timerClock.now() - start).toBeGreaterThanOrEqual(5 - 0.05);
    expect(await timerClock.sleepUntil(start + 1000, AbortSignal.abort())).toBe(false);
  });
});
