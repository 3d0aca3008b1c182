/**
 * Sequential interval checks against the fixed-sample rule, by seeded simulation and by exact
 * computation, plus the planner's sample sizes for the seed stacks' checks. Prints figures;
 * never fails on a number. Run: npx tsx scripts/bench/analysis.ts (or npm run bench).
 */
import { pathToFileURL } from "node:url";
import { planCheck, secondsFor, type CheckPlan } from "../../src/analysis/planner.js";
import { clopperPearsonUpper } from "../../src/analysis/proportion.js";
import { operatingCharacteristics } from "../../src/analysis/sequential.js";
import { binomialCdf } from "../../src/analysis/special.js";
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
  console.log(`Sequential: +/-${plan.tolerance * 100} points, ${plan.looks} looks of ${num(plan.samplesPerLook)}, Clopper-Pearson at ` +
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

export function main(): void {
  const started = performance.now();
  compareRules();
  seedPlans();
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
