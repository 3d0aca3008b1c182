/**
 * What the scenario tests plan with: a target like the reference stack's, the real mesh drivers,
 * and small helpers to walk a plan. A fake driver that renders every intent to a placeholder
 * object lets a test see exactly which intents a scenario applied, or make every intent
 * unsupported.
 */
import type { Step, ScenarioPlan, MeasureStep, ConvergeStep, KubeObject } from "../../src/plan/steps.js";
import { walkSteps } from "../../src/plan/steps.js";
import { planScenario, type ScenarioContext, type ScenarioDefinition, type ScenarioOptions } from "../../src/engine/scenario.js";
import { TIMEOUTS } from "../../src/core/timeouts.js";
import type { Capabilities, MeshDriver, MeshName, Rendered } from "../../src/mesh/driver.js";
import { createIstioDriver } from "../../src/mesh/istio/index.js";
import { linkerdDriver } from "../../src/mesh/linkerd/index.js";
import { INTENT_KINDS, type Intent, type Target } from "../../src/mesh/intent.js";
import { noneDriver } from "../../src/mesh/none/index.js";
import { MESHES } from "../../src/mesh/registry.js";

export const TARGET: Target = {
  namespace: "meshproof-test",
  service: "llm",
  port: 8000,
  versionLabel: "version",
  versions: ["stable", "canary"],
  selector: { app: "llm-sim" },
  labels: { "app.kubernetes.io/managed-by": "meshproof", "meshproof.dev/run-id": "test-run" },
};

/** Records what it was asked to render, so tests can see which intents a scenario applied. */
export interface FakeDriver extends MeshDriver {
  rendered: Intent[];
}

/**
 * A driver whose behaviour a test controls: every intent becomes one placeholder object carrying
 * the intent as data, except the kinds it refuses (`unsupported`) or renders with a part left
 * out (`partlyUnsupported`); the upgrade is two stages, the second reading the first's output.
 */
export function fakeDriver(name: MeshName, unsupported: readonly Intent["kind"][] = [], partlyUnsupported: readonly Intent["kind"][] = []): FakeDriver {
  const rendered: Intent[] = [];
  return {
    name,
    defaultVersion: "1.0.0",
    references: [],
    rendered,
    capabilities: () =>
      Object.fromEntries(INTENT_KINDS.map((k) => [k, unsupported.includes(k) ? { support: "unsupported", note: "fake" } : { support: "native", note: "fake" }])) as Capabilities,
    install: () => [],
    verifyReady: () => [],
    upgrade: (_from, to) => [
      { kind: "command", id: "fake-render-upgrade", name: `render the manifests of ${to.version}`, timeoutMs: TIMEOUTS.command, argv: ["fake", "upgrade", to.version] },
      { kind: "command", id: "fake-apply-upgrade", name: "apply the rendered manifests", timeoutMs: TIMEOUTS.command, argv: ["kubectl", "apply", "-f", "-"], stdinFrom: "previous" },
      { kind: "command", id: "fake-restart", name: "restart the meshed workloads", timeoutMs: TIMEOUTS.command, argv: ["kubectl", "rollout", "restart", "deployment"] },
    ],
    uninstall: () => [],
    enrollNamespace: () => ({ labels: {}, annotations: {} }),
    podAnnotations: () => ({ "fake.example/proxy-cpu": "100m" }),
    render(intents: Intent[], target: Target): Rendered {
      const out: Rendered = { manifests: [], unsupported: [] };
      intents.forEach((intent, i) => {
        rendered.push(intent);
        if (unsupported.includes(intent.kind)) {
          out.unsupported.push({ intent: intent.kind, reason: "the fake driver does not express it" });
          return;
        }
        if (partlyUnsupported.includes(intent.kind)) out.unsupported.push({ intent: intent.kind, partial: true, reason: "the fake driver leaves a part out" });
        const manifest: KubeObject = {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: `${target.service}-${intent.kind.toLowerCase()}-${i}`, namespace: target.namespace, labels: { ...target.labels } },
          data: { intent: JSON.stringify(intent) },
        };
        out.manifests.push(manifest);
      });
      return out;
    },
    identityOf: () => undefined,
  };
}

/**
 * The drivers the catalog is planned with: real where they exist. Istio's upgrade needs to know
 * which namespaces to move to the new revision, as the run's wiring tells it.
 */
export function driverFor(mesh: MeshName): MeshDriver {
  switch (mesh) {
    case "istio":
      return createIstioDriver({ enrolledNamespaces: [TARGET.namespace] });
    case "linkerd":
      return linkerdDriver;
    case "none":
      return noneDriver;
    default:
      throw new Error(`no real driver for ${mesh}`);
  }
}

/** The context a run plans a scenario in, with the registry's workload identity of the mesh. */
export function contextFor(mesh: MeshName, driver: MeshDriver = driverFor(mesh), options: Partial<ScenarioOptions> = {}): ScenarioContext {
  const workloadIdentity = MESHES.has(mesh) ? MESHES.entry(mesh).workloadIdentity : () => undefined;
  return { mesh, driver, routing: "native", cluster: "kind", target: TARGET, options: { seed: 7, ...options }, workloadIdentity };
}

export function plan(definition: ScenarioDefinition, ctx: ScenarioContext): ScenarioPlan {
  return planScenario(definition, ctx);
}

/** Every step of a plan, nested ones (gate branches, undo steps) included, in order. */
export function allSteps(p: ScenarioPlan): Step[] {
  return [...walkSteps(p.phases.flatMap((phase) => phase.steps))];
}

export function judgingSteps(p: ScenarioPlan): (MeasureStep | ConvergeStep)[] {
  return allSteps(p).filter((s): s is MeasureStep | ConvergeStep => s.kind === "measure" || s.kind === "converge");
}

export function measureSteps(p: ScenarioPlan): MeasureStep[] {
  return allSteps(p).filter((s): s is MeasureStep => s.kind === "measure");
}

export function step<K extends Step["kind"]>(p: ScenarioPlan, id: string, kind: K): Extract<Step, { kind: K }> {
  const found = allSteps(p).find((s) => s.id === id);
  if (!found) throw new Error(`no step ${id} in ${p.scenario}; steps: ${allSteps(p).map((s) => s.id).join(", ")}`);
  if (found.kind !== kind) throw new Error(`step ${id} is a ${found.kind}, not a ${kind}`);
  return found as Extract<Step, { kind: K }>;
}
