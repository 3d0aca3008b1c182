/**
 * The verdict fields issue 9 asks every report to show: requested and achieved tolerance,
 * error probabilities computed for the design that ran beside their targets, and each
 * scenario's family-wise bounds.
 */
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/report/markdown.js";
import { renderHtml } from "../../src/report/html.js";
import { familyWiseBounds } from "../../src/report/results.js";
import { formatErrorProbabilities, formatTolerance } from "../../src/report/format.js";
import type { Verdict } from "../../src/analysis/verdict.js";
import { canaryRun } from "./fixtures.js";

const widened: Verdict = {
  checkId: "window",
  claim: "10% reach the canary",
  status: "pass",
  reason: "inside",
  expected: 0.1,
  observed: 0.1,
  unit: "proportion",
  requestedTolerance: 0.045,
  tolerance: 0.0457,
  errorProbabilities: { falseFailure: 9.9e-6, falsePass: 9.7e-4, targets: { falseFailure: 1e-5, falsePass: 1e-3 } },
  evidence: [],
};

describe("verdict fields in reports", () => {
  it("show achieved beside requested tolerance when they differ, and computed errors beside targets", () => {
    expect(formatTolerance(widened)).toBe("±4.6 pts (asked ±4.5 pts)");
    expect(formatTolerance({ ...widened, tolerance: 0.045 })).toBe("±4.5 pts");
    expect(formatErrorProbabilities(widened)).toMatch(/\(targets .*1.*e-5.* \/ .*1.*e-3.*\)|\(targets /);
  });

  it("state each scenario's family-wise bounds, in Markdown and HTML", async () => {
    const run = canaryRun();
    const scenario = run.targets[0]!.scenarios[0]!;
    scenario.verdicts = [...scenario.verdicts, widened, { ...widened, checkId: "w2" }];
    scenario.familyWise = familyWiseBounds(scenario.verdicts);
    expect(scenario.familyWise!.falseFailure).toBeGreaterThanOrEqual(2 * 9.9e-6);
    expect(renderMarkdown(run)).toMatch(/family-wise: a mesh keeping all \d+ judged promises fails at least one/);
    expect(await renderHtml(run)).toMatch(/family-wise: a mesh keeping all \d+ judged promises/);
  });
});
