import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH_WINDOW_MS, PreciseClock, timerClock } from "../../fixtures/llm-sim/src/clock.js";

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
    // The batch window lets a sleeper go a fraction of a millisecond early, never more.
    for (const { offset, at } of woke) expect(at).toBeGreaterThanOrEqual(offset - BATCH_WINDOW_MS);
  });

  it("wakes every one of many crowded sleepers while the main thread is busy (no wake-up lost)", async () => {
    // Deadlines just past the batch window, so nearly every one needs its own wake-up, while
    // macrotasks keep the main thread busy: the worker then often fires again before the main
    // thread has finished handling its previous wake-up.
    const start = clock.now();
    const count = 4000;
    let busy = true;
    const burn = () => {
      const until = performance.now() + 0.3;
      while (performance.now() < until);
      if (busy) setImmediate(burn);
    };
    setImmediate(burn);
    const results = await Promise.race([
      Promise.all(Array.from({ length: count }, (_, i) => clock.sleepUntil(start + 2 + i * (BATCH_WINDOW_MS + 0.05)))),
      new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 15_000).unref()),
    ]);
    busy = false;
    expect(results === "timeout" ? "timeout" : results.filter(Boolean).length).toBe(count);
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
    expect(timerClock.now() - start).toBeGreaterThanOrEqual(5);
    expect(await timerClock.sleepUntil(start + 1000, AbortSignal.abort())).toBe(false);
  });
});
