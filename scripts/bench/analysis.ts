/**
 * Sequential interval checks against the fixed-sample rule, by seeded simulation and by exact
 * computation, plus the planner's sample sizes for the seed stacks' checks. Prints figures;
 * never fails on a number. Run: npx tsx scripts/bench/analysis.ts (or npm run bench).
 */
import { pathToFileURL } from "node:url";
import { planCheck, secondsFor, type CheckPlan } from "../../src/analysis/planner.js";
import { clopperPearsonUpper } from "../../src/analysis/proportion.js";
import { operatingCharacteristics } from "../../src/analysis/sequential.js";
import { binomialCdf, binomialLogPmf } from "../../src/analysis/special.js";
import { simulateDesign, simulateFixedRule } from "../../src/analysis/simulate.js";
import type { CheckSpecInput } from "../../src/analysis/verdict.js";

const SIMULATED_CHECKS = 200_000;
const SEED = 20_260_101;
const FIXED_REQUESTS = 500;
const FIXED_MARGIN = 0.05;
/** Request rate used to turn sample sizes into step durations. */
const RATE_PER_SECOND = 50;

const num = (x: number) => Math.round(x).toLocaleString("en-US");
const rate = (x: number) => (x === 0 ? "0" : x <= 1e-3 ? x.toExponential(1) : x.toPrecision(3));
const pad = (s: string, n: number) => s.padEnd(n);

/** 95% upper bound of a rate from a simulated count, so "0 of N" reads as "at most 1.5e-5". */
const upperBound = (count: number, runs: number) => clopperPearsonUpper(count, runs, 0.05);

/** Exact probability that the fixed rule fails (observed share more than the margin away). */
function fixedRuleFailure(p: number, expected: number): number {
  const lo = Math.ceil((expected - FIXED_MARGIN) * FIXED_REQUESTS - 1e-9);
  const hi = Math.floor((expected + FIXED_MARGIN) * FIXED_REQUESTS + 1e-9);
  return 1 - (binomialCdf(hi, FIXED_REQUESTS, p) - binomialCdf(lo - 1, FIXED_REQUESTS, p));
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)) + 2);
  return rows.map((r) => r.map((cell, c) => pad(cell, widths[c]!)).join("").trimEnd()).join("\n");
}

function compareRules(): void {
  const expected = 0.1;
  const spec: CheckSpecInput = { type: "proportion", id: "canary", claim: "10% reach the canary", numerator: { version: "canary" }, expected };
  const plan = planCheck(spec);
  if (plan.kind !== "proportion") throw new Error("unexpected plan kind");
  const offBy = 2 * plan.tolerance;

  const seq = simulateDesign(plan.design, expected, SIMULATED_CHECKS, SEED);
  const seqExact = operatingCharacteristics(plan.design, expected);
  const seqOff = simulateDesign(plan.design, expected + offBy, SIMULATED_CHECKS, SEED + 1);
  const fixed = simulateFixedRule(FIXED_REQUESTS, expected, FIXED_MARGIN, expected, SIMULATED_CHECKS, SEED + 2);
  const fixedOff = simulateFixedRule(FIXED_REQUESTS, expected, FIXED_MARGIN, expected + offBy, SIMULATED_CHECKS, SEED + 3);

  console.log(`90/10 split: does the canary get 10%? ${num(SIMULATED_CHECKS)} simulated checks per column (seed ${SEED}).`);
  console.log(plan.rule === "sprt"
    ? `Sequential: the SPRT pair of 10% against 6% and 14% (+/-${plan.tolerance * 100} points), ${plan.looks} looks of ${num(plan.samplesPerLook)}, thresholds calibrated exactly, budget ${num(plan.maxSamples)}.`
    : `Sequential: +/-${plan.tolerance * 100} points, ${plan.looks} looks of ${num(plan.samplesPerLook)}, Clopper-Pearson at ` +
      `${(plan.passConfidencePerLook * 100).toFixed(2)}% (pass) / ${(plan.confidencePerLook * 100).toFixed(5)}% (fail) per look, budget ${num(plan.maxSamples)}.`);
  console.log(`Fixed: ${FIXED_REQUESTS} requests, fail when the observed share is more than ${FIXED_MARGIN * 100} points from 10%.\n`);
  console.log(
    table([
      ["", "sequential +/-2 pts", `fixed ${FIXED_REQUESTS} +/-5 pts`],
      ["perfect mesh: mean requests", num(seq.meanSamples), num(FIXED_REQUESTS)],
      ["perfect mesh: p99 requests", num(seq.samplesQuantile(0.99)), num(FIXED_REQUESTS)],
      [
        "perfect mesh: false failures (simulated)",
        `${seq.fail} / ${num(SIMULATED_CHECKS)} (95% bound ${rate(upperBound(seq.fail, SIMULATED_CHECKS))})`,
        `${fixed.fail} / ${num(SIMULATED_CHECKS)} = ${rate(fixed.fail / SIMULATED_CHECKS)}`,
      ],
      ["perfect mesh: false failure (exact)", rate(seqExact.fail), rate(fixedRuleFailure(expected, expected))],
      ["perfect mesh: stated false failure", `<= ${rate(plan.falseFailure)}`, "not stated"],
      ["perfect mesh: inconclusive (simulated)", `${seq.inconclusive} / ${num(SIMULATED_CHECKS)}`, "never (always decides)"],
      [
        `mesh at ${((expected + offBy) * 100).toFixed(0)}% (2x tolerance off): passes`,
        `${seqOff.pass} / ${num(SIMULATED_CHECKS)} (stated <= ${rate(plan.falsePass)})`,
        `${num(SIMULATED_CHECKS - fixedOff.fail)} / ${num(SIMULATED_CHECKS)} = ${rate(1 - fixedOff.fail / SIMULATED_CHECKS)}`,
      ],
      [`mesh at ${((expected + offBy) * 100).toFixed(0)}%: mean requests`, num(seqOff.meanSamples), num(FIXED_REQUESTS)],
    ]),
  );
  const fixed7030 = fixedRuleFailure(0.3, 0.3);
  console.log(`\nFor reference, the fixed rule on a 70/30 split fails a perfect mesh with probability ${rate(fixed7030)} (exact), ` +
    `about once in ${num(1 / fixed7030)} runs.`);
}

