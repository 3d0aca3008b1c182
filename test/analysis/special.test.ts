import { describe, expect, it } from "vitest";
import { binomialCdf, binomialLogPmf, binomialSurvival, logGamma, normalCdf, normalQuantile, regularizedBeta, upperGammaQ, upperNormalQuantile } from "../../src/analysis/special.js";

describe("special functions", () => {
  it("log-gamma matches factorials and known values", () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    // ln Γ(0.1) and ln Γ(20001), reference values to 15 digits.
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 13);
    expect(logGamma(20001) / 178075.6217371987).toBeCloseTo(1, 14);
  });

  it("normal quantiles equal the tabulated constants, far into the tail", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(upperNormalQuantile(1e-3)).toBeCloseTo(3.090232306167813, 12);
    expect(upperNormalQuantile(1e-4)).toBeCloseTo(3.719016485455680, 11);
    expect(upperNormalQuantile(5e-6)).toBeCloseTo(4.417173413469023, 11);
    expect(upperNormalQuantile(5e-7)).toBeCloseTo(4.891638475698591, 11);
    expect(upperNormalQuantile(1e-12)).toBeCloseTo(7.034483825301131, 10);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 14);
    for (const p of [1e-9, 0.01, 0.3, 0.7, 0.999]) expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 11);
  });

  it("binomial tails agree with direct summation for small n", () => {
    const n = 20;
    const p = 0.13;
    let cumulative = 0;
    for (let k = 0; k < n; k++) {
      cumulative += Math.exp(binomialLogPmf(k, n, p));
      expect(binomialCdf(k, n, p)).toBeCloseTo(cumulative, 13);
      expect(binomialSurvival(k + 1, n, p)).toBeCloseTo(1 - cumulative, 13);
    }
    expect(binomialCdf(n, n, p)).toBe(1);
    expect(binomialSurvival(0, n, p)).toBe(1);
  });

  it("binomial tails keep relative precision at the levels the checks use", () => {
    // Reference values from an independent implementation of the binomial distribution.
    expect(binomialCdf(450, 6000, 0.1) / 1.080654143264e-11).toBeCloseTo(1, 8);
    expect(binomialSurvival(750, 6000, 0.1) / 2.4231786924272666e-10).toBeCloseTo(1, 8);
    expect(binomialCdf(0, 100, 0.05)).toBeCloseTo(0.95 ** 100, 14);
    expect(regularizedBeta(0.3, 2.5, 4.5)).toBeCloseTo(0.40653901668245934, 13);
  });
});

describe("upper incomplete gamma", () => {
  it("gives chi-square tail probabilities on both sides of a + 1 (series and continued fraction)", () => {
    // Q(df/2, x/2) is the chi-square survival function: reference values from its tables.
    expect(upperGammaQ(0.5, 3.841 / 2)).toBeCloseTo(0.05, 4);
    expect(upperGammaQ(2.5, 5)).toBeCloseTo(0.075235246, 8);
    expect(upperGammaQ(5, 0.5)).toBeCloseTo(0.999827884, 8);
    expect(upperGammaQ(3, 0)).toBe(1);
  });
});
