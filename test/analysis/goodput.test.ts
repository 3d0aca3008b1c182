import { describe, expect, it } from "vitest";
import { goodput, meetsSlo, timePerOutputTokenMs } from "../../src/analysis/goodput.js";
import { clopperPearsonInterval } from "../../src/analysis/proportion.js";

describe("goodput", () => {
  it("time per output token excludes the first token, as vLLM defines it", () => {
    expect(timePerOutputTokenMs({ e2eMs: 1100, ttftMs: 100, outputTokens: 11 })).toBe(100);
    expect(timePerOutputTokenMs({ e2eMs: 100, ttftMs: 100, outputTokens: 1 })).toBeUndefined();
  });

  it("a request is good only when every objective set is met", () => {
    const slo = { ttftMs: 200, tpotMs: 50 };
    expect(meetsSlo({ e2eMs: 600, ttftMs: 150, outputTokens: 11 }, slo)).toBe(true);
    expect(meetsSlo({ e2eMs: 600, ttftMs: 250, outputTokens: 11 }, slo)).toBe(false);
    expect(meetsSlo({ e2eMs: 1200, ttftMs: 150, outputTokens: 11 }, slo)).toBe(false);
    expect(meetsSlo({ e2eMs: 600, ttftMs: 150, outputTokens: 11, ok: false }, slo)).toBe(false);
    expect(meetsSlo({ e2eMs: 600 }, { ttftMs: 200 })).toBe(false);
    expect(meetsSlo({ e2eMs: 600 }, { e2eMs: 500 })).toBe(false);
    expect(meetsSlo({ e2eMs: 400 }, { e2eMs: 500 })).toBe(true);
  });

  it("is a share with its exact interval, and a rate when the duration is known", () => {
    const g = goodput({ met: 940, total: 1000, durationSeconds: 50 }, 0.95);
    expect(g.share).toBe(0.94);
    expect(g.interval).toEqual(clopperPearsonInterval(940, 1000, 0.95));
    expect(g.perSecond).toBeCloseTo(18.8, 12);
    expect(g.perSecondInterval!.low).toBeCloseTo(g.interval.low * 20, 12);
    expect(() => goodput({ met: 1, total: 0 })).toThrow(/at least one request/);
  });
});
