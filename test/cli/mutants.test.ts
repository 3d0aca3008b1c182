/**
 * `--mutant` on the command line: listed in --help and --list, a typo exits 2 with the nearest
 * name, and a dry-run writes the mutated manifests and records the mutant in plan.json.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MUTANTS } from "../../scenarios/mutants.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(ROOT, "src/cli/main.ts");

function cli(args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("--mutant", () => {
  it("--help and --list show every mutant with the check it must fail", () => {
    const help = cli(["scenario", "--help"]);
    const list = cli(["scenario", "--list"]);
    expect(help.code).toBe(0);
    expect(list.code).toBe(0);
    for (const m of MUTANTS) {
      expect(help.stdout).toContain(m.name);
      expect(list.stdout).toMatch(new RegExp(`${m.name} .*must fail: ${m.aimedAt}`));
    }
  });

  it("an unknown mutant exits 2 with the nearest name, and a mutant of another scenario exits 2", () => {
    const typo = cli(["scenario", "--mutant", "mtls-permisive", "--dry-run"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown mutant "mtls-permisive"/);
    expect(typo.stderr).toMatch(/did you mean "mtls-permissive"/);
    const other = cli(["scenario", "canary", "--mutant", "mtls-permissive", "--dry-run"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/twin of scenario "mtls"/);
    const suite = cli(["suite", "nightly", "--mutant", "mtls-permissive", "--dry-run"]);
    expect(suite.code).toBe(2);
  });

  it("a dry-run writes the mutated manifests and records the mutant in plan.json", () => {
    const out = mkdtempSync(path.join(tmpdir(), "meshproof-mutant-dry-"));
    const r = cli(["scenario", "--mutant", "mtls-permissive", "--mesh", "both", "--dry-run", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Mutant mtls-permissive of mtls: .*strict-converged-refused must fail/);
    const [runId] = readdirSync(out);
    const runDir = path.join(out, runId!);
    const plan = JSON.parse(readFileSync(path.join(runDir, "plan.json"), "utf8"));
    expect(plan.options.mutant).toMatchObject({ name: "mtls-permissive", scenario: "mtls", aimedAt: "strict-converged-refused", kind: "mesh-config" });
    const istio = readFileSync(path.join(runDir, "manifests/istio/mtls--strict-mtls/01-peerauthentication-llm-mtls.yaml"), "utf8");
    expect(istio).toMatch(/mode: PERMISSIVE/);
    expect(istio).not.toMatch(/STRICT/);
    const linkerdDir = path.join(runDir, "manifests/linkerd/mtls--strict-mtls");
    const linkerd = readdirSync(linkerdDir).map((f) => readFileSync(path.join(linkerdDir, f), "utf8")).join("\n");
    expect(linkerd).toMatch(/accessPolicy: all-unauthenticated/);
    // The run ends at the step judging the aimed check: the permissive half of the scenario is not planned.
    expect(readdirSync(path.join(runDir, "manifests/istio"))).not.toContain("mtls--permissive-mtls");
  });

  it("a backend mutant's dry-run shows the wrong backend settings in the stack it deploys", () => {
    const out = mkdtempSync(path.join(tmpdir(), "meshproof-mutant-dry-"));
    const r = cli(["scenario", "--mutant", "benchmark-slow-backend", "--mesh", "istio", "--dry-run", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const [runId] = readdirSync(out);
    const plan = JSON.parse(readFileSync(path.join(out, runId!, "plan.json"), "utf8"));
    expect(plan.options.mutant).toMatchObject({ kind: "backend", backend: { delayMs: 3000 } });
    const stack = path.join(out, runId!, "manifests/istio/setup--deploy-stack");
    for (const version of ["stable", "canary"]) {
      const deployment = readFileSync(path.join(stack, readdirSync(stack).find((f) => f.endsWith(`deployment-llm-sim-${version}.yaml`))!), "utf8");
      expect(deployment).toMatch(/- name: LLMSIM_DELAY_MS\n\s*value: "3000"/);
    }
  });

  it("--mutant all plans every mutant that runs on the chosen cluster and mesh, one run folder each", () => {
    const out = mkdtempSync(path.join(tmpdir(), "meshproof-mutant-all-"));
    const r = cli(["scenario", "--mutant", "all", "--mesh", "linkerd", "--dry-run", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    // Every scenario runs on Linkerd, so every mutant does.
    const linkerdMutants = MUTANTS;
    const runs = readdirSync(out).map((id) => JSON.parse(readFileSync(path.join(out, id, "plan.json"), "utf8")).options.mutant.name).sort();
    expect(runs).toEqual(linkerdMutants.map((m) => m.name).sort());
    expect(r.stderr).toMatch(new RegExp(`mutants: ${runs.length} planned \\(--dry-run`));
    const local = cli(["scenario", "--mutant", "all", "--cluster", "local", "--mesh", "none", "--dry-run", "--out", out]);
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).toMatch(/== mutant benchmark-slow-backend \(1 of 1\)/);
  });
});
