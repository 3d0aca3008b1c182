/**
 * A group-sequential interval test as data (band, per-look levels, look sizes), and its exact
 * operating characteristics: the probabilities of pass, fail and inconclusive and the
 * distribution of the number of samples used, for any true proportion. They are computed by
 * carrying the distribution of the running count of successes from look to look (a discrete
 * convolution), dropping the paths that stopped. No simulation, no normal approximation.
 */
import { decideLook, lookBoundaries, type Band, type LookBoundaries, type LookDecision, type LookLevels } from "./proportion.js";
import { binomialLogPmf } from "./special.js";
import { pairStep, pairStepLlr, sprtBoundaries, type PairOutcome, type PairState, type SprtRule } from "./sprt.js";

export interface SequentialDesign {
  /** The band a reader is told (for the SPRT pair, p0 +/- the tolerance: the indifference zone's middle). */
  band: Band;
  /** Per-look levels of the interval rule (unused when `rule` is an SPRT pair). */
  levels: LookLevels;
  /** Cumulative sample size at each planned look, increasing. */
  lookSamples: number[];
  /** The decision rule, when it is not the interval rule on band and levels. */
  rule?: SprtRule;
}

/**
 * One look of a design from counts (real-valued counts allowed), given the state its earlier
 * looks left (the SPRT pair remembers which of its tests already accepted; see sprt.ts).
 */
export function stepDesign(design: Pick<SequentialDesign, "band" | "levels" | "rule">, state: PairState, successes: number, trials: number): PairOutcome {
  if (design.rule) return pairStepLlr(design.rule, state, successes, trials);
  const d: LookDecision = decideLook(successes, trials, design.band, design.levels);
  return d === "continue" ? 0 : d;
}

/** One look from integer counts and the look's integer decision sets: what the exact computation and the simulation apply. */
export function stepBoundaries(design: Pick<SequentialDesign, "rule">, state: PairState, x: number, b: LookBoundaries): PairOutcome {
  if (design.rule) return pairStep(state, x, b);
  if (x >= b.passLow && x <= b.passHigh) return "pass";
  if (x <= b.failBelow || x >= b.failAbove) return "fail";
  return 0;
}

export interface OperatingCharacteristics {
  /** The true proportion these figures are for. */
  p: number;
  pass: number;
  fail: number;
  inconclusive: number;
  expectedSamples: number;
  /** Probability of stopping (pass or fail) at each look. */
  stopByLook: number[];
  /** Samples used by the given share of checks (e.g. 0.99 -> 99th percentile). */
  samplesQuantile(q: number): number;
}

/** Probabilities below this are dropped from the carried distribution. */
const NEGLIGIBLE = 1e-30;

/** Binomial(m, p) probabilities over [start, start + values.length). */
interface Pmf {
  start: number;
  values: Float64Array;
}

function incrementPmf(m: number, p: number): Pmf {
  if (m === 0 || p <= 0) return { start: 0, values: Float64Array.of(1) };
  if (p >= 1) return { start: m, values: Float64Array.of(1) };
  const mode = Math.floor((m + 1) * p);
  let lo = mode;
  let hi = mode;
  const logNegligible = Math.log(NEGLIGIBLE);
  while (lo > 0 && binomialLogPmf(lo - 1, m, p) > logNegligible) lo--;
  while (hi < m && binomialLogPmf(hi + 1, m, p) > logNegligible) hi++;
  const values = new Float64Array(hi - lo + 1);
  for (let k = lo; k <= hi; k++) values[k - lo] = Math.exp(binomialLogPmf(k, m, p));
  return { start: lo, values };
}

function convolve(a: Pmf, b: Pmf): Pmf {
  const out = new Float64Array(a.values.length + b.values.length - 1);
  for (let i = 0; i < a.values.length; i++) {
    const ai = a.values[i]!;
    if (ai === 0) continue;
    for (let j = 0; j < b.values.length; j++) out[i + j]! += ai * b.values[j]!;
  }
  return trim({ start: a.start + b.start, values: out });
}

