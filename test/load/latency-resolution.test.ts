/**
 * The latency-resolution benchmark's pipeline, shortened, with real processes: llm-sim on
 * loopback, the built-in generator through runLoadgen, ABBA-paired runs, pairedQuantileOverhead.
 * A 5 ms delay (not the bench's 1 ms) so that a machine at load average 10 on two cores cannot
 * hide it. Each case is the other's mutant: the delayed interval must lie above half the delay
 * (so above 0), the no-delay interval within half the delay of 0. A pipeline that lost the delay,
 * swapped the sides or paired the wrong runs fails one of the two.
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
const outDir = mkdtempSync(join(tmpdir(), "meshproof-latency-resolution-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("latency resolution through real processes (llm-sim --delay-ms, loadgen, paired runs)", () => {
  // About a minute of load and process start-ups; far longer on a busy machine.
  it(`a ${DELAY_MS} ms delay on one side is resolved at p50, and no delay is told apart from it`, { timeout: 600_000 }, async () => {
    const r = await measureResolution({ pairs: 5, secondsPerRun: 2, rate: 100, delayMs: DELAY_MS, seed: 9, outDir });
    for (const c of [r.delayed, r.none]) {
      expect(c.pairs).toBe(5);
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
