/**
 * Adding a mesh is one folder and one registry line. This file is that folder: a stub mesh whose
 * driver renders traffic splits and routes and marks every other intent unsupported, added to the
 * registry with one line (`MESHES.with(stubMesh)`) and handed to the command line. Nothing else
 * names it, yet it is a `--mesh` choice with its own version flag in `--help`, a column of
 * `--capabilities`, part of `both`, and a target of a `--dry-run` plan.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { TIMEOUTS } from "../../src/core/timeouts.js";
import type { Capabilities, MeshDriver, Rendered } from "../../src/mesh/driver.js";
import { workloadJob, type MeshEntry } from "../../src/mesh/entry.js";
import { INTENT_KINDS, type Intent, type IntentKind, type Target } from "../../src/mesh/intent.js";
import { MESHES } from "../../src/mesh/registry.js";
import type { RunPlan, Step } from "../../src/plan/steps.js";
import { walkSteps } from "../../src/plan/steps.js";

// ---- the stub mesh's folder ------------------------------------------------------------------

const RENDERS: readonly IntentKind[] = ["split", "route"];
const GAP = "the stub mesh renders traffic splits and routes only";

const stubDriver: MeshDriver = {
  name: "stub",
  defaultVersion: "0.1.0",
  references: ["https://stub.example/docs"],
  capabilities: () =>
    Object.fromEntries(INTENT_KINDS.map((k) => [k, RENDERS.includes(k) ? { support: "native", note: "a StubRoute per intent" } : { support: "unsupported", note: GAP }])) as Capabilities,
  install: (opts) => [{ kind: "command", id: "install-stub", name: `install the stub mesh ${opts.version}`, timeoutMs: TIMEOUTS.command, argv: ["kubectl", "apply", "-f", `https://stub.example/${opts.version}/install.yaml`] }],
  verifyReady: () => [],
  upgrade: () => [],
  uninstall: (opts) => [{ kind: "command", id: "uninstall-stub", name: "remove the stub mesh", timeoutMs: TIMEOUTS.command, argv: ["kubectl", "delete", "--ignore-not-found", "-f", `https://stub.example/${opts.version}/install.yaml`] }],
  enrollNamespace: () => ({ labels: { "stub.example/inject": "enabled" }, annotations: {} }),
  podAnnotations: () => ({}),
  render(intents: Intent[], target: Target): Rendered {
    const out: Rendered = { manifests: [], unsupported: [] };
    intents.forEach((intent, i) => {
      if (!RENDERS.includes(intent.kind)) {
        out.unsupported.push({ intent: intent.kind, reason: GAP });
        return;
      }
      out.manifests.push({ apiVersion: "stub.example/v1", kind: "StubRoute", metadata: { name: `${target.service}-${intent.kind}-${i}`, namespace: target.namespace, labels: { ...target.labels } }, spec: { intent } });
    });
    return out;
  },
  identityOf: () => undefined,
};

const stubMesh: MeshEntry = {
  name: "stub",
  title: "Stub",
  loadDriver: async () => stubDriver,
  createDriver: async () => stubDriver,
  version: { pin: "0.1.0", flag: "--stub-version", env: "MESHPROOF_STUB_VERSION" },
  tools: ["kubectl"],
  workloadIdentity: (namespace, serviceAccount) => `stub://${namespace}/${serviceAccount}`,
  scrapeJobs: (pods) => [workloadJob(pods)],
  variants: [],
};

// ---- the one registry line -------------------------------------------------------------------

const WITH_STUB = MESHES.with(stubMesh);

// ---- what the command line makes of it --------------------------------------------------------

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  process.exitCode = undefined;
  vi.restoreAllMocks();
});

/** Runs the CLI in this process over `registry`, capturing what it prints. */
async function cli(argv: string[], registry = WITH_STUB): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const code = await main(argv, registry);
  vi.restoreAllMocks();
  process.exitCode = undefined;
  return { code, stdout, stderr };
}

/** plan.json of a dry-run, and the folder its manifests are in. */
async function dryRun(argv: string[], registry = WITH_STUB): Promise<RunPlan & { runDir: string }> {
  const out = mkdtempSync(path.join(tmpdir(), "meshproof-stub-"));
  dirs.push(out);
  const r = await cli([...argv, "--dry-run", "--json", "--out", out], registry);
  expect(r.code, r.stderr).toBe(0);
  const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { plan: string };
  return { ...(JSON.parse(readFileSync(summary.plan, "utf8")) as RunPlan), runDir: path.dirname(summary.plan) };
}

function stepsOf(plan: RunPlan, mesh: string): Step[] {
  const target = plan.targets.find((t) => t.mesh === mesh)!;
  return [...walkSteps([...target.setup, ...target.scenarios.flatMap((s) => s.phases.flatMap((p) => p.steps)), ...target.teardown])];
}

