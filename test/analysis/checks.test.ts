import { describe, expect, it } from "vitest";
import { evaluateWindow, matchesSelector, quantileInterval, startEvaluation, type Observations } from "../../src/analysis/checks.js";
import { bucketsOf, countAtOrBelow, quantileOfBuckets } from "../../src/analysis/distribution.js";
import { LatencyRecorder } from "../../src/analysis/hdr.js";
import { planLatency, planProportion } from "../../src/analysis/planner.js";
import { binomialCdf, binomialSurvival } from "../../src/analysis/special.js";
import type { LatencySummary } from "../../src/load/profile.js";
import type { CheckSpecInput, Verdict } from "../../src/analysis/verdict.js";

const canary: CheckSpecInput = { type: "proportion", id: "canary", claim: "10% of requests reach the canary", numerator: { version: "canary" }, expected: 0.1 };

function split(canaryCount: number, stableCount: number, evidence = "k6.json"): Observations {
  return {
    outcomes: [
      { version: "canary", status: 200, count: canaryCount },
      { version: "stable", status: 200, count: stableCount },
    ],
    latency: {},
    evidence: [evidence],
  };
}

function latencies(values: Iterable<number>): LatencySummary {
  const r = new LatencyRecorder();
  for (const v of values) r.record(v);
  return r.summary();
}

function expectAuditable(v: Verdict): void {
  expect(v.observed).toBeTypeOf("number");
  expect(v.expected).toBeTypeOf("number");
  expect(v.interval).toBeDefined();
  expect(v.interval!.low).toBeLessThanOrEqual(v.interval!.high);
  expect(v.sampleSize).toBeGreaterThan(0);
  expect(v.errorProbabilities).toBeDefined();
  expect(v.reason.length).toBeGreaterThan(20);
  expect(v.evidence.length).toBeGreaterThan(0);
}

describe("outcome selectors", () => {
  it("match versions, exact statuses and status classes; error means non-2xx", () => {
    const o = (version: string, status: number) => ({ version, status });
    expect(matchesSelector(o("canary", 200), { version: "canary" })).toBe(true);
    expect(matchesSelector(o("stable", 200), { version: "canary" })).toBe(false);
    // Echoed identity and attempts: an outcome without them never matches a selector that needs them.
    expect(matchesSelector({ ...o("stable", 200), peer: "spiffe://a" }, { peer: "spiffe://a" })).toBe(true);
    expect(matchesSelector({ ...o("stable", 200), peer: "none" }, { peer: "spiffe://a" })).toBe(false);
    expect(matchesSelector(o("stable", 200), { peer: "none" })).toBe(false);
    expect(matchesSelector({ ...o("stable", 200), attempt: 3 }, { minAttempt: 3 })).toBe(true);
    expect(matchesSelector({ ...o("stable", 200), attempt: 2 }, { minAttempt: 3 })).toBe(false);
    expect(matchesSelector(o("stable", 200), { minAttempt: 1 })).toBe(false);
    expect(matchesSelector(o("unknown", 503), { status: 503 })).toBe(true);
    expect(matchesSelector(o("x", 204), { status: "2xx" })).toBe(true);
    expect(matchesSelector(o("x", 404), { status: "4xx" })).toBe(true);
    expect(matchesSelector(o("x", 502), { status: "5xx" })).toBe(true);
    expect(matchesSelector(o("x", 302), { status: "error" })).toBe(true);
    expect(matchesSelector(o("x", 200), { status: "error" })).toBe(false);
    expect(matchesSelector(o("canary", 500), { version: "canary", status: "error" })).toBe(true);
  });
});