function trim(d: Pmf): Pmf {
  let lo = 0;
  let hi = d.values.length - 1;
  while (lo <= hi && d.values[lo]! < NEGLIGIBLE) lo++;
  while (hi >= lo && d.values[hi]! < NEGLIGIBLE) hi--;
  if (lo > hi) return { start: d.start, values: new Float64Array(0) };
  return { start: d.start + lo, values: d.values.slice(lo, hi + 1) };
}

const boundaryCache = new Map<string, LookBoundaries>();

/** Boundaries are pure functions of (n, band, levels) or (n, rule); plans reuse them heavily. */
export function cachedBoundaries(trials: number, band: Band, levels: LookLevels, rule?: SprtRule): LookBoundaries {
  const key = rule
    ? `${trials}|sprt|${rule.expected}|${rule.low}|${rule.high}|${rule.logA}|${rule.logB}|${rule.logBLow}`
    : `${trials}|${band.low}|${band.high}|${levels.pass}|${levels.fail}`;
  let b = boundaryCache.get(key);
  if (!b) {
    b = rule ? sprtBoundaries(trials, rule) : lookBoundaries(trials, band, levels);
    if (boundaryCache.size > 50_000) boundaryCache.clear();
    boundaryCache.set(key, b);
  }
  return b;
}

export function designBoundaries(design: SequentialDesign): LookBoundaries[] {
  return design.lookSamples.map((n) => cachedBoundaries(n, design.band, design.levels, design.rule));
}

export function operatingCharacteristics(design: SequentialDesign, p: number): OperatingCharacteristics {
  const boundaries = designBoundaries(design);
  // The distribution of the running count in each state still open (see stepBoundaries).
  let carried: (Pmf | undefined)[] = [{ start: 0, values: Float64Array.of(1) }, undefined, undefined];
  let previous = 0;
  let pass = 0;
  let fail = 0;
  const stopByLook: number[] = [];
  for (const b of boundaries) {
    const step = incrementPmf(b.trials - previous, p);
    previous = b.trials;
    const grown = carried.map((c) => (c && c.values.length > 0 ? convolve(c, step) : undefined));
    let lo = Infinity;
    let hi = -Infinity;
    for (const g of grown) if (g) {
      lo = Math.min(lo, g.start);
      hi = Math.max(hi, g.start + g.values.length - 1);
    }
    let stopped = 0;
    const next = [0, 1, 2].map(() => new Float64Array(Math.max(0, hi - lo + 1)));
    grown.forEach((g, state) => {
      if (!g) return;
      for (let i = 0; i < g.values.length; i++) {
        const mass = g.values[i]!;
        if (mass === 0) continue;
        const x = g.start + i;
        const to = stepBoundaries(design, state as PairState, x, b);
        if (to === "pass") pass += mass;
        else if (to === "fail") fail += mass;
        else {
          next[to]![x - lo]! += mass;
          continue;
        }
        stopped += mass;
      }
    });
    stopByLook.push(stopped);
    carried = next.map((values) => (values.length > 0 ? trim({ start: lo, values }) : undefined));
  }
  const inconclusive = Math.max(0, 1 - pass - fail);
  const looks = design.lookSamples;
  const last = looks[looks.length - 1] ?? 0;
  let expectedSamples = inconclusive * last;
  stopByLook.forEach((s, k) => (expectedSamples += s * looks[k]!));
  return {
    p,
    pass,
    fail,
    inconclusive,
    expectedSamples,
    stopByLook,
    samplesQuantile(q: number): number {
      let cumulative = 0;
      for (let k = 0; k < looks.length; k++) {
        cumulative += stopByLook[k]!;
        if (cumulative >= q) return looks[k]!;
      }
      return last;
    },
  };
}

/** Looks at equal spacing: ceil(k x max / K). */
export function equalLooks(maxSamples: number, looks: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= looks; k++) out.push(Math.ceil((k * maxSamples) / looks));
  return out;
}
