/**
 * `--cluster host --dry-run`: every scenario's plan shows the cluster's own start (with its stop
 * registered as undo), each image's build and import, and needs nothing installed.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SCENARIOS } from "../../scenarios/index.js";
import { parseRunOptions } from "../../src/cli/options.js";
import { planRun } from "../../src/cli/run.js";
import type { CommandStep } from "../../src/plan/steps.js";
import { tryFindTool } from "../../src/core/tools.js";
import { LOADGEN_IMAGE } from "../../src/load/loadgen.js";
import { DEFAULT_PROMETHEUS_IMAGE } from "../../src/stack/monitoring.js";

/** Every string under an `image` key, anywhere in a value (containers, init containers, mesh settings). */
function imagesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) imagesIn(v, found);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "image" && typeof v === "string") found.add(v);
      else imagesIn(v, found);
    }
  }
  return found;
}

/** Every step of a plan, undo and on-fail steps included. */
function allSteps(value: unknown, found: { kind?: string; id?: string; name?: string; manifests?: unknown[] }[] = []): typeof found {
  if (Array.isArray(value)) for (const v of value) allSteps(v, found);
  else if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (typeof o.kind === "string" && typeof o.id === "string") found.push(o as (typeof found)[number]);
    for (const v of Object.values(o)) allSteps(v, found);
  }
  return found;
}

/** Images a bare machine's plan names without importing them: their binaries come from setup, which has not run. */
const notBuiltHere = [...(tryFindTool("loadgen") ? [] : [LOADGEN_IMAGE]), ...(tryFindTool("prometheus") ? [] : [DEFAULT_PROMETHEUS_IMAGE])];

describe("host cluster dry-run", () => {
  const hostScenarios = SCENARIOS.filter((s) => s.clusters.includes("host"));

  it("covers every cluster scenario (kwok is gone, host took its place)", () => {
    expect(hostScenarios.length).toBe(SCENARIOS.filter((s) => s.clusters.includes("kind")).length);
  });

  it.each(hostScenarios.map((s) => s.name))("%s: shows the start, the pause and llm-sim builds and imports, and the stop", async (name) => {
    const runDir = mkdtempSync(join(tmpdir(), "meshproof-hostdry-"));
    const { plan } = await planRun("scenario", name, parseRunOptions({ cluster: "host", mesh: name === "benchmark" ? "none" : "istio", dryRun: true }), "dry", runDir);
    const setup = plan.cluster.setup as CommandStep[];
    const ids = setup.map((s) => s.id);
    // Pause first (containerd's sandbox image), then the stack's images; loadgen and Prometheus
    // join them where setup built or installed their binaries.
    expect(ids.slice(0, 5)).toEqual(["build-image-pause", "start-host-cluster", "import-image-pause", "build-image-llm-sim", "import-image-llm-sim"]);
    for (const id of ids.slice(5)) expect(id).toMatch(/^(build|import)-image-(loadgen|prometheus|istio-(pilot|proxyv2)-[0-9a-f]{12})$/);
    const start = setup[1]!;
    expect(start.argv.slice(0, 4)).toEqual(["tsx", "src/cluster/host/main.ts", "up", "--name"]);
    // The run marks a cluster it started, and its clean-up stops only a cluster it started.
    expect(start.argv.slice(-2)).toEqual(["--started-by", "dry"]);
    expect(start.undo?.[0]).toMatchObject({ kind: "command", argv: ["tsx", "src/cluster/host/main.ts", "down", "--name", "meshproof", "--if-started-by", "dry"] });
    for (const imp of [setup[2]!, setup[4]!]) expect(imp.argv).toEqual(expect.arrayContaining(["ctr", "-n", "k8s.io", "images", "import"]));
    expect(plan.cluster.context).toBe("host-meshproof");

    // Every image a manifest of the plan runs is imported by a step of the plan (nothing is pulled).
    const steps = allSteps(plan);
    const imports = steps.filter((s) => s.kind === "command" && s.id?.startsWith("import-image-")).map((s) => s.name ?? "");
    const used = [...imagesIn(steps.filter((s) => s.kind === "apply").map((s) => s.manifests))];
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((ref) => !imports.some((name) => name.includes(`(${ref})`)) && !notBuiltHere.includes(ref))).toEqual([]);
  }, 60_000);
});