describe("sequential proportion checks", () => {
  const plan = planProportion({ type: "proportion", id: "canary", claim: "", numerator: { version: "canary" }, expected: 0.1 });

  it("passes a perfect split once the interval fits the band, with an auditable verdict", () => {
    const e = startEvaluation([canary]);
    let batches = 0;
    while (!e.decided() && batches < 20) {
      const n = plan.samplesPerLook;
      e.observe(split(Math.round(n * 0.1), n - Math.round(n * 0.1), `k6-${batches}.json`));
      batches++;
    }
    const [v] = e.verdicts(true);
    expect(v!.status).toBe("pass");
    // The SPRT pair decides between 10% and 6% or 14%; its displayed interval lies between those.
    expect(v!.interval!.low).toBeGreaterThan(0.06);
    expect(v!.interval!.high).toBeLessThan(0.14);
    expect(v!.tolerance).toBe(0.02);
    expect(v!.requestedTolerance).toBe(0.02);
    // Computed for the looks this run took (one per batch), not copied from the knobs.
    expect(v!.design).toMatchObject({ rule: "sprt", looksTaken: plan.lookSamples.slice(0, batches) });
    expect(v!.errorProbabilities!.targets).toEqual({ falseFailure: 1e-5, falsePass: 1e-3 });
    expect(v!.errorProbabilities!.falseFailure).toBeLessThanOrEqual(1e-5);
    expect(v!.errorProbabilities!.falsePass).toBeLessThanOrEqual(1e-3);
    expect(v!.errorProbabilities!.falseFailure).not.toBe(1e-5);
    expect(v!.unit).toBe("proportion");
    expect(v!.evidence).toEqual(Array.from({ length: batches }, (_, i) => `k6-${i}.json`));
    expectAuditable(v!);
  });

  it("fails a split that is clearly off, before the budget", () => {
    const e = startEvaluation([canary]);
    e.observe(split(500, 1500));
    expect(e.decided()).toBe(true);
    const [v] = e.verdicts(false);
    expect(v!.status).toBe("fail");
    expect(v!.interval!.low).toBeGreaterThan(0.12);
    expectAuditable(v!);
  });

  it("says inconclusive, never pass or fail, when the truth sits at the band edge and the budget runs out", () => {
    const e = startEvaluation([canary]);
    for (const n of plan.lookSamples.map((s, k) => s - (plan.lookSamples[k - 1] ?? 0))) {
      e.observe(split(Math.round(n * 0.12), n - Math.round(n * 0.12)));
    }
    expect(e.decided()).toBe(true);
    expect(e.samplesNeeded()).toBe(0);
    const [v] = e.verdicts(true);
    expect(v!.status).toBe("inconclusive");
    expect(v!.reason).toMatch(/more samples or a wider tolerance/);
  });

  it("asks for the requests its next look needs, scaled by the share its denominator gets", () => {
    const perCanary: CheckSpecInput = {
      type: "proportion",
      id: "canary-errors",
      claim: "canary error rate is 5%",
      numerator: { status: "error" },
      denominator: { version: "canary" },
      expected: 0.05,
    };
    const e = startEvaluation([perCanary]);
    expect(e.samplesNeeded()).toBe(planProportion({ ...perCanary, type: "proportion" }).lookSamples[0]);
    // 100 canary requests out of 1000: each further canary sample costs 10 requests.
    e.observe({ outcomes: [{ version: "canary", status: 200, count: 95 }, { version: "canary", status: 503, count: 5 }, { version: "stable", status: 200, count: 900 }], latency: {}, evidence: [] });
    const next = planProportion({ ...perCanary, type: "proportion" }).lookSamples.find((n) => n > 100)!;
    expect(e.samplesNeeded()).toBe((next - 100) * 10);
    expect(e.verdicts(false)).toEqual([]);
  });

  it("keeps non-final verdicts to the checks that settled, and finishes the rest with one last look", () => {
    const e = startEvaluation([canary, { type: "proportion", id: "errors", claim: "no errors", numerator: { status: "error" }, expected: 0, toleranceAbsolute: 0.01 }]);
    e.observe(split(110, 890));
    expect(e.verdicts(false).map((v) => v.checkId)).toEqual(["errors"]);
    const final = e.verdicts(true);
    expect(final.map((v) => v.checkId)).toEqual(["canary", "errors"]);
    // 11% of 1,000 favours neither 10% nor 14% strongly enough yet.
    expect(final[0]!.status).toBe("inconclusive");
    expect(final[1]!.status).toBe("pass");
  });

  it("says plainly when nothing matched the denominator", () => {
    const e = startEvaluation([{ ...canary, denominator: { version: "cnary" } } as CheckSpecInput]);
    e.observe(split(100, 900));
    const [v] = e.verdicts(true);
    expect(v!.status).toBe("inconclusive");
    expect(v!.reason).toMatch(/selector matches/);
  });

  it("rejects two checks with one id", () => {
    expect(() => startEvaluation([canary, canary])).toThrow(/share the id "canary"/);
  });
});

describe("convergence windows", () => {
  it("judge one window with a single look at the check's own band", () => {
    const window: CheckSpecInput = { ...canary, toleranceAbsolute: 0.05 } as CheckSpecInput;
    const [v] = evaluateWindow([window], split(100, 900));
    expect(v!.status).toBe("pass");
    expect(v!.reason).toMatch(/look 1 of 1/);
    // The previous policy (all stable) fails the new policy's window check.
    const [old] = evaluateWindow([window], split(0, 1000));
    expect(old!.status).toBe("fail");
  });

  it("a budget too small for the tolerance asked gives an explicit unresolvable verdict, never a judgement at a wider band", () => {
    // 400 requests resolve only about +/-14 points around 10%: a band that wide would let the
    // old policy (0%) pass as converged. The verdict says so and shows both tolerances.
    for (const window of [split(0, 400), split(40, 360)]) {
      const [v] = evaluateWindow([{ ...canary, maxSamples: 400 } as CheckSpecInput], window);
      expect(v!.status).toBe("inconclusive");
      expect(v!.unresolvable).toBe(true);
      expect(v!.requestedTolerance).toBe(0.02);
      expect(v!.tolerance).toBeGreaterThan(0.1);
      expect(v!.reason).toMatch(/^unresolvable: a budget of 400 samples resolves \+\/- 1\d\.\d\d points at best/);
    }
  });
});

