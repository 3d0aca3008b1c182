/**
 * Turns a validated request (scenarios x meshes x cluster) into a RunPlan: pure data that
 * --dry-run writes and the executor walks. No I/O here.
 */
import type { ClusterProvider } from "../cluster/provider.js";
import type { InstallOptions, MeshDriver, MeshName, RoutingApi } from "../mesh/driver.js";
import { BASELINE_MESH, EVERY_MESH, MESHES, type MeshRegistry } from "../mesh/registry.js";
import type { Target } from "../mesh/intent.js";
import type { LoadProfile } from "../load/profile.js";
import { walkSteps, type CollectStep, type LoadClient, type RunPlan, type ScenarioPlan, type SkippedScenario, type Step, type TargetPlan } from "../plan/steps.js";
import { planScenario, type ScenarioDefinition, type ScenarioOptions } from "./scenario.js";
import { TIMEOUTS } from "../core/timeouts.js";
import { UsageError } from "../core/errors.js";

/** What the stack gives a target: the steps that bring it up, and the workload it exposes. */
export interface StackPlan {
  setup: Step[];
  target: Target;
  /** URL the load generator uses to reach the target service. */
  targetUrl: string;
  /** Evidence to collect before teardown. */
  collect: CollectStep[];
  /** Where each load client runs in this target's stack: its pod and namespace, or this host. */
  clients: Record<LoadProfile["client"], LoadClient>;
}

export interface StackPlanner {
  forTarget(mesh: MeshName, driver: MeshDriver, provider: ClusterProvider): StackPlan;
  /** Images the cluster must have (built and loaded by the run's cluster setup). */
  images(): { image: string; buildArgv: string[] }[];
}

export interface PlanRequest {
  command: "scenario" | "suite";
  name: string;
  runId: string;
  createdAt: string;
  scenarios: ScenarioDefinition[];
  /** As the user asked: "both" expands to the registry's meshes; a mesh is joined by the baseline where a scenario compares against it. */
  mesh: MeshName;
  /** The meshes this run may name. */
  registry: MeshRegistry;
  provider: ClusterProvider;
  drivers: Record<MeshName, MeshDriver>;
  stack: StackPlanner;
  routing: RoutingApi;
  install: Record<MeshName, InstallOptions>;
  scenarioOptions: ScenarioOptions;
  /** Options as given, recorded in plan.json and results.json. */
  options: Record<string, unknown>;
}

export interface RunPlanWithCluster extends RunPlan {
  cluster: { name: string; description: string; context: string | undefined; setup: Step[]; teardown: Step[] };
  /** Per target: where load is sent (not shown as a step: the load runner uses it). */
  targetUrls: Record<string, string>;
}

/** Meshes a run covers, in the order they run: the baseline first so its numbers exist for comparison. */
export function expandMeshes(mesh: MeshName, scenarios: readonly ScenarioDefinition[], cluster: string, registry: MeshRegistry = MESHES): MeshName[] {
  if (cluster === "local") {
    if (mesh !== BASELINE_MESH && mesh !== EVERY_MESH) {
      throw new UsageError(
        `--cluster local runs no Kubernetes, so there is no ${mesh} to test`,
        "use --mesh none for the local baseline, or --cluster kind to test a mesh",
      );
    }
    return [BASELINE_MESH];
  }
  const wantsBaseline = scenarios.some((s) => s.baseline);
  if (mesh === BASELINE_MESH) return [BASELINE_MESH];
  // A scenario that compares a mesh against no mesh (the benchmark) needs the baseline in the
  // same run, whichever mesh is named.
  const named = registry.named(mesh);
  return wantsBaseline ? [BASELINE_MESH, ...named] : named;
}

/** Whether a scenario runs on a mesh: on every mesh, and on the baseline when it joins it. */
export function runsOn(scenario: Pick<ScenarioDefinition, "baseline">, mesh: MeshName): boolean {
  return mesh !== BASELINE_MESH || scenario.baseline;
}

