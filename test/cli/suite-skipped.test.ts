/**
 * A suite on a cluster where some of its scenarios cannot run (`nightly --cluster local` runs
 * only the benchmark) records each scenario it left out, with why, in the plan, and the reports
 * say so; a single scenario that cannot run there stays a usage error.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveSuite } from "../../src/cli/definitions.js";
import { parseRunOptions } from "../../src/cli/options.js";
import { planRun } from "../../src/cli/run.js";
import { renderHtml } from "../../src/report/html.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { canaryRun } from "../report/fixtures.js";

const plan = async (command: "scenario" | "suite", name: string) =>
  (await planRun(command, name, parseRunOptions({ cluster: "local", mesh: "none", dryRun: true }), "skipped", mkdtempSync(join(tmpdir(), "meshproof-skipped-")))).plan;

describe("a suite's scenarios that cannot run on the chosen cluster", () => {
  it("are in the plan, each with the reason, and the rest of the suite is planned", async () => {
    const p = await plan("suite", "nightly");
    const local = resolveSuite("nightly").filter((s) => s.clusters.includes("local")).map((s) => s.name);
    const elsewhere = resolveSuite("nightly").filter((s) => !s.clusters.includes("local")).map((s) => s.name);
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(p.skippedScenarios?.map((s) => s.scenario)).toEqual(elsewhere);
    for (const s of p.skippedScenarios!) expect(s.reason).toMatch(/^cannot run on --cluster local; it runs on: .*kind/);
    expect(p.targets.flatMap((t) => t.scenarios.map((s) => s.scenario))).toEqual(expect.arrayContaining(local));
  });

  it("are not invented when every scenario runs", async () => {
    const all = await planRun("suite", "smoke", parseRunOptions({ cluster: "kind", mesh: "istio", dryRun: true }), "skipped", mkdtempSync(join(tmpdir(), "meshproof-skipped-")));
    expect(all.plan.skippedScenarios).toBeUndefined();
  });

  it("a single scenario that cannot run there is refused instead", async () => {
    await expect(plan("scenario", "canary")).rejects.toThrow(/scenario "canary" cannot run on --cluster local/);
  });

  it("are listed in report.md and report.html", async () => {
    const results = { ...canaryRun(), skippedScenarios: [{ scenario: "mtls", reason: "cannot run on --cluster local; it runs on: kind, gke" }] };
    expect(renderMarkdown(results)).toContain("> **Not run on this cluster** (the suite's other scenarios):\n> - mtls: cannot run on --cluster local; it runs on: kind, gke");
    expect(await renderHtml(results)).toContain("<strong>Not run on this cluster</strong> (the suite's other scenarios):<ul><li>mtls: cannot run on --cluster local; it runs on: kind, gke</li></ul>");
    expect(renderMarkdown(canaryRun())).not.toContain("Not run on this cluster");
  });
});
