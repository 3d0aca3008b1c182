/**
 * A mutant run for real, with no cluster: the benchmark's slow-backend twin on `--cluster local`
 * starts real llm-sim processes holding every completion 3 s, drives bounded load at them with
 * the default load generator on loopback, and must be killed: its aimed check (p90 time to first token) fails.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findTool } from "../../src/core/tools.js";
import { DEFAULT_LOAD_ENGINE, ENGINE_TOOL } from "../../src/load/index.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(ROOT, "src/cli/main.ts");
/** About 150 requests at 10/s: enough for the first look of the p90 check, bounded in count and time. */
const RUN_LIMIT_MS = 600_000;

describe("a mutant run on --cluster local", () => {
  it("benchmark-slow-backend is killed: sweep-1-ttft fails, the run exits 0 and results.json says so", () => {
    // Fails (never skips) with what to install when the load generator or Prometheus is missing.
    findTool(ENGINE_TOOL[DEFAULT_LOAD_ENGINE]);
    findTool("prometheus");
    const out = mkdtempSync(path.join(tmpdir(), "meshproof-mutant-local-"));
    const run = spawnSync(
      process.execPath,
      ["--import", "tsx", MAIN, "scenario", "--mutant", "benchmark-slow-backend", "--cluster", "local", "--mesh", "none", "--rate", "20", "--duration", "5s", "--out", out],
      { cwd: ROOT, env: process.env, encoding: "utf8", timeout: RUN_LIMIT_MS },
    );
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    expect(run.stderr).toMatch(/benchmark-slow-backend: mutant killed — sweep-1-ttft failed/);
    const [runId] = readdirSync(out);
    const results = JSON.parse(readFileSync(path.join(out, runId!, "results.json"), "utf8"));
    expect(results.mutant).toMatchObject({ name: "benchmark-slow-backend", aimedAt: "sweep-1-ttft", kind: "backend", outcomes: [{ mesh: "none", status: "killed" }] });
    expect(results.options.mutant).toMatchObject({ name: "benchmark-slow-backend" });
    const verdict = results.targets[0].scenarios[0].verdicts.find((v: { checkId: string }) => v.checkId === "sweep-1-ttft");
    expect(verdict.status).toBe("fail");
    // Only the aimed step ran, judging only the aimed check.
    expect(results.targets[0].scenarios[0].verdicts).toHaveLength(1);
    expect(results.summary.exitCode).toBe(0);
  }, RUN_LIMIT_MS + 30_000);
});