describe("latency checks", () => {
  const p99: CheckSpecInput = { type: "latency", id: "p99", claim: "p99 end-to-end latency within 100 ms", metric: "e2e", quantile: 0.99, maxMs: 100 };

  it("pass when the quantile's upper confidence bound is within the objective", () => {
    const e = startEvaluation([p99]);
    // 20,000 samples, 0.2% slower than 100 ms: the share allowed is 1%.
    const values = Array.from({ length: 20_000 }, (_, i) => (i % 500 === 0 ? 150 : 10 + (i % 80)));
    e.observe({ outcomes: [{ version: "stable", status: 200, count: 20_000 }], latency: { e2e: latencies(values) }, evidence: ["e2e.json"] });
    const [v] = e.verdicts(true);
    expect(v!.status).toBe("pass");
    expect(v!.unit).toBe("ms");
    expect(v!.expected).toBe(100);
    expect(v!.interval!.high).toBeLessThanOrEqual(100);
    expectAuditable(v!);
  });

  it("fail when the lower confidence bound exceeds the objective", () => {
    const e = startEvaluation([p99]);
    const values = Array.from({ length: 5_000 }, (_, i) => (i % 20 === 0 ? 300 : 20));
    e.observe({ outcomes: [{ version: "stable", status: 200, count: 5_000 }], latency: { e2e: latencies(values) }, evidence: ["e2e.json"] });
    const [v] = e.verdicts(true);
    expect(v!.status).toBe("fail");
    expect(v!.interval!.low).toBeGreaterThan(100);
  });

  it("stay undecided on too few samples instead of comparing a point estimate", () => {
    const e = startEvaluation([p99]);
    const few = Array.from({ length: 300 }, () => 20);
    e.observe({ outcomes: [{ version: "stable", status: 200, count: 300 }], latency: { e2e: latencies(few) }, evidence: ["e2e.json"] });
    // Every sample is within the objective, yet 300 cannot show p99 <= 100 ms at 1e-3.
    expect(planLatency({ type: "latency", id: "p99", claim: "", metric: "e2e", quantile: 0.99, maxMs: 100 }).minSamplesToPass).toBeGreaterThan(300);
    expect(e.verdicts(true)[0]!.status).toBe("inconclusive");
  });

  it("count inter-token gaps as one sample per stream, the worst case of their correlation", () => {
    const itl: CheckSpecInput = { type: "latency", id: "itl", claim: "p90 inter-token gap within 30 ms", metric: "itl", quantile: 0.9, maxMs: 30 };
    const e = startEvaluation([itl]);
    const gaps = Array.from({ length: 10_000 }, () => 10);
    e.observe({
      outcomes: [{ version: "stable", status: 200, count: 100 }],
      latency: { e2e: latencies(Array(100).fill(500)), ttft: latencies(Array(100).fill(50)), itl: latencies(gaps) },
      evidence: ["itl.json"],
    });
    const [v] = e.verdicts(true);
    expect(v!.sampleSize).toBe(100);
    expect(v!.reason).toMatch(/worst case of their correlation/);
  });

  it("with unequal streams, count sum m / M (M the token limit), not the number of streams", () => {
    // 100 streams, 10,000 gaps: one stream of 9,901 gaps and 99 of one gap each. The worst-case
    // design effect is sum m^2 / sum m ~ 9,800, so the gaps are worth about one sample, not 100.
    const itl: CheckSpecInput = { type: "latency", id: "itl", claim: "p90 inter-token gap within 30 ms", metric: "itl", quantile: 0.9, maxMs: 30 };
    const e = startEvaluation([itl]);
    e.observe({
      outcomes: [{ version: "stable", status: 200, count: 100 }],
      latency: { e2e: latencies(Array(100).fill(500)), ttft: latencies(Array(100).fill(50)), itl: latencies(Array(10_000).fill(10)) },
      evidence: ["itl.json"],
      profile: { maxTokens: 10_000 },
    });
    const [v] = e.verdicts(true);
    expect(v!.sampleSize).toBe(1);
    expect(v!.status).toBe("inconclusive");
  });
});

