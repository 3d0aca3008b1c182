import { describe, expect, it } from "vitest";
import { DEFAULT_FAIL_STATUS, decideFaults, readFaultHeaders, type FaultHints } from "../../fixtures/llm-sim/src/faults.js";
import { NO_FAULTS } from "../../fixtures/llm-sim/src/config.js";
import { createRng } from "../../fixtures/llm-sim/src/rng.js";

function hintsOf(headers: Record<string, string>): FaultHints {
  const result = readFaultHeaders(headers);
  if (!result.ok) throw new Error(result.message);
  return result.hints;
}

describe("fault headers", () => {
  it("reads each header as a whole number", () => {
    expect(
      hintsOf({ "x-llm-fail-status": "503", "x-llm-fail-attempts": "2", "x-llm-abort-after-tokens": "0", "x-llm-delay-ms": "1500" }),
    ).toEqual({ failStatus: 503, failAttempts: 2, abortAfterTokens: 0, delayMs: 1500 });
    expect(hintsOf({})).toEqual({});
  });

  it("rejects malformed or out-of-range values with the header's name", () => {
    for (const [header, value] of [
      ["x-llm-fail-status", "200"],
      ["x-llm-fail-status", "5o3"],
      ["x-llm-fail-attempts", "-1"],
      ["x-llm-delay-ms", "1.5"],
      ["x-llm-abort-after-tokens", ""],
    ] as const) {
      const result = readFaultHeaders({ [header]: value });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toContain(header);
    }
  });
});

describe("fault decisions", () => {
  const rng = createRng(1);

  it("fails always with x-llm-fail-status", () => {
    for (const attempt of [1, 2, 5]) {
      expect(decideFaults(NO_FAULTS, { failStatus: 502 }, attempt, 8, rng).errorStatus).toBe(502);
    }
  });

  it("fails only the first N attempts with x-llm-fail-attempts, 503 unless a status is named", () => {
    const statuses = [1, 2, 3, 4].map((attempt) => decideFaults(NO_FAULTS, { failAttempts: 2 }, attempt, 8, rng).errorStatus);
    expect(statuses).toEqual([DEFAULT_FAIL_STATUS, DEFAULT_FAIL_STATUS, undefined, undefined]);
    expect(decideFaults(NO_FAULTS, { failAttempts: 1, failStatus: 500 }, 1, 8, rng).errorStatus).toBe(500);
    expect(decideFaults(NO_FAULTS, { failAttempts: 1, failStatus: 500 }, 2, 8, rng).errorStatus).toBeUndefined();
    expect(decideFaults(NO_FAULTS, { failAttempts: 0 }, 1, 8, rng).errorStatus).toBeUndefined();
  });

  it("says the error was injected and by what", () => {
    expect(decideFaults(NO_FAULTS, { failAttempts: 1 }, 1, 8, rng).errorReason).toMatch(/x-llm-fail-attempts.*attempt 1/);
  });

  it("injects errors at the configured rate", () => {
    const seeded = createRng(7);
    const faults = { ...NO_FAULTS, errorRate: 0.3, errorStatus: 500 };
    const trials = 20_000;
    let errors = 0;
    for (let i = 0; i < trials; i++) if (decideFaults(faults, {}, 1, 8, seeded).errorStatus === 500) errors++;
    // 0.3 +/- 5 sigma (sigma = sqrt(0.3 * 0.7 / 20000) = 0.0032): a seeded run, so no flake either way.
    expect(Math.abs(errors / trials - 0.3)).toBeLessThan(0.017);
  });

  it("never and always at rates 0 and 1", () => {
    const seeded = createRng(3);
    for (let i = 0; i < 1000; i++) {
      expect(decideFaults({ ...NO_FAULTS, errorRate: 0 }, {}, 1, 8, seeded).errorStatus).toBeUndefined();
      expect(decideFaults({ ...NO_FAULTS, errorRate: 1, errorStatus: 429 }, {}, 1, 8, seeded).errorStatus).toBe(429);
    }
  });

  it("aborts by header at exactly N tokens, by rate somewhere within the output", () => {
    expect(decideFaults(NO_FAULTS, { abortAfterTokens: 3 }, 1, 8, rng).abortAfterTokens).toBe(3);
    const seeded = createRng(11);
    const points = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const point = decideFaults({ ...NO_FAULTS, abortRate: 1 }, {}, 1, 8, seeded).abortAfterTokens;
      expect(point).toBeGreaterThanOrEqual(0);
      expect(point).toBeLessThan(8);
      points.add(point!);
    }
    expect(points.size).toBe(8);
    expect(decideFaults(NO_FAULTS, {}, 1, 8, rng).abortAfterTokens).toBeUndefined();
  });

  it("adds the header delay to the configured one", () => {
    expect(decideFaults({ ...NO_FAULTS, delayMs: 100 }, { delayMs: 50 }, 1, 8, rng).delayMs).toBe(150);
  });

  it("replays the same decisions from the same seed, whatever the headers", () => {
    const faults = { ...NO_FAULTS, errorRate: 0.5, abortRate: 0.5 };
    const run = (hints: FaultHints[]) => {
      const seeded = createRng(99);
      return hints.map((h) => decideFaults(faults, h, 1, 16, seeded));
    };
    const plain = run([{}, {}, {}, {}]);
    const withHeader = run([{}, { failStatus: 500 }, {}, {}]);
    expect(withHeader[2]).toEqual(plain[2]);
    expect(withHeader[3]).toEqual(plain[3]);
  });
});
