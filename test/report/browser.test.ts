/**
 * Every recorded run (failures, inconclusive, not supported, an aborted run, a nightly suite)
 * re-rendered by this build and opened in headless Chromium: every chart drawn, no script error,
 * no network request, evidence links that resolve from the report's folder, a screenshot saved.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadResults } from "../../src/report/load-results.js";
import { allVerdicts, type RunResults } from "../../src/report/results.js";
import { writeReports } from "../../src/report/write.js";
import { checkReportPage, openBrowser, type OpenBrowser } from "./browser.js";
import { RECORDED_DIR } from "./record.js";

let browser: OpenBrowser;

beforeAll(async () => {
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** The evidence files a run names, created empty, as a run folder holds them. */
function placeEvidence(results: RunResults, runDir: string): void {
  const paths = new Set<string>();
  for (const v of allVerdicts(results)) for (const e of v.evidence) paths.add(e);
  for (const t of results.targets) for (const sc of t.scenarios) for (const s of sc.steps) for (const e of s.evidence ?? []) paths.add(e);
  for (const p of paths) {
    if (p.startsWith("/") || p.includes("..")) continue;
    mkdirSync(dirname(join(runDir, p)), { recursive: true });
    writeFileSync(join(runDir, p), "{}\n");
  }
}

describe("report.html in headless Chromium", () => {
  for (const name of readdirSync(RECORDED_DIR)) {
    it(`${name}: every chart rendered, no errors, evidence links resolve, screenshot saved`, async () => {
      const results = await loadResults(join(RECORDED_DIR, name, "results.json"));
      const runDir = join(mkdtempSync(join(tmpdir(), "meshproof-browser-")), results.runId);
      placeEvidence(results, runDir);
      await writeReports(results, runDir);
      const check = await checkReportPage(browser.context, runDir);
      expect(check.errors).toEqual([]);
      expect(check.charts.length).toBeGreaterThan(0);
      expect(check.broken).toEqual([]);
      expect(check.deadEvidence).toEqual([]);
      expect(existsSync(check.screenshot)).toBe(true);
      expect(statSync(check.screenshot).size).toBeGreaterThan(20_000);
    });
  }

  it("notices a chart that drew nothing (the check can fail)", async () => {
    const results = await loadResults(join(RECORDED_DIR, "bench-none", "results.json"));
    const runDir = join(mkdtempSync(join(tmpdir(), "meshproof-browser-")), results.runId);
    await writeReports(results, runDir);
    const html = join(runDir, "report.html");
    const { readFileSync } = await import("node:fs");
    writeFileSync(html, readFileSync(html, "utf8").replace(/(<figure class="chart" id="chart-1"[^>]*>)<svg[\s\S]*?<\/svg>/, "$1"));
    const check = await checkReportPage(browser.context, runDir);
    expect(check.broken).toEqual(["chart-1"]);
  });
});
