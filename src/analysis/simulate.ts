/**
 * Seeded simulation of sequential checks, for the Monte Carlo tests and the bench. Each
 * simulated check draws the binomial count of every look's new samples directly (an exact
 * draw from a precomputed CDF table) instead of simulating requests one by one, and decides
 * with the same integer boundaries the exact computation uses, which `decideLook` defines.
 */
import { designBoundaries, stepBoundaries, type SequentialDesign } from "./sequential.js";
import type { PairOutcome } from "./sprt.js";
import { binomialLogPmf } from "./special.js";

/** sfc32, seeded through splitmix32: small, fast, and good enough for tail frequencies. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next32();
  // 53 random bits, so tail events down to 1e-15 are representable.
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6)) / 9007199254740992;
}

/** Exact Binomial(m, p) sampler by inversion of a precomputed CDF table. */
export function binomialSampler(m: number, p: number, random: () => number): () => number {
  if (m === 0 || p <= 0) return () => 0;
  if (p >= 1) return () => m;
  const cdf = new Float64Array(m + 1);
  let total = 0;
  for (let k = 0; k <= m; k++) {
    total += Math.exp(binomialLogPmf(k, m, p));
    cdf[k] = total;
  }
  return () => {
    const u = random() * total;
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

export interface SimulationResult {
  runs: number;
  pass: number;
  fail: number;
  inconclusive: number;
  meanSamples: number;
  /** Samples used by the given share of simulated checks. */
  samplesQuantile(q: number): number;
}

/** Run `runs` independent sequential checks at true proportion p. */
export function simulateDesign(design: SequentialDesign, p: number, runs: number, seed: number): SimulationResult {
  const random = seededRandom(seed);
  const boundaries = designBoundaries(design);
  const samplers = new Map<number, () => number>();
  const increments = boundaries.map((b, k) => b.trials - (k === 0 ? 0 : boundaries[k - 1]!.trials));
  for (const m of increments) if (!samplers.has(m)) samplers.set(m, binomialSampler(m, p, random));
  const used = new Float64Array(runs);
  let pass = 0;
  let fail = 0;
  let inconclusive = 0;
  for (let r = 0; r < runs; r++) {
    let x = 0;
    let decision: PairOutcome = 0;
    let k = 0;
    for (; k < boundaries.length; k++) {
      x += samplers.get(increments[k]!)!();
      decision = stepBoundaries(design, decision, x, boundaries[k]!);
      if (decision === "pass" || decision === "fail") break;
    }
    used[r] = boundaries[Math.min(k, boundaries.length - 1)]!.trials;
    if (decision === "pass") pass++;
    else if (decision === "fail") fail++;
    else inconclusive++;
  }
  const sorted = used.slice().sort();
  const mean = used.reduce((a, b) => a + b, 0) / runs;
  return {
    runs,
    pass,
    fail,
    inconclusive,
    meanSamples: mean,
    samplesQuantile: (q) => sorted[Math.min(runs - 1, Math.max(0, Math.ceil(q * runs) - 1))]!,
  };
}

/**
 * The rule many suites use: a fixed number of requests, fail when the observed share is more
 * than a fixed margin from the expected one. Returns how often it fails at true proportion p.
 */
export function simulateFixedRule(requests: number, expected: number, margin: number, p: number, runs: number, seed: number): { runs: number; fail: number } {
  const draw = binomialSampler(requests, p, seededRandom(seed));
  let fail = 0;
  for (let r = 0; r < runs; r++) if (Math.abs(draw() / requests - expected) > margin) fail++;
  return { runs, fail };
}