export function buildRunPlan(req: PlanRequest): RunPlanWithCluster {
  const meshes = expandMeshes(req.mesh, req.scenarios, req.provider.name, req.registry);
  const skippedScenarios: SkippedScenario[] = [];
  for (const scenario of req.scenarios) {
    if (scenario.clusters.includes(req.provider.name)) continue;
    const runsOn = `it runs on: ${scenario.clusters.join(", ")}`;
    if (req.command === "scenario") throw new UsageError(`scenario "${scenario.name}" cannot run on --cluster ${req.provider.name}`, runsOn);
    // A suite runs what it can here and says what it left out.
    skippedScenarios.push({ scenario: scenario.name, reason: `cannot run on --cluster ${req.provider.name}; ${runsOn}` });
  }

  const targets: TargetPlan[] = [];
  const targetUrls: Record<string, string> = {};
  for (const mesh of meshes) {
    const scenarios = req.scenarios.filter((s) => runsOn(s, mesh) && s.clusters.includes(req.provider.name));
    if (scenarios.length === 0) continue;
    const driver = req.drivers[mesh];
    const install = req.install[mesh];
    if (!driver || !install) throw new Error(`no driver or install options for mesh ${mesh}`);
    const stack = req.stack.forTarget(mesh, driver, req.provider);
    targetUrls[mesh] = stack.targetUrl;

    const installSteps = driver.install(install);
    // Hang the uninstall on the first install step (unless the driver's steps carry their own
    // undo) so the cleanup is registered the moment installation starts. With --keep the
    // executor lists it instead of running it.
    const [first, ...rest] = installSteps;
    const meshSetup: Step[] =
      first && first.kind === "command" && !installSteps.some((s) => s.kind === "command" && s.undo)
        ? [{ ...first, undo: driver.uninstall(install) }, ...rest]
        : installSteps;

    const setup: Step[] = [...meshSetup, ...driver.verifyReady(install), ...stack.setup];
    const scenarioPlans: ScenarioPlan[] = scenarios.map((s) =>
      planScenario(s, {
        mesh,
        driver,
        routing: req.routing,
        cluster: req.provider.name,
        target: stack.target,
        options: req.scenarioOptions,
        install,
        workloadIdentity: req.registry.entry(mesh).workloadIdentity,
      }),
    );
    // Each load step names the client it runs in, as the stack laid it out.
    for (const step of walkSteps(scenarioPlans.flatMap((s) => s.phases.flatMap((p) => p.steps)))) {
      if (step.kind === "measure") step.runsIn = stack.clients[step.load.client];
      if (step.kind === "converge") step.runsIn = stack.clients[step.probe.client];
    }
    targets.push({
      mesh,
      meshVersion: install.version,
      routing: req.routing,
      capabilities: driver.capabilities(req.routing),
      cluster: req.provider.name,
      setup,
      scenarios: scenarioPlans,
      teardown: stack.collect,
    });
  }
  if (targets.length === 0) {
    throw new UsageError(
      `nothing to run: none of ${req.scenarios.map((s) => s.name).join(", ")} runs on --mesh ${req.mesh} --cluster ${req.provider.name}`,
    );
  }

  // kind loads images built by Docker; the host cluster builds and imports its own (its loadImages steps).
  const images = req.provider.name === "kind" || req.provider.name === "host" ? req.stack.images() : [];
  const buildImages: Step[] = (req.provider.name === "kind" ? images : []).map(({ image, buildArgv }, i) => ({
    kind: "command",
    id: `build-image-${i + 1}`,
    name: `build image ${image}`,
    timeoutMs: TIMEOUTS.clusterCreate,
    argv: buildArgv,
  }));
  const clusterSetup = [...buildImages, ...req.provider.ensure(), ...req.provider.loadImages(images.map((i) => i.image))];

  return {
    schemaVersion: 1,
    runId: req.runId,
    createdAt: req.createdAt,
    command: req.command,
    name: req.name,
    options: req.options,
    ...(skippedScenarios.length > 0 ? { skippedScenarios } : {}),
    cluster: {
      name: req.provider.name,
      description: req.provider.describe(),
      context: req.provider.context,
      setup: clusterSetup,
      teardown: [],
    },
    targets,
    targetUrls,
  };
}

/** Every evidence-collecting command for a namespace, shared by the cluster stack planners. */
export function collectSteps(context: string, namespace: string, extra: CollectStep[] = []): CollectStep[] {
  const kubectl = ["kubectl", "--context", context];
  return [
    {
      kind: "collect",
      id: `collect-events-${namespace}`,
      name: `save events of ${namespace}`,
      timeoutMs: TIMEOUTS.collect,
      argv: [...kubectl, "get", "events", "-n", namespace, "-o", "yaml"],
      file: `evidence/${namespace}/events.yaml`,
    },
    {
      kind: "collect",
      id: `collect-pods-${namespace}`,
      name: `save pod status of ${namespace}`,
      timeoutMs: TIMEOUTS.collect,
      argv: [...kubectl, "get", "pods", "-n", namespace, "-o", "wide"],
      file: `evidence/${namespace}/pods.txt`,
    },
    {
      kind: "collect",
      id: `collect-logs-${namespace}`,
      name: `save logs of every container in ${namespace}`,
      timeoutMs: TIMEOUTS.collect,
      argv: [...kubectl, "logs", "-n", namespace, "--all-containers", "--prefix", "--selector", "app.kubernetes.io/managed-by=meshproof", "--tail", "2000"],
      file: `evidence/${namespace}/logs.txt`,
    },
    ...extra,
  ];
}