function seedPlans(): void {
  const checks: CheckSpecInput[] = [
    { type: "proportion", id: "canary-90-10", claim: "10% of requests reach the canary", numerator: { version: "canary" }, expected: 0.1 },
    { type: "proportion", id: "aborts-5pct", claim: "5% of requests are aborted with 503", numerator: { status: 503 }, expected: 0.05 },
    { type: "latency-share", id: "delays-10pct", claim: "10% of requests are delayed by 500 ms", metric: "ttft", slowerThanMs: 400, expected: 0.1 },
    { type: "proportion", id: "no-errors", claim: "no request fails", numerator: { status: "error" }, expected: 0, toleranceAbsolute: 0.01 },
    { type: "latency", id: "ttft-p99", claim: "p99 time to first token within the SLO", metric: "ttft", quantile: 0.99, maxMs: 500 },
  ];
  const rows: string[][] = [["check", "band", "looks x size", "budget", "mean (ok mesh)", "p99 (ok mesh)", `expected s @${RATE_PER_SECOND}/s`, "budget s"]];
  for (const c of checks) {
    const plan: CheckPlan = planCheck(c);
    const band = plan.kind === "proportion"
      ? `${(plan.expected * 100).toFixed(0)}% +/- ${(plan.tolerance * 100).toFixed(0)} pts`
      : `exceed <= ${(plan.allowedExceedance * 100).toFixed(0)}%`;
    const ok = plan.kind === "proportion" ? plan.operating.perfect : plan.operating.comfortable;
    rows.push([
      c.id,
      band,
      `${plan.looks} x ${num(plan.samplesPerLook)}`,
      num(plan.maxSamples),
      num(ok.expectedSamples),
      num(ok.samplesP99),
      String(secondsFor(ok.expectedSamples, RATE_PER_SECOND)),
      String(secondsFor(plan.maxSamples, RATE_PER_SECOND)),
    ]);
  }
  console.log(`\nPlanner: sample sizes for the seed stacks' checks (falseFailure 1e-5, falsePass 1e-3; "ok mesh" is a perfect one,`);
  console.log(`or for latency one exceeding the objective at half the allowed rate; samples are requests in the check's denominator).\n`);
  console.log(table(rows));
}

/**
 * The Gateway API conformance rule for a weighted split (as of v1.5): 500 requests, each arm's
 * observed share (computed in float64) within +/-5 points of its weight; a failed attempt is
 * retried, up to 10 attempts. With two arms the shares are complementary, so both arms fail
 * together. Exact per attempt; the retries multiply a perfect mesh's flake away and a wrong
 * mesh's pass chance up: 1 - (1 - pass)^10.
 */
