/**
 * A fresh local run, as a user starts it: the benchmark on plain processes (llm-sim, the load
 * generator, Prometheus on loopback). Its results.json must match the published schema, and its
 * report.html must open in headless Chromium with every chart drawn and every evidence link
 * resolving from the run folder; the screenshot stays in the run folder. Needs `npm run setup`.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResults } from "../../src/report/results.js";
import { checkReportPage, openBrowser } from "./browser.js";
import { schemaProblems } from "./schema-check.js";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("a fresh local run", () => {
  it("writes a results.json the schema accepts and a report.html that renders every chart", async () => {
    const out = mkdtempSync(path.join(tmpdir(), "meshproof-fresh-"));
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "scenario", "benchmark", "--cluster", "local", "--mesh", "none", "--duration", "5s", "--out", out],
      { cwd: ROOT, env: { ...process.env, CI: "true" }, encoding: "utf8", timeout: 600_000 },
    );
    // 0, 1 or 3: the run judged something; anything else (4: a tool is missing) is the failure to show.
    expect([0, 1, 3], `exit ${run.status}\n${run.stderr.slice(-2000)}`).toContain(run.status);
    const [runId] = readdirSync(out);
    const runDir = path.join(out, runId!);
    const results = JSON.parse(readFileSync(path.join(runDir, "results.json"), "utf8")) as RunResults;
    expect(schemaProblems(results)).toEqual([]);
    const measured = results.targets.flatMap((t) => t.scenarios.flatMap((sc) => sc.steps.filter((st) => (st.load?.requests ?? 0) > 0)));
    expect(measured.length, `no step drove load:\n${run.stderr.slice(-3000)}`).toBeGreaterThan(0);
    const browser = await openBrowser();
    try {
      const page = await checkReportPage(browser.context, runDir);
      expect(page.errors).toEqual([]);
      expect(page.charts.length).toBeGreaterThan(0);
      expect(page.broken).toEqual([]);
      expect(page.deadEvidence).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 660_000);
});