describe("latency-share checks", () => {
  it("judge the share of requests an injected delay hit", () => {
    const delayed: CheckSpecInput = { type: "latency-share", id: "delayed", claim: "10% of requests delayed by 500 ms", metric: "ttft", slowerThanMs: 300, expected: 0.1 };
    const e = startEvaluation([delayed]);
    const n = 12_000;
    const values = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 540 : 40));
    e.observe({ outcomes: [{ version: "stable", status: 200, count: n }], latency: { e2e: latencies(values), ttft: latencies(values) }, evidence: ["ttft.json"] });
    const [v] = e.verdicts(true);
    expect(v!.status).toBe("pass");
    expect(v!.observed).toBeCloseTo(0.1, 10);
    expectAuditable(v!);
  });

  // Batches of 100: 60 answered 504 after `cutMs`, 40 served in 2 s; a batch may lack failure timing (k6, an older loadgen).
  const cutBatch = (cutMs: number, timed = true, evidence = "loadgen-1.json"): Observations => ({
    outcomes: [
      { version: "unknown", status: 504, count: 60 },
      { version: "stable", status: 200, count: 40 },
    ],
    latency: { e2e: latencies(Array(40).fill(2_000)), e2eFromSend: latencies(Array(40).fill(2_000)) },
    ...(timed ? { failedLatency: [{ status: 504, e2e: latencies(Array(60).fill(cutMs + 5)), e2eFromSend: latencies(Array(60).fill(cutMs)) }] } : {}),
    evidence: [evidence],
  });
  const anyLate: CheckSpecInput = { type: "latency-share", id: "any", claim: "no response after 10 s", metric: "e2eFromSend", responses: "all", slowerThanMs: 10_000, expected: 0, toleranceAbsolute: 0.2 };
  const okLate: CheckSpecInput = { ...anyLate, id: "ok", claim: "no success after 10 s", responses: "ok" };

  it("judge the latency of every response, failed ones included, or of successes alone, merged across batches", () => {
    const e = startEvaluation([anyLate, okLate], { looks: 1 });
    e.observe(cutBatch(12_000, true, "a.json"));
    e.observe(cutBatch(12_000, true, "b.json"));
    const [any, ok] = e.verdicts(true);
    // The 120 504s came at 12 s, the 80 successes at 2 s: only every response sees the late cuts.
    expect(any).toMatchObject({ status: "fail", observed: 0.6, sampleSize: 200 });
    expect(any!.reason).toMatch(/of every response/);
    expect(ok).toMatchObject({ status: "pass", observed: 0, sampleSize: 80 });
    const onTime = startEvaluation([anyLate], { looks: 1 });
    onTime.observe(cutBatch(9_000));
    onTime.observe(cutBatch(9_000));
    expect(onTime.verdicts(true)[0]).toMatchObject({ status: "pass", observed: 0, sampleSize: 200 });
  });

  it("are unsupported when a batch did not time its failures, even if others did; successes alone are still judged", () => {
    const e = startEvaluation([anyLate, okLate], { looks: 1 });
    e.observe(cutBatch(12_000));
    e.observe(cutBatch(12_000, false));
    const [any, ok] = e.verdicts(true);
    expect(any!.status).toBe("unsupported");
    expect(any!.reason).toMatch(/did not time failed requests/);
    expect(ok).toMatchObject({ status: "pass", sampleSize: 80 });
  });

  it("refuse time to first token of failed responses: failures are timed end to end only", () => {
    expect(() => startEvaluation([{ ...anyLate, metric: "ttft" }])).toThrow(/end to end only/);
  });
});

describe("histogram reading", () => {
  it("quantiles read off the buckets equal the recorder's own", () => {
    const values = Array.from({ length: 5000 }, (_, i) => 1 + ((i * 7919) % 1000) * 0.37);
    const s = latencies(values);
    const b = bucketsOf(s);
    expect(b.total).toBe(5000);
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      const fromRecorder = q === 0.5 ? s.p50 : q === 0.9 ? s.p90 : q === 0.99 ? s.p99 : s.p999;
      expect(quantileOfBuckets(b, q)).toBe(fromRecorder);
    }
    const below = countAtOrBelow(b, 100);
    expect(below.surely).toBeLessThanOrEqual(below.possibly);
  });

  it("the quantile interval uses the binomial order-statistic ranks", () => {
    // Values 1..1000 ms, one each: the value at rank r is r ms (to HDR precision).
    const b = bucketsOf(latencies(Array.from({ length: 1000 }, (_, i) => i + 1)));
    const level = 0.025;
    const { low, high } = quantileInterval(b, 1, 0.5, level);
    let u = 0;
    while (binomialSurvival(u, 1000, 0.5) > level) u++;
    let l = 1000;
    while (binomialCdf(l, 1000, 0.5) >= level) l--;
    expect(high).toBeCloseTo(u, 0);
    expect(low).toBeCloseTo(l + 1, 0);
    // The textbook 95% interval for the median of 1000 is about ranks 469..532.
    expect(low).toBeGreaterThan(465);
    expect(high).toBeLessThan(535);
  });
});