describe("a stub mesh added by one registry line", () => {
  it("is a --mesh choice with its own version flag in --help, and `both` includes it", async () => {
    const r = await cli(["scenario", "--help"]);
    expect(r.code).toBe(0);
    // Commander wraps the help to the terminal's width: compare it as one line.
    const help = r.stdout.replace(/\s+/g, " ");
    expect(help).toContain('--mesh <mesh> mesh to test; both = istio, linkerd and stub; the no-mesh baseline joins where a scenario compares against it (choices: "istio", "linkerd", "none", "stub", "both", default: "both")');
    expect(help).toContain('--stub-version <v> Stub version (default: "0.1.0", env: MESHPROOF_STUB_VERSION)');
    // The wrong twin: the default registry offers no such mesh.
    const plain = (await cli(["scenario", "--help"], MESHES)).stdout.replace(/\s+/g, " ");
    expect(plain).toContain('both = istio and linkerd;');
    expect(plain).toContain('(choices: "istio", "linkerd", "none", "both", default: "both")');
    expect(plain).not.toContain("stub");
  });

  it("is a column of --capabilities, with how it expresses each intent or why not", async () => {
    const r = await cli(["scenario", "--capabilities"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/intent\s+istio\s+linkerd\s+none\s+stub/);
    expect(r.stdout).toMatch(/^split\s+\S+\s+\S+\s+—\s+native/m);
    expect(r.stdout).toMatch(/^retry\s+\S+\s+\S+\s+—\s+—/m);
    expect(r.stdout).toContain(`  stub:\n    split`);
    expect(r.stdout).toContain(`retry      unsupported: ${GAP}`);
    const json = JSON.parse((await cli(["scenario", "--capabilities", "--json"])).stdout) as { capabilities: Record<string, Capabilities> };
    expect(Object.keys(json.capabilities)).toEqual(["istio", "linkerd", "none", "stub"]);
    expect(json.capabilities.stub!.route.support).toBe("native");
  });

  it("is planned by --dry-run: its install, its rendered intents, and the rest unsupported", async () => {
    const plan = await dryRun(["scenario", "retries", "--mesh", "stub", "--stub-version", "0.2.0"]);
    expect(plan.targets.map((t) => [t.mesh, t.meshVersion])).toEqual([["stub", "0.2.0"]]);
    const steps = stepsOf(plan, "stub");
    expect(steps.find((s) => s.id === "install-stub")).toMatchObject({ kind: "command", argv: ["kubectl", "apply", "-f", "https://stub.example/0.2.0/install.yaml"] });
    // The uninstall hangs on the install step, registered the moment it starts.
    expect(steps.find((s) => s.id === "uninstall-stub")).toBeDefined();
    // The stack lands in the stub's own namespace, enrolled the stub's way.
    // (plan.json names each manifest and its YAML file.)
    const refs = steps.flatMap((s) => (s.kind === "apply" ? (s.manifests as unknown as { kind: string; name: string; file: string }[]) : []));
    const namespace = refs.find((m) => m.kind === "Namespace" && m.name === "meshproof-stub");
    expect(namespace).toBeDefined();
    expect(readFileSync(path.join(plan.runDir, namespace!.file), "utf8")).toContain("stub.example/inject: enabled");
    // What it renders is applied; what it cannot is unsupported with its reason, never a failure.
    expect(refs.filter((m) => m.kind === "StubRoute").length).toBeGreaterThan(0);
    const gaps = steps.filter((s) => s.kind === "unsupported");
    expect(gaps.map((s) => s.kind === "unsupported" && s.intent)).toContain("retry");
    for (const gap of gaps) expect(gap.kind === "unsupported" && gap.reason).toBe(GAP);
    // Every load step runs in the stub's own loadgen pod, against its own copy of the stack.
    const load = steps.filter((s) => s.kind === "measure" || s.kind === "converge");
    expect(load.length).toBeGreaterThan(0);
    for (const s of load) expect((s.kind === "measure" || s.kind === "converge") && s.loadCommand?.argv.join(" ")).toMatch(/--namespace meshproof-stub exec deploy\/loadgen .* --target http:\/\/llm\.meshproof-stub\.svc/);
  });

  it("joins `both` in a dry-run, and is judged by identity through the registry", async () => {
    const plan = await dryRun(["scenario", "mtls"]);
    expect(plan.targets.map((t) => t.mesh)).toEqual(["istio", "linkerd", "stub"]);
    const checks = stepsOf(plan, "stub").flatMap((s) => (s.kind === "measure" || s.kind === "converge" ? s.checks : []));
    expect(JSON.stringify(checks)).toContain("stub://meshproof-stub/loadgen");
  });

  it("is unknown to the default registry: --mesh stub is a usage error there (exit 2)", async () => {
    const r = await cli(["scenario", "retries", "--mesh", "stub", "--dry-run"], MESHES);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mesh.*stub.*(invalid|Allowed choices)/is);
  });
});
