/**
 * The command-line contract (DESIGN section 7), run as a user would: a real process, real exit
 * codes, real files. No cluster is needed: the runs here either stop before creating anything
 * or are dry-runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MAIN = path.join(ROOT, "src/cli/main.ts");

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: ROOT, env, encoding: "utf8", timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const tmp = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

interface PlannedLoadStep {
  kind: string;
  loadCommand?: { engine: string; argv: string[] };
  onFail?: PlannedLoadStep[];
}

/** Every measure and converge step of a plan.json, gate branches included. */
function loadSteps(plan: { targets: Array<{ scenarios: Array<{ phases: Array<{ steps: PlannedLoadStep[] }> }> }> }): PlannedLoadStep[] {
  const found: PlannedLoadStep[] = [];
  const walk = (steps: PlannedLoadStep[]) => {
    for (const step of steps) {
      if (step.kind === "measure" || step.kind === "converge") found.push(step);
      if (step.onFail) walk(step.onFail);
    }
  };
  for (const target of plan.targets) for (const scenario of target.scenarios) for (const phase of scenario.phases) walk(phase.steps);
  return found;
}

describe("meshproof CLI", () => {
  it("an unknown scenario exits 2 with the nearest name and no stack trace", () => {
    const r = cli(["scenario", "nosuch"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown scenario "nosuch"/);
    expect(r.stderr).toMatch(/nearest is "/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it("a bad option exits 2 naming the option", () => {
    const r = cli(["scenario", "canary", "--duration", "soon", "--dry-run"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--duration: "soon" is not a duration/);
  });

  it("with the load generator in no location, a local run exits 4 and says how to get it, before starting anything", () => {
    const out = tmp("meshproof-cli-out-");
    const env = { ...process.env, XDG_CACHE_HOME: tmp("meshproof-empty-cache-"), PATH: "/usr/bin:/bin", LOADGEN_BIN: "" };
    const r = cli(["scenario", "benchmark", "--cluster", "local", "--mesh", "none", "--duration", "5s", "--out", out], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/loadgen: run `npm run setup`/);
    expect(r.stderr).not.toMatch(/start llm-sim/);
    // Preflight comes before the run folder: a run that cannot start leaves nothing behind.
    expect(readdirSync(out)).toEqual([]);
  });

  it("with --load-engine k6 and no k6 installed, a local run exits 4: k6 is optional and not shipped", () => {
    const out = tmp("meshproof-cli-out-");
    const env = { ...process.env, XDG_CACHE_HOME: tmp("meshproof-empty-cache-"), PATH: "/usr/bin:/bin", K6_BIN: "" };
    const r = cli(["scenario", "benchmark", "--cluster", "local", "--mesh", "none", "--duration", "5s", "--load-engine", "k6", "--out", out], env);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/k6: k6 is optional and not shipped/);
    expect(r.stderr).not.toMatch(/start llm-sim/);
  });

  it("--dry-run of the nightly suite on both meshes writes plan.json and manifests per mesh and step", () => {
    const out = tmp("meshproof-cli-dry-");
    const r = cli(["suite", "nightly", "--mesh", "both", "--dry-run", "--out", out]);
    expect(r.code).toBe(0);
    const [runId] = readdirSync(out);
    const runDir = path.join(out, runId!);
    const plan = JSON.parse(readFileSync(path.join(runDir, "plan.json"), "utf8"));
    expect(plan.dryRun).toBe(true);
    expect(plan.targets.map((t: { mesh: string }) => t.mesh)).toEqual(["none", "istio", "linkerd"]);
    expect(readdirSync(path.join(runDir, "manifests")).sort()).toEqual(["istio", "linkerd", "none"]);
    expect(readdirSync(path.join(runDir, "manifests", "istio")).some((d) => d.startsWith("canary--"))).toBe(true);
    // The kind cluster's commands are in the plan, with their undo.
    expect(JSON.stringify(plan.cluster.setup)).toMatch(/"kind","create","cluster"/);
    // Every unsupported intent is marked with the mesh's reason.
    const unsupported = JSON.stringify(plan).match(/"kind":"unsupported"[^}]*"reason":"[^"]+"/g) ?? [];
    expect(unsupported.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/not supported on linkerd/);
    // Every load step shows the built-in generator's exact command, exec'd in the meshed pod
    // (or the outsider pod), and the engine is recorded.
    expect(plan.options.loadEngine).toBe("builtin");
    const loads = loadSteps(plan);
    expect(loads.length).toBeGreaterThan(10);
    expect(loads.every((step) => step.loadCommand?.engine === "builtin")).toBe(true);
    const commands = loads.map((step) => step.loadCommand!.argv);
    for (const argv of commands) {
      expect(argv.slice(0, 3)).toEqual(["kubectl", "--context", "kind-meshproof"]);
      expect(argv.slice(argv.indexOf("--"), argv.indexOf("--") + 3)).toEqual(["--", "/loadgen", "run"]);
      expect(argv).toContain("loadgen"); // the container
    }
    // Each setup step says what it waits for in words of its own (Istio had two "wait until istiod has rolled out").
    for (const target of plan.targets as Array<{ mesh: string; setup: Array<{ name: string }> }>) {
      const names = target.setup.map((s) => s.name);
      expect(names.filter((n, i) => names.indexOf(n) !== i), target.mesh).toEqual([]);
    }
    // The outsider's load runs in its Deployment, in the mesh's own outsider namespace.
    expect(commands.some((argv) => argv.includes("deploy/outsider") && argv.some((a) => a.endsWith("-outsider")))).toBe(true);
  });

  it("--dry-run with --load-engine k6 shows k6 commands and the user's K6_IMAGE, builds no image", () => {
    const out = tmp("meshproof-cli-dry-k6-");
    const r = cli(["scenario", "mtls", "--mesh", "istio", "--load-engine", "k6", "--dry-run", "--out", out], { ...process.env, K6_IMAGE: "example.org/my-k6:1" });
    expect(r.code, r.stderr).toBe(0);
    const [runId] = readdirSync(out);
    const text = readFileSync(path.join(out, runId!, "plan.json"), "utf8");
    const plan = JSON.parse(text);
    expect(plan.options.loadEngine).toBe("k6");
    const loads = loadSteps(plan);
    expect(loads.length).toBeGreaterThan(0);
    for (const step of loads) {
      expect(step.loadCommand?.engine).toBe("k6");
      expect(step.loadCommand?.argv).toContain("k6");
    }
    const manifests = readdirSync(path.join(out, runId!, "manifests"), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(path.join(e.parentPath, e.name), "utf8"))
      .join("\n");
    expect(manifests).toContain("image: example.org/my-k6:1");
    expect(manifests).not.toContain("meshproof/loadgen:");
    expect(text).not.toContain("meshproof/loadgen:");
    expect(text).not.toMatch(/docker","build[^\]]*loadgen/);
  });

  it("--dry-run needs no tools at all", () => {
    const out = tmp("meshproof-cli-dry-notools-");
    const env = { ...process.env, PATH: path.dirname(process.execPath), XDG_CACHE_HOME: tmp("meshproof-empty-cache-") };
    const r = cli(["scenario", "canary", "--dry-run", "--out", out, "--json"], env);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(summary.dryRun).toBe(true);
    expect(existsSync(summary.plan)).toBe(true);
  });

  it("--capabilities prints the table for every mesh", () => {
    const r = cli(["scenario", "--capabilities"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/intent\s+istio\s+linkerd\s+none/);
    for (const kind of ["split", "route", "fault", "retry", "timeout", "outlier", "mtls", "authz", "rateLimit"]) expect(r.stdout).toMatch(new RegExp(`^${kind}\\s`, "m"));
  });

  it("--help lists the scenarios, the options and the exit codes", () => {
    const r = cli(["scenario", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--mesh <mesh>/);
    expect(r.stdout).toMatch(/canary/);
    expect(r.stdout).toMatch(/Exit codes/);
  });
});
