import { describe, expect, it } from "vitest";
import { resolveSimConfig } from "../../fixtures/llm-sim/src/config.js";
import { createRng, sampleLatency } from "../../fixtures/llm-sim/src/rng.js";
import { completionDeadline, sampleTiming, tokenDeadlines } from "../../fixtures/llm-sim/src/schedule.js";

function meanAndSd(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

describe("token schedule", () => {
  it("puts each token at an absolute deadline: start + ttft + the gaps so far", () => {
    const timing = { ttftMs: 200, gapsMs: [20, 30, 10] };
    expect(tokenDeadlines(1000, timing)).toEqual([1200, 1220, 1250, 1260]);
    expect(completionDeadline(1000, timing)).toBe(1260);
  });

  it("draws one gap fewer than the tokens", () => {
    const config = resolveSimConfig({ ttftMs: 100, itlMs: 20 });
    expect(sampleTiming(config, 1, createRng(1)).gapsMs).toEqual([]);
    expect(sampleTiming(config, 5, createRng(1))).toEqual({ ttftMs: 100, gapsMs: [20, 20, 20, 20] });
  });

  it("replays the same schedule from the same seed", () => {
    const config = resolveSimConfig({ ttftMs: 100, ttftSpreadMs: 30, itlMs: 20, itlSpreadMs: 5 });
    expect(sampleTiming(config, 50, createRng(5))).toEqual(sampleTiming(config, 50, createRng(5)));
    expect(sampleTiming(config, 50, createRng(5))).not.toEqual(sampleTiming(config, 50, createRng(6)));
  });
});

describe("latency distributions", () => {
  const samples = (mean: number, spread: number, distribution: "normal" | "lognormal") => {
    const rng = createRng(2024);
    return Array.from({ length: 50_000 }, () => sampleLatency(rng, mean, spread, distribution));
  };

  it("normal: the configured mean and spread", () => {
    const { mean, sd } = meanAndSd(samples(100, 10, "normal"));
    expect(mean).toBeCloseTo(100, 0);
    expect(sd).toBeGreaterThan(9.7);
    expect(sd).toBeLessThan(10.3);
  });

  it("lognormal: the configured mean and spread, and a right skew", () => {
    const values = samples(100, 50, "lognormal");
    const { mean, sd } = meanAndSd(values);
    expect(Math.abs(mean - 100)).toBeLessThan(1.5);
    expect(Math.abs(sd - 50)).toBeLessThan(2.5);
    const median = [...values].sort((a, b) => a - b)[values.length / 2]!;
    expect(median).toBeLessThan(mean);
  });

  it("never negative, even with a spread larger than the mean", () => {
    expect(Math.min(...samples(5, 50, "normal"))).toBe(0);
    expect(Math.min(...samples(5, 50, "lognormal"))).toBeGreaterThanOrEqual(0);
  });

  it("exact when there is no spread, zero when the mean is zero", () => {
    expect(new Set(samples(20, 0, "normal"))).toEqual(new Set([20]));
    expect(new Set(samples(0, 5, "lognormal"))).toEqual(new Set([0]));
  });
});