function gatewayApiRule(p: number, expected: number): { failPerAttempt: number; passWithRetries: number } {
  // Each arm's share and its distance from the weight in float64 (as Go computes them): at the
  // edges the two arms disagree (|0.7 - 375/500| = 0.05000000000000004 > 0.05, while
  // |0.3 - 125/500| = 0.04999999999999999), which is why the rule flakes more than +/-5 suggests.
  let fail = 0;
  for (let x = 0; x <= FIXED_REQUESTS; x++) {
    const armFails = Math.abs(expected - x / FIXED_REQUESTS) > FIXED_MARGIN || Math.abs(1 - expected - (FIXED_REQUESTS - x) / FIXED_REQUESTS) > FIXED_MARGIN;
    if (armFails) fail += Math.exp(binomialLogPmf(x, FIXED_REQUESTS, p));
  }
  return { failPerAttempt: fail, passWithRetries: 1 - fail ** 10 };
}

function sprtCurve(expected: number, tolerance: number, from: number, to: number, step: number): void {
  const spec: CheckSpecInput = { type: "proportion", id: "split", claim: `${expected * 100}% reach the canary`, numerator: { version: "canary" }, expected, toleranceAbsolute: tolerance };
  const plan = planCheck(spec);
  if (plan.kind !== "proportion") throw new Error("unexpected plan kind");
  console.log(`\n${((1 - expected) * 100).toFixed(0)}/${(expected * 100).toFixed(0)} at +/-${tolerance * 100} points: ${plan.rule === "sprt" ? "SPRT pair" : "interval test"}, ` +
    `${plan.looks} looks of ${num(plan.samplesPerLook)}, budget ${num(plan.maxSamples)}; exact false failure ${rate(plan.exactErrors.falseFailure)} ` +
    `(target ${rate(plan.falseFailure)}), false pass at +/-2x tolerance ${rate(plan.exactErrors.falsePass)} (target ${rate(plan.falsePass)}). Exact operating curve:\n`);
  const rows = [["true share", "pass", "fail", "inconclusive", "mean requests", "p99 requests", "Gateway API: fail/attempt", "pass within 10 attempts"]];
  for (let p = from; p <= to + 1e-9; p += step) {
    const oc = operatingCharacteristics(plan.design, p);
    const g = gatewayApiRule(p, expected);
    rows.push([`${(p * 100).toFixed(1)}%`, rate(oc.pass), rate(oc.fail), rate(oc.inconclusive), num(oc.expectedSamples), num(oc.samplesQuantile(0.99)), rate(g.failPerAttempt), rate(g.passWithRetries)]);
  }
  console.log(table(rows));
}

