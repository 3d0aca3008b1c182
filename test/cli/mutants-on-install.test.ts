/**
 * `--mutants` on the command line and in the reports: a dry-run plans every mutant of the run's
 * scenarios on each target (a backend mutant with its reference-server swap and restore), the
 * one-mutant flag and it exclude each other, and report.md, report.html and junit.xml show each
 * outcome, a survivor as a failure.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MUTANTS } from "../../scenarios/mutants.js";
import { renderHtml } from "../../src/report/html.js";
import { renderJunit } from "../../src/report/junit.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import type { MutantRunRecord, RunResults } from "../../src/report/results.js";
import { summarizeMutants } from "../../src/report/results.js";
import { combinedExitCode } from "../../src/cli/mutant.js";
import { canaryRun } from "../report/fixtures.js";
import { schemaProblems } from "../report/schema-check.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(ROOT, "src/cli/main.ts");

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("--mutants", () => {
  it("a dry-run plans every mutant of the suite on each target's own install, after the scenarios it twins", () => {
    const out = mkdtempSync(path.join(tmpdir(), "meshproof-mutants-dry-"));
    const r = cli(["suite", "nightly", "--mesh", "both", "--mutants", "--dry-run", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const [runId] = readdirSync(out);
    const plan = JSON.parse(readFileSync(path.join(out, runId!, "plan.json"), "utf8"));
    expect(plan.options.mutants).toBe(true);
    for (const mesh of ["istio", "linkerd"]) {
      const target = plan.targets.find((t: { mesh: string }) => t.mesh === mesh);
      // Every mutant of the catalog: nightly runs every scenario on both meshes.
      expect(target.mutants.map((m: { mutant: { name: string } }) => m.mutant.name).sort()).toEqual(MUTANTS.map((m) => m.name).sort());
      for (const m of target.mutants) expect(m.aimedStep, `${mesh} ${m.mutant.name}`).not.toBe("");
    }
    const istio = plan.targets.find((t: { mesh: string }) => t.mesh === "istio");
    const permissive = istio.mutants.find((m: { mutant: { name: string } }) => m.mutant.name === "mtls-permissive");
    expect(permissive.aimedStep).toBe("strict-converge");
    const mtlsManifests = readdirSync(path.join(out, runId!, "manifests/istio/mutant-mtls-permissive--strict-mtls")).map((f) => readFileSync(path.join(out, runId!, "manifests/istio/mutant-mtls-permissive--strict-mtls", f), "utf8")).join("\n");
    expect(mtlsManifests).toMatch(/mode: PERMISSIVE/);
    // The backend mutant swaps the stack's sims for slow ones, and restores them.
    const slow = istio.mutants.find((m: { mutant: { name: string } }) => m.mutant.name === "benchmark-slow-backend");
    const steps = slow.plan.phases.flatMap((p: { steps: { id: string }[] }) => p.steps.map((s) => s.id));
    expect(steps[0]).toBe("mutant-backend");
    expect(steps).toContain("restore-backend");
    expect(r.stderr).toMatch(/istio: 13 mutants on the same install/);
  });

  it("--mutant and --mutants exclude each other (exit 2)", () => {
    const r = cli(["scenario", "mtls", "--mutant", "mtls-permissive", "--mutants", "--dry-run", "--out", mkdtempSync(path.join(tmpdir(), "meshproof-mutants-x-"))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mutants runs every mutant/);
  });

  it("the exit code: a failed check or a surviving mutant is 1, then inconclusive is 3", () => {
    expect(combinedExitCode(0, 0)).toBe(0);
    expect(combinedExitCode(0, 1)).toBe(1);
    expect(combinedExitCode(1, 0)).toBe(1);
    expect(combinedExitCode(3, 1)).toBe(1);
    expect(combinedExitCode(0, 3)).toBe(3);
    expect(combinedExitCode(3, 0)).toBe(3);
    expect(combinedExitCode(4, 0)).toBe(4);
  });
});

function withMutants(statuses: MutantRunRecord["status"][]): RunResults {
  const results = canaryRun();
  const target = results.targets[0]!;
  target.mutants = statuses.map((status, i) => ({
    name: `mutant-${status}-${i}`,
    scenario: "canary",
    wrong: "a 50/50 split where 90/10 is claimed",
    aimedAt: "shift-10-converged-share",
    kind: "mesh-config",
    aimedStep: "shift-10-converge",
    status,
    reason: status === "killed" ? "shift-10-converge-converged failed: did not converge within 45s, the floor" : `${status} because`,
    durationMs: 61_000,
    run: { ...target.scenarios[0]!, verdicts: [] },
  }));
  results.summary = { ...results.summary, mutants: summarizeMutants(results.targets)! };
  return results;
}

describe("mutant outcomes in the reports", () => {
  it("results.json with mutants validates against the schema", () => {
    expect(schemaProblems(JSON.parse(JSON.stringify(withMutants(["killed", "survived"]))))).toEqual([]);
  });

  it("report.md and report.html list each mutant with its outcome and why; a survivor reads as one", async () => {
    const results = withMutants(["killed", "survived", "unsupported"]);
    const md = renderMarkdown(results);
    expect(md).toMatch(/## Mutants/);
    expect(md).toMatch(/1 killed, 1 not supported, 1 survived, 0 not judged, 0 inconclusive/);
    expect(md).toMatch(/`mutant-killed-0`.*killed.*did not converge within 45s/);
    expect(md).toMatch(/`mutant-survived-1`.*SURVIVED/);
    const html = await renderHtml(results);
    expect(html).toMatch(/<h2>Mutants<\/h2>/);
    expect(html).toMatch(/badge fail[^<]*SURVIVED/);
    expect(renderMarkdown(canaryRun())).not.toMatch(/## Mutants/);
  });

  it("junit.xml: a killed mutant passes, a survivor and an unjudged one fail, inconclusive errs, not supported skips", () => {
    const xml = renderJunit(withMutants(["killed", "survived", "not-judged", "inconclusive", "unsupported"]));
    const suite = xml.match(/<testsuite name="[^"]+\/mutants"[^>]*>/)?.[0] ?? "";
    expect(suite).toMatch(/tests="5"/);
    expect(suite).toMatch(/failures="2"/);
    expect(suite).toMatch(/errors="1"/);
    expect(suite).toMatch(/skipped="1"/);
    expect(xml).toMatch(/mutant survived: survived because/);
  });
});
