/**
 * The latency-resolution benchmark's pipeline, shortened, with real processes: llm-sim on
 * loopback, the built-in generator through runLoadgen, pairs whose two runs load both sides at
 * once (the bench's default), pairedQuantileOverhead.
 * A 5 ms delay (not the bench's 1 ms) for margin against a busy machine. Each case is the other's mutant: the delayed interval must lie above half the delay
 * (so above 0), the no-delay interval within half the delay of 0. A pipeline that lost the delay,
 * swapped the sides or paired the wrong runs fails one of the two.
 *
 * Opt-in (MESHPROOF_LIVE_LATENCY=1), not part of `npm test`: it is not robust on a busy machine.
 * With 8 equal-priority busy loops beside it (load average 11 on 2 cores) the delayed half held
 * but the no-delay interval at p50 reached 26 ms: each process gets a fifth of a core, a 2 s
 * run's median moves by tens of ms with the moment's contention, and 5 pairs cannot average that
 * below 2.5 ms (by the square-root rule it would take hundreds). At load average ~4 it passes in about a minute.
 *
 * Not asserted: that the no-delay interval contains 0. That is a coverage claim, true in about
 * 95% of runs at best; with 5 pairs the paired bootstrap excludes 0 whenever all five pair
 * differences share a sign, 1 run in 16 under a true null, however idle the machine. The bench
 * prints it; a test would flake.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { measureResolution } from "../../scripts/bench/latency.js";

const DELAY_MS = 5;
const LIVE = process.env.MESHPROOF_LIVE_LATENCY === "1";
const outDir = mkdtempSync(join(tmpdir(), "meshproof-latency-resolution-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe.skipIf(!LIVE)("latency resolution through real processes (llm-sim --delay-ms, loadgen, paired runs)", () => {
  // About a minute of load and process start-ups; far longer on a busy machine.
  it(`a ${DELAY_MS} ms delay on one side is resolved at p50, and no delay is told apart from it`, { timeout: 600_000 }, async () => {
    const r = await measureResolution({ pairs: 5, secondsPerRun: 2, rate: 100, delayMs: DELAY_MS, seed: 9, outDir });
    expect(r.interleave).toBe("concurrent");
    for (const c of [r.delayed, r.none]) {
      expect(c.pairs).toBe(5);
      expect(c.floorMs.every((f) => f > 0 && Number.isFinite(f))).toBe(true);
      expect(c.failed).toBe(0);
      expect(c.requestsPerRun.min).toBeGreaterThanOrEqual(150);
    }
    const delayed = r.delayed.overhead.find((o) => o.quantile === 0.5)!;
    const none = r.none.overhead.find((o) => o.quantile === 0.5)!;
    expect(delayed.interval).not.toBeNull();
    expect(none.interval).not.toBeNull();
    expect(delayed.interval!.low).toBeGreaterThan(DELAY_MS / 2);
    expect(none.interval!.low).toBeGreaterThan(-DELAY_MS / 2);
    expect(none.interval!.high).toBeLessThan(DELAY_MS / 2);
    expect(delayed.resolvesMs).toBeGreaterThan(0);
  });
});

if (!LIVE) {
  describe("latency resolution through real processes", () => {
    it.skip("skipped: opt-in with MESHPROOF_LIVE_LATENCY=1 (a 5 ms difference is not resolved reliably on a machine at load average 10)", () => {});
  });
}
