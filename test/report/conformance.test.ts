import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { renderConformance, type ConformanceReport } from "../../src/report/conformance.js";
import type { RunResults } from "../../src/report/results.js";
import { HOSTILE, benchmarkRun, canaryRun, hostileRun } from "./fixtures.js";

function parse(results: RunResults): ConformanceReport[] {
  const text = renderConformance(results);
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error("expected YAML documents");
  for (const doc of docs) expect(doc.errors).toEqual([]);
  return docs.map((d) => d.toJS() as ConformanceReport);
}

describe("renderConformance", () => {
  it("writes one ConformanceReport document per mesh", () => {
    const reports = parse(canaryRun());
    expect(reports.map((r) => [r.apiVersion, r.kind, r.implementation.project, r.implementation.version])).toEqual([
      ["meshproof.dev/v1alpha1", "ConformanceReport", "istio", "1.30.3"],
      ["meshproof.dev/v1alpha1", "ConformanceReport", "linkerd", "version-2.20"],
    ]);
    expect(reports[0]?.date).toBe("2026-03-14T02:00:00.000Z");
    expect(renderConformance(canaryRun())).toContain(`date: "2026-03-14T02:00:00.000Z"`);
  });

  it("counts passed, failed, skipped (unsupported) and inconclusive checks, per mesh and per scenario", () => {
    const [istio, linkerd] = parse(canaryRun());
    expect(istio?.statistics).toEqual({ Passed: 2, Failed: 1, Skipped: 0, Inconclusive: 0 });
    expect(istio?.result).toBe("failure");
    expect(istio?.profiles[0]?.failedTests).toEqual(["chaos-delay-share"]);
    expect(linkerd?.statistics).toEqual({ Passed: 1, Failed: 0, Skipped: 1, Inconclusive: 1 });
    // Inconclusive is not success: the profile is partial and names the check.
    expect(linkerd?.result).toBe("partial");
    expect(linkerd?.profiles[0]).toMatchObject({ name: "canary", result: "partial", inconclusiveTests: ["split-canary-share"], skippedTests: ["chaos-delay-share"] });
  });

  it("derives supported and unsupported features from the intents and the mesh's reasons", () => {
    const [istio, linkerd] = parse(canaryRun());
    expect(istio?.supportedFeatures).toEqual(["fault", "route", "split"]);
    expect(istio?.unsupportedFeatures).toEqual([]);
    expect(linkerd?.supportedFeatures).toEqual(["route", "split"]);
    expect(linkerd?.unsupportedFeatures).toEqual(["fault"]);
    expect(linkerd?.unsupportedReasons["fault"]).toContain("Linkerd has no delay injection");
  });

  it("gives success when every check passed, and failure with the error when a scenario errored", () => {
    const passing = benchmarkRun({ rates: [5, 10] });
    expect(parse(passing)[0]).toMatchObject({ result: "success", statistics: { Passed: 2, Failed: 0, Skipped: 0, Inconclusive: 0 } });
    const errored = benchmarkRun({ rates: [5, 10] });
    const scenario = errored.targets[0]?.scenarios[0];
    if (!scenario?.steps[1]) throw new Error("fixture shape changed");
    scenario.status = "error";
    scenario.steps[1].status = "failed";
    scenario.steps[1].error = "k6 exited 107: script error";
    expect(parse(errored)[0]?.profiles[0]).toMatchObject({ result: "failure", error: "k6 exited 107: script error" });
  });

  it("round-trips hostile text exactly", () => {
    const [istio] = parse(hostileRun());
    expect(istio?.profiles[0]?.description).toBe(HOSTILE);
  });
});
