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
  }, 60_000);
});