/** The same check through the real executor (planned measure step, batching, verdicts), on seeded binomial traffic. */
async function throughExecutor(expected: number, tolerance: number, trueShares: number[], runs: number, ratePerSecond: number): Promise<void> {
  const { executePlan } = await import("../../src/engine/executor.js");
  const { StepFactory, defineScenario } = await import("../../src/engine/scenario.js");
  const { plannedMeasure } = await import("../../scenarios/sizing.js");
  const { LatencyRecorder } = await import("../../src/analysis/hdr.js");
  const { binomialSampler, seededRandom } = await import("../../src/analysis/simulate.js");
  const { noneDriver } = await import("../../src/mesh/none/index.js");
  const { mkdtempSync } = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const scenario = defineScenario({
    name: "bench", description: "bench", claims: [], requires: [], baseline: true, clusters: ["local"],
    defaultLoad: { name: "bench", executor: "constant-arrival-rate", rate: ratePerSecond, durationSeconds: 60, mode: "plain" },
    build: () => ({ assess: [] }),
  });
  const target = { namespace: "bench", service: "llm", port: 8000, versionLabel: "version", versions: ["stable", "canary"], selector: {}, labels: {} };
  const ctx = { mesh: "none" as const, driver: noneDriver, routing: "native" as const, cluster: "local" as const, target, options: { seed: SEED }, workloadIdentity: () => undefined };
  const check: CheckSpecInput = { type: "proportion", id: "split", claim: "split", numerator: { version: "canary" }, expected, toleranceAbsolute: tolerance };
  const step = plannedMeasure(ctx, new StepFactory(ctx, scenario), "m", "measure", [check], { requires: [] });
  // No latency samples: the share check does not read them, and merging histograms would dominate the time.
  const e2e = new LatencyRecorder().summary();
  const runDir = mkdtempSync(path.join(os.tmpdir(), "meshproof-bench-"));
  const silent = { stepStarted() {}, stepFinished() {}, note() {} };
  const rows = [["true share", "runs", "pass", "fail", "inconclusive", "mean requests", "p99 requests", "mean batches"]];
  for (const [i, p] of trueShares.entries()) {
    const random = seededRandom(SEED + 100 + i);
    const samplers = new Map<number, () => number>();
    const tally = { pass: 0, fail: 0, inconclusive: 0 };
    const used: number[] = [];
    let batches = 0;
    for (let r = 0; r < runs; r++) {
      let requests = 0;
      const load = {
        async run(profile: import("../../src/load/profile.js").LoadProfile) {
          const n = Math.round(profile.rate * profile.durationSeconds);
          requests += n;
          batches += 1;
          let draw = samplers.get(n);
          if (!draw) samplers.set(n, (draw = binomialSampler(n, p, random)));
          const c = draw();
          return { profile, startedAt: "", endedAt: "", durationSeconds: profile.durationSeconds, offeredRps: profile.rate, achievedRps: profile.rate, requests: n, failed: 0, errorRate: 0, droppedIterations: 0,
            outcomes: [{ version: "canary", status: 200, count: c }, { version: "stable", status: 200, count: n - c }], latency: { e2e }, evidence: [] };
        },
      };
      const plan = { schemaVersion: 1 as const, runId: "bench", createdAt: "", command: "scenario" as const, name: "bench", options: {}, targetUrls: {},
        cluster: { name: "local", description: "", context: "", setup: [], teardown: [] },
        targets: [{ mesh: "none", meshVersion: "", cluster: "local", setup: [], teardown: [], scenarios: [{ scenario: "bench", description: "", claims: [], requires: [], phases: [{ name: "assess" as const, steps: [step] }] }] }] };
      const result = await executePlan(plan as never, { runDir, signal: new AbortController().signal, keep: false, progress: silent, commands: { run: async () => ({ exitCode: 0, stdout: "", stderr: "", durationMs: 0 }) }, processes: { start: async () => { throw new Error("no processes"); } }, kube: undefined, loadFor: () => load });
      const status = result.targets[0]!.scenarios[0]!.verdicts[0]!.status as keyof typeof tally;
      tally[status] += 1;
      used.push(requests);
    }
    used.sort((a, b) => a - b);
    rows.push([`${(p * 100).toFixed(1)}%`, num(runs), `${tally.pass}`, `${tally.fail}`, `${tally.inconclusive}`, num(used.reduce((a, b) => a + b, 0) / runs), num(used[Math.ceil(0.99 * runs) - 1]!), (batches / runs).toFixed(1)]);
  }
  console.log(`\nThrough the executor (planned measure step at ${ratePerSecond} requests/s: first batch ${step.load.durationSeconds} s, later batches sized to the next look, up to ${step.maxBatches} batches), seeded binomial traffic:\n`);
  console.log(table(rows));
}

export async function main(): Promise<void> {
  const started = performance.now();
  sprtCurve(0.3, 0.05, 0.15, 0.45, 0.025);
  await throughExecutor(0.3, 0.05, [0.3, 0.2, 0.4], Number(process.env.BENCH_EXECUTOR_RUNS ?? 5000), 20);
  sprtCurve(0.1, 0.02, 0.04, 0.16, 0.01);
  await throughExecutor(0.1, 0.02, [0.1, 0.06, 0.14], Number(process.env.BENCH_EXECUTOR_RUNS ?? 3000), 20);
  const g = gatewayApiRule(0.3, 0.3);
  console.log(`\nGateway API's rule on a perfect 70/30 mesh: fails ${rate(g.failPerAttempt)} per attempt (exact); with up to 10 attempts it passes a mesh at 35% ` +
    `with probability ${rate(gatewayApiRule(0.35, 0.3).passWithRetries)} and one at 40% with ${rate(gatewayApiRule(0.4, 0.3).passWithRetries)}.`);
  compareRules();
  seedPlans();
  console.log(`\nLatency resolution (llm-sim --delay-ms 1 on one side, paired interleaved runs): the statistics are in ` +
    `src/analysis/overhead.ts (pairedQuantileOverhead: pairs resampled together, no interval from fewer than 5 pairs, ` +
    `the smallest overhead resolved printed as half the interval); the live run is its own benchmark: npm run bench -- latency.`);
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
