import { describe, expect, it } from "vitest";
import { LatencyRecorder } from "../../src/analysis/hdr.js";
import { pairedQuantileOverhead, quantileOverhead } from "../../src/analysis/overhead.js";
import { seededRandom } from "../../src/analysis/simulate.js";
import type { LatencySummary } from "../../src/load/profile.js";

/** Repeated runs: per-run offsets model run-to-run variation on top of per-request noise. */
function runs(count: number, baseMs: number, seed: number, runSpreadMs = 2): LatencySummary[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const offset = (random() - 0.5) * 2 * runSpreadMs;
    const r = new LatencyRecorder();
    for (let i = 0; i < 1500; i++) r.record(baseMs + offset - 5 * Math.log(1 - random()));
    return r.summary();
  });
}

describe("quantileOverhead", () => {
  it("point estimates are the quantiles of all runs merged, as the HDR merge gives them", () => {
    const mesh = runs(4, 25, 1);
    const base = runs(4, 20, 2);
    const r = quantileOverhead(mesh, base, 0.99, { resamples: 200 });
    const merged = (xs: LatencySummary[]) => {
      const rec = new LatencyRecorder();
      for (const x of xs) rec.addEncoded(x.hdr);
      return rec.quantile(0.99);
    };
    expect(r.meshMs).toBe(merged(mesh));
    expect(r.baselineMs).toBe(merged(base));
    expect(r.diffMs).toBeCloseTo(r.meshMs - r.baselineMs, 9);
    expect(r.relative).toBeCloseTo(r.diffMs / r.baselineMs, 9);
  });

  it("a 5 ms overhead falls inside its bootstrap interval, and no overhead is told apart from it", () => {
    const withOverhead = quantileOverhead(runs(8, 25, 3), runs(8, 20, 4), 0.5, { resamples: 1000 });
    expect(withOverhead.interval).not.toBeNull();
    expect(withOverhead.interval!.low).toBeLessThan(5);
    expect(withOverhead.interval!.high).toBeGreaterThan(5);
    expect(withOverhead.interval!.low).toBeGreaterThan(0);
    expect(withOverhead.note).toMatch(/unpaired/);
    const none = quantileOverhead(runs(8, 20, 5), runs(8, 20, 6), 0.5, { resamples: 1000 });
    expect(none.interval!.low).toBeLessThan(0);
    expect(none.interval!.high).toBeGreaterThan(0);
  });

  it("is reproducible for a seed", () => {
    const mesh = runs(5, 22, 7);
    const base = runs(5, 20, 8);
    expect(quantileOverhead(mesh, base, 0.9, { seed: 3, resamples: 300 })).toEqual(quantileOverhead(mesh, base, 0.9, { seed: 3, resamples: 300 }));
  });

  it("states no interval from a single run per side, and explains why", () => {
    const r = quantileOverhead(runs(1, 22, 9), runs(3, 20, 10), 0.99);
    expect(r.interval).toBeNull();
    expect(r.note).toMatch(/single mesh run/);
    expect(r.runs).toEqual({ mesh: 1, baseline: 3 });
  });

  it("refuses an 'optimistic' interval from fewer than 5 runs per side, and says why", () => {
    const r = quantileOverhead(runs(3, 22, 11), runs(4, 20, 12), 0.5, { resamples: 100 });
    expect(r.interval).toBeNull();
    expect(r.note).toMatch(/fewer than 5 runs per side understates/);
  });

  it("refuses runs without samples, saying what to do", () => {
    const empty = new LatencyRecorder().summary();
    expect(() => quantileOverhead([empty], runs(2, 20, 13), 0.5)).toThrow(/run the mesh benchmark first/);
  });
});

describe("pairedQuantileOverhead", () => {
  /**
   * Interleaved pairs on a drifting machine: both runs of a pair share the moment's offset (up
   * to 10 ms between pairs), the mesh run adds `overheadMs`.
   */
  function pairs(count: number, overheadMs: number, seed: number) {
    const random = seededRandom(seed);
    return Array.from({ length: count }, () => {
      const drift = random() * 10;
      const side = (extra: number) => {
        const r = new LatencyRecorder();
        for (let i = 0; i < 3000; i++) r.record(20 + drift + extra - 2 * Math.log(1 - random()));
        return r.summary();
      };
      return { mesh: side(overheadMs), baseline: side(0) };
    });
  }

  it("a 1 ms overhead: the interval contains 1 and excludes 0 at p50 and p99; with none it contains 0", () => {
    for (const q of [0.5, 0.99]) {
      const one = pairedQuantileOverhead(pairs(10, 1, 21), q, { resamples: 500 });
      expect(one.interval!.low).toBeGreaterThan(0);
      expect(one.interval!.low).toBeLessThan(1);
      expect(one.interval!.high).toBeGreaterThan(1);
      expect(one.resolvesMs).toBeLessThan(1);
      const none = pairedQuantileOverhead(pairs(10, 0, 22), q, { resamples: 500 });
      expect(none.interval!.low).toBeLessThan(0);
      expect(none.interval!.high).toBeGreaterThan(0);
    }
  });

  it("pairing is what resolves it: the same runs unpaired give a far wider interval", () => {
    const p = pairs(10, 1, 23);
    const paired = pairedQuantileOverhead(p, 0.5, { resamples: 500 });
    const unpaired = quantileOverhead(p.map((x) => x.mesh), p.map((x) => x.baseline), 0.5, { resamples: 500 });
    expect(unpaired.interval!.high - unpaired.interval!.low).toBeGreaterThan(3 * (paired.interval!.high - paired.interval!.low));
  });

  it("states no interval from fewer than 5 pairs", () => {
    const r = pairedQuantileOverhead(pairs(4, 1, 24), 0.5);
    expect(r.interval).toBeNull();
    expect(r.resolvesMs).toBeNull();
    expect(r.note).toMatch(/fewer than 5 pairs/);
  });
});
