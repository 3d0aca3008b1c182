import { describe, expect, it } from "vitest";
import {
  clopperPearsonInterval,
  decideByBoundaries,
  decideLook,
  intervalAtLevel,
  lookBoundaries,
  wilsonInterval,
  type Band,
  type LookLevels,
} from "../../src/analysis/proportion.js";

describe("Clopper-Pearson interval", () => {
  it("matches the published 95% table values", () => {
    // Clopper and Pearson (1934) style tables: n = 10.
    const t = (x: number) => clopperPearsonInterval(x, 10, 0.95);
    expect(t(0).low).toBe(0);
    expect(t(0).high).toBeCloseTo(0.3085, 4);
    expect(t(1).low).toBeCloseTo(0.0025, 4);
    expect(t(1).high).toBeCloseTo(0.445, 4);
    expect(t(5).low).toBeCloseTo(0.1871, 4);
    expect(t(5).high).toBeCloseTo(0.8129, 4);
    expect(t(10).low).toBeCloseTo(0.6915, 4);
    expect(t(10).high).toBe(1);
  });

  it("has the closed form at the ends: (level)^(1/n)", () => {
    for (const n of [10, 500, 20000]) {
      const level = 1e-4;
      expect(clopperPearsonInterval(0, n, 1 - 2 * level).high).toBeCloseTo(1 - level ** (1 / n), 12);
      expect(clopperPearsonInterval(n, n, 1 - 2 * level).low).toBeCloseTo(level ** (1 / n), 12);
    }
  });

  it("matches reference values at the extreme levels the checks use", () => {
    const a = clopperPearsonInterval(600, 6000, 0.999999);
    expect(a.low).toBeCloseTo(0.08206608853209438, 10);
    expect(a.high).toBeCloseTo(0.12011577695302275, 10);
    const b = clopperPearsonInterval(47, 500, 0.9998);
    expect(b.low).toBeCloseTo(0.0524031523043738, 10);
    expect(b.high).toBeCloseTo(0.15138140727840327, 10);
    expect(clopperPearsonInterval(3, 50, 0.99).low).toBeCloseTo(0.0068724853329516465, 11);
  });

  it("rejects impossible counts with a message that says what is wrong", () => {
    expect(() => clopperPearsonInterval(5, 0, 0.95)).toThrow(/at least one trial/);
    expect(() => clopperPearsonInterval(11, 10, 0.95)).toThrow(/\[0, trials\]/);
  });
});

describe("Wilson interval", () => {
  it("matches the textbook values", () => {
    const a = wilsonInterval(0, 10, 0.95);
    expect(a.low).toBe(0);
    expect(a.high).toBeCloseTo(0.2775327998628892, 12);
    const b = wilsonInterval(81, 263, 0.95);
    expect(b.low).toBeCloseTo(0.2552885198782742, 12);
    expect(b.high).toBeCloseTo(0.36620957698280004, 12);
    expect(wilsonInterval(3, 50, 0.99).low).toBeCloseTo(0.01529484000921573, 12);
  });
});

describe("look decision", () => {
  const band: Band = { low: 0.08, high: 0.12 };
  const levels: LookLevels = { pass: 1e-4, fail: 5e-7 };

  it("passes exactly when the pass interval lies inside the band, fails when the fail interval lies outside", () => {
    for (const n of [500, 3000, 9000]) {
      for (let x = 0; x <= n; x += Math.max(1, Math.floor(n / 400))) {
        const pass = intervalAtLevel(x, n, levels.pass);
        const fail = intervalAtLevel(x, n, levels.fail);
        const inside = pass.low >= band.low && pass.high <= band.high;
        const outside = fail.high < band.low || fail.low > band.high;
        const expected = inside ? "pass" : outside ? "fail" : "continue";
        // Bisection resolves bounds to 1e-15; skip counts whose bound sits on a band edge.
        const nearEdge = [pass.low, pass.high, fail.low, fail.high].some((v) => Math.abs(v - band.low) < 1e-9 || Math.abs(v - band.high) < 1e-9);
        if (!nearEdge) expect(decideLook(x, n, band, levels), `x=${x} n=${n}`).toBe(expected);
      }
    }
  });

  it("integer boundaries reproduce the decision for every count", () => {
    for (const b of [band, { low: 0, high: 0.02 }, { low: 0.95, high: 1 }]) {
      for (const n of [37, 1000, 4321]) {
        const bounds = lookBoundaries(n, b, levels);
        for (let x = 0; x <= n; x++) expect(decideByBoundaries(x, bounds)).toBe(decideLook(x, n, b, levels));
      }
    }
  });

  it("never fails a side the band cannot be left by", () => {
    const zeroBand = { low: 0, high: 0.02 };
    expect(decideLook(0, 50, zeroBand, levels)).toBe("continue");
    expect(decideLook(0, 2000, zeroBand, levels)).toBe("pass");
    expect(decideLook(200, 2000, zeroBand, levels)).toBe("fail");
  });
});
