import { calibrateSprt } from "./src/analysis/sprt-plan.ts";
import { operatingCharacteristics } from "./src/analysis/sequential.ts";
for (const [p0, t] of [[0.3, 0.05], [0.1, 0.02]] as const) {
  const t0 = performance.now();
  const c = calibrateSprt({ expected: p0, tolerance: t, falseFailure: 1e-5, falsePass: 1e-3, undecided: 1e-3 }, { low: p0 - t, high: p0 + t }, { pass: 1e-3, fail: 1e-5 });
  const oc = operatingCharacteristics(c.design, p0);
  console.log(process.env.LPE, p0, t, "g", c.lookSize, "looks", c.design.lookSamples.length, "N", c.design.lookSamples.at(-1), "logA", c.rule.logA.toFixed(3), "logB", c.rule.logB.toFixed(3), "ff", c.exactFalseFailure.toExponential(2), "fp", c.exactFalsePass.toExponential(2), "mean", oc.expectedSamples.toFixed(1), "inc", oc.inconclusive.toExponential(2), ((performance.now()-t0)/1000).toFixed(2)+"s");
}
