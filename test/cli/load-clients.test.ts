/**
 * Each load step of a plan names the client it runs in (namespace, pod, container, or this host),
 * taken from the stack's layout; the load command the dry-run shows and the runner the executor
 * gets both come from it, so the namespaces are worked out once.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRunOptions } from "../../src/cli/options.js";
import { planRun } from "../../src/cli/run.js";
import { executionEnvFor } from "../../src/cli/wiring.js";
import type { ConvergeStep, KubeObject, LoadClient, MeasureStep, Step } from "../../src/plan/steps.js";
import { walkSteps } from "../../src/plan/steps.js";
import type { RunPlanWithCluster } from "../../src/engine/run-plan.js";
import { silentProgress } from "../engine/fakes.js";

async function plan(name: string, raw: Record<string, unknown>): Promise<RunPlanWithCluster> {
  const runDir = mkdtempSync(join(tmpdir(), "meshproof-clients-"));
  return (await planRun("scenario", name, parseRunOptions({ ...raw, dryRun: true }), "clients", runDir)).plan;
}

function loadSteps(p: RunPlanWithCluster, mesh: string): (MeasureStep | ConvergeStep)[] {
  const target = p.targets.find((t) => t.mesh === mesh)!;
  return [...walkSteps(target.scenarios.flatMap((s) => s.phases.flatMap((ph) => ph.steps)))].filter((s): s is MeasureStep | ConvergeStep => s.kind === "measure" || s.kind === "converge");
}

function stackManifests(p: RunPlanWithCluster, mesh: string): KubeObject[] {
  const target = p.targets.find((t) => t.mesh === mesh)!;
  return target.setup.flatMap((s: Step) => (s.kind === "apply" ? s.manifests : []));
}

const clientOf = (s: MeasureStep | ConvergeStep) => (s.kind === "measure" ? s.load.client : s.probe.client);

describe("the client a load step runs in", () => {
  it("is named by every load step, and is a Deployment of that target's own stack", async () => {
    const p = await plan("mtls", { cluster: "kind", mesh: "istio" });
    const steps = loadSteps(p, "istio");
    expect(new Set(steps.map(clientOf))).toEqual(new Set(["meshed", "outsider"]));
    const deployments = stackManifests(p, "istio").filter((m) => m.kind === "Deployment");
    for (const step of steps) {
      const client = step.runsIn as Extract<LoadClient, { type: "pod" }>;
      expect(client, step.id).toMatchObject({ type: "pod", context: "kind-meshproof", container: "loadgen" });
      expect(client.namespace).toBe(clientOf(step) === "outsider" ? "meshproof-istio-outsider" : "meshproof-istio");
      // The pod it execs into is one the stack deploys, in that namespace.
      expect(deployments.map((d) => `${d.metadata.namespace}/deploy/${d.metadata.name}`), step.id).toContain(`${client.namespace}/${client.pod}`);
      // The command plan.json shows runs exactly there.
      expect(step.loadCommand?.argv.join(" "), step.id).toContain(`--context kind-meshproof --namespace ${client.namespace} exec ${client.pod} --container ${client.container} --`);
    }
  });

  it("follows the host cluster's per-run baseline namespace beside one named mesh", async () => {
    const p = await plan("benchmark", { cluster: "host", mesh: "istio" });
    for (const mesh of ["none", "istio"]) {
      const namespace = mesh === "none" ? "meshproof-none-istio" : "meshproof-istio";
      expect(stackManifests(p, mesh).find((m) => m.kind === "Namespace" && m.metadata.name === namespace), mesh).toBeDefined();
      for (const step of loadSteps(p, mesh)) expect(step.runsIn, `${mesh} ${step.id}`).toMatchObject({ type: "pod", namespace, pod: "deploy/loadgen" });
    }
  }, 60_000);

  it("is this host on --cluster local", async () => {
    const p = await plan("benchmark", { cluster: "local", mesh: "none" });
    const steps = loadSteps(p, "none");
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(step.runsIn).toEqual({ type: "host" });
  });

  it("is what the run's load runner is built from: a step that names none is refused", async () => {
    const p = await plan("canary", { cluster: "kind", mesh: "linkerd" });
    const env = await executionEnvFor(p, parseRunOptions({ cluster: "kind", mesh: "linkerd", dryRun: true }), mkdtempSync(join(tmpdir(), "meshproof-clients-")), new AbortController().signal, silentProgress());
    const step = loadSteps(p, "linkerd")[0]!;
    expect(env.loadFor("linkerd", step.runsIn)).toBeDefined();
    expect(() => env.loadFor("linkerd", undefined)).toThrow(/names no load client/);
  });
});
