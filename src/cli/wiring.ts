/**
 * The composition root: which driver, provider, stack and load runner a run uses, and the
 * preflight that turns a missing tool into exit 4 before anything is created.
 */
import path from "node:path";
import { EnvironmentError, UsageError } from "../core/errors.js";
import type { ExecutionEnv, LoadRunner, ProgressSink } from "../engine/executor.js";
import { processCommandRunner } from "../core/commands.js";
import { childProcessLauncher } from "../engine/processes.js";
import type { RunPlanWithCluster, StackPlan, StackPlanner } from "../engine/run-plan.js";
import { collectSteps } from "../engine/run-plan.js";
import { walkSteps } from "../plan/steps.js";
import type { LoadClient, Step, WaitStep } from "../plan/steps.js";
import { TIMEOUTS } from "../core/timeouts.js";
import { TOOLS, toolNamed, tryFindTool, findTool, versionFromOutput, type ResolvedTool, type ToolName } from "../core/tools.js";
import { currentProvider, gkeProvider, hostPreflight, hostProviderFor, kindProvider, localProvider, type ClusterProvider } from "../cluster/index.js";
import type { InstallOptions, MeshDriver, MeshName } from "../mesh/driver.js";
import { readMeshBuilds } from "../mesh/builds.js";
import { NO_VERSION } from "../mesh/none/index.js";
import { BASELINE_MESH, EVERY_MESH, MESHES, versionOptionKey, type MeshRegistry } from "../mesh/registry.js";
import type { MeshVariant } from "../mesh/variant.js";
import { ENGINE_TOOL, K6_IMAGE_VAR, LOADGEN_IMAGE, LOADGEN_POD_BINARY, loadCommand, runLoad, type LoadEngine, type LoadProfile } from "../load/index.js";
import { referenceStack, simDeploymentName, MONITORING_NAMESPACE } from "../stack/index.js";
import { localStack, SIM_IMAGE, SIM_IMAGE_BUILD } from "../stack/local-stack.js";
import type { SimSettings } from "../stack/sim-workload.js";
import type { ToolRecord } from "../report/results.js";
import { buildStep, imagesCacheDir, llmSimRecipe, loadgenRecipe, plannedImage, prometheusRecipe, type PlannedImage } from "../cluster/host/images/index.js";
import { backendOf, type RunOptions } from "./options.js";
import { VLLM_APP, type Backend } from "../stack/backend.js";

/** Each mesh's driver bound to this run's cluster, kube context, routing API and stack namespace. */
export async function driversFor(opts: RunOptions, provider: ClusterProvider, runDir?: string, hostSimImage?: string, registry: MeshRegistry = MESHES): Promise<Record<MeshName, MeshDriver>> {
  const context = provider.context;
  return Object.fromEntries(await Promise.all(
    registry.entries.map(async (mesh) => [
      mesh.name,
      await registry.createDriver(mesh.name, {
        cluster: provider.name,
        ...(context ? { context } : {}),
        routing: opts.routing,
        stackNamespace: stackNamespace(mesh.name),
        ...(runDir ? { runDir } : {}),
        out: opts.out,
        ...(hostSimImage ? { hostSimImage } : {}),
      }),
    ] as const),
  ));
}

/** The stack's versions: every scenario's split and routes name these. */
export const VERSIONS = ["stable", "canary"];

/** Which build of each mesh a run on this cluster uses, when it is not the official release. */
export function meshVariantsFor(opts: Pick<RunOptions, "cluster">, registry: MeshRegistry = MESHES): Partial<Record<MeshName, MeshVariant>> {
  return Object.fromEntries(registry.entries.flatMap((mesh) => {
    const use = registry.variantOn(mesh.name, opts.cluster);
    return use ? [[mesh.name, use.variant]] : [];
  }));
}

/** Per mesh: the version its flag names (or the one its variant on this cluster fixes), the method and the Gateway API CRDs. */
export function installOptions(opts: RunOptions, registry: MeshRegistry = MESHES): Record<MeshName, InstallOptions> {
  const common = { method: opts.installMethod, gatewayApiVersion: opts.gatewayApiVersion } as const;
  return Object.fromEntries(registry.entries.map((mesh) => {
    const fixed = registry.variantOn(mesh.name, opts.cluster)?.installVersion;
    const flagged = mesh.version ? opts[versionOptionKey(mesh) as `${string}Version`] : undefined;
    return [mesh.name, { ...common, version: fixed ?? flagged ?? mesh.version?.pin ?? NO_VERSION }];
  }));
}

export async function providerFor(opts: RunOptions, runId?: string, registry: MeshRegistry = MESHES): Promise<ClusterProvider> {
  switch (opts.cluster) {
    case "kind":
      return kindProvider({ name: opts.clusterName });
    case "host":
      return hostProviderFor(opts.clusterName, (await hostStackImages(opts, registry)).all, runId);
    case "current":
      return currentProvider(opts.context ?? "<your-context>");
    case "gke":
      return gkeProvider({
        name: opts.clusterName,
        project: opts.gkeProject ?? "<project>",
        location: opts.gkeLocation ?? "<location>",
        ...(opts.accelerator ? { accelerator: opts.accelerator } : {}),
      });
    case "local":
      return localProvider();
  }
}

/** The llm-sim image a host cluster run imports (the Linkerd fault backend runs it too). */
export async function hostSimImage(opts: Pick<RunOptions, "mesh">, registry: MeshRegistry = MESHES): Promise<string> {
  return (await hostStackImages(opts, registry)).sim.ref;
}

/** Namespace of a mesh's copy of the stack: one per mesh, so a run's meshes never share pods. */
export function stackNamespace(mesh: MeshName): string {
  return `meshproof-${mesh}${namespaceSuffix()}`;
}

/** Namespace of the run's in-cluster Prometheus. */
export function monitoringNamespace(): string {
  return `${MONITORING_NAMESPACE}${namespaceSuffix()}`;
}

/**
 * MESHPROOF_NAMESPACE_SUFFIX appends `-<suffix>` to every namespace a run creates (stack,
 * outsider, monitoring), so runs sharing one cluster (tests beside other people's runs) never
 * touch each other's namespaces. Unset: the documented names.
 */
export function namespaceSuffix(): string {
  const suffix = process.env.MESHPROOF_NAMESPACE_SUFFIX;
  if (!suffix) return "";
  if (!/^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/.test(suffix)) throw new UsageError(`MESHPROOF_NAMESPACE_SUFFIX=${JSON.stringify(suffix)}: use up to 20 lower-case letters, digits and '-'`);
  return `-${suffix}`;
}

/**
 * The out-of-mesh client's namespace, one per target: targets of one run and runs on several
 * meshes sharing one cluster (the Istio and the Linkerd tests on the host cluster) must not
 * remove each other's outsider.
 */
export function outsiderNamespace(mesh: MeshName, cluster?: string, runMesh?: string): string {
  return `${targetNamespace(mesh, cluster, runMesh)}-outsider`;
}

/**
 * Namespace of a target's stack in this run. On the shared host cluster the baseline beside one
 * named mesh (`--mesh istio` or `--mesh linkerd`, whose benchmark brings the baseline along) gets
 * a namespace of that run's own, so the Istio and the Linkerd runs' baselines never collide.
 */
export function targetNamespace(mesh: MeshName, cluster?: string, runMesh?: string): string {
  const oneNamedMesh = runMesh !== undefined && runMesh !== EVERY_MESH && runMesh !== BASELINE_MESH;
  return mesh === BASELINE_MESH && cluster === "host" && oneNamedMesh ? `${stackNamespace(mesh)}-${runMesh}` : stackNamespace(mesh);
}

/**
 * The host cluster has no registry: its stack images are built here (OCI archives, cached by
 * content) and imported. The loadgen pod's image is wired with the load generator.
 */
function hostStackImages(opts: Pick<RunOptions, "mesh">, registry: MeshRegistry): Promise<HostStackImages> {
  // The provider and the stack planner both need them; their tags hash every binary an image
  // holds (hundreds of MB), so a run computes them once.
  const byMesh = hostStackImagesByRegistry.get(registry) ?? new Map<string, Promise<HostStackImages>>();
  hostStackImagesByRegistry.set(registry, byMesh);
  let images = byMesh.get(opts.mesh);
  if (!images) {
    images = planHostStackImages(opts, registry);
    byMesh.set(opts.mesh, images);
  }
  return images;
}

interface HostStackImages {
  sim: PlannedImage;
  loadgen?: PlannedImage;
  prometheus?: PlannedImage;
  all: PlannedImage[];
}

const hostStackImagesByRegistry = new WeakMap<MeshRegistry, Map<string, Promise<HostStackImages>>>();

async function planHostStackImages(opts: Pick<RunOptions, "mesh">, registry: MeshRegistry): Promise<HostStackImages> {
  const cache = imagesCacheDir();
  const sim = await plannedImage(llmSimRecipe, cache);
  // Images of binaries setup built or installed; without them (a dry-run on a bare machine) the
  // stack names the default images and the plan imports none.
  const loadgenBin = tryFindTool("loadgen")?.path;
  const prometheusBin = tryFindTool("prometheus")?.path;
  const loadgen = loadgenBin ? await plannedImage(loadgenRecipe(loadgenBin), cache) : undefined;
  const prometheus = prometheusBin ? await plannedImage(prometheusRecipe(prometheusBin), cache) : undefined;
  const mesh = await hostMeshImages(opts, registry, cache);
  return { sim, ...(loadgen ? { loadgen } : {}), ...(prometheus ? { prometheus } : {}), all: [sim, ...(loadgen ? [loadgen] : []), ...(prometheus ? [prometheus] : []), ...mesh] };
}

/**
 * The images of the named meshes' host-cluster variants, when setup built them (Istio's istiod
 * and sidecars with stock Envoy, Linkerd's controller and proxy built from source).
 */
async function hostMeshImages(opts: Pick<RunOptions, "mesh">, registry: MeshRegistry, cache: string): Promise<PlannedImage[]> {
  const builds = readMeshBuilds();
  const recipes = [];
  for (const mesh of registry.named(opts.mesh)) recipes.push(...((await registry.variantOn(mesh, "host")?.images?.(builds)) ?? []));
  return Promise.all(recipes.map((r) => plannedImage(r, cache)));
}

/** `sim` makes the reference server deliberately wrong (a backend mutant); omitted, it is the reference one. */
export async function stackPlannerFor(opts: RunOptions, runId: string, provider: ClusterProvider, runDir: string, sim?: SimSettings, registry: MeshRegistry = MESHES): Promise<StackPlanner> {
  const backend = backendOf(opts);
  if (sim && backend.name !== "llm-sim") throw new UsageError(`this mutant changes llm-sim itself, so it runs on --backend llm-sim only (not ${backend.name})`);
  if (provider.name === "local") {
    const local = await localStack({ runId, versions: VERSIONS, runDir, prometheus: tryFindTool("prometheus")?.path ?? "prometheus", ...(sim ? { sim } : {}) });
    // An endpoint the user runs: nothing to start, and load goes to it.
    // No pods: every client sends from this host.
    const clients = { meshed: { type: "host" }, outsider: { type: "host" } } as const;
    if (backend.name === "openai") return { images: () => [], forTarget: (): StackPlan => ({ setup: [], target: local.target, targetUrl: backend.url, collect: [], clients }) };
    return {
      images: () => [],
      forTarget: (): StackPlan => ({ setup: local.setup, target: local.target, targetUrl: local.targetUrl, collect: [], clients }),
    };
  }
  const context = provider.context ?? "";
  const engine = opts.loadEngine;
  const hostImages = provider.name === "host" ? await hostStackImages(opts, registry) : undefined;
  const simImage = hostImages?.sim?.ref ?? SIM_IMAGE;
  const loadgenImage = engine === "builtin" ? (hostImages?.loadgen?.ref ?? LOADGEN_IMAGE) : k6ImageFor(opts);
  return {
    images: () => hostImages ? hostImages.all.filter((i) => i !== hostImages.loadgen || engine === "builtin").map((i) => ({ image: i.ref, buildArgv: buildStep(i).argv })) : [
      { image: SIM_IMAGE, buildArgv: SIM_IMAGE_BUILD },
      // With --load-engine k6 the image is the user's own (K6_IMAGE): meshproof builds no k6.
      ...(engine === "builtin" ? [{ image: LOADGEN_IMAGE, buildArgv: ["docker", "build", "-t", LOADGEN_IMAGE, "tools/loadgen"] }] : []),
    ],
    forTarget(mesh, driver): StackPlan {
      const stack = referenceStack({ namespace: targetNamespace(mesh, provider.name, opts.mesh), outsiderNamespace: outsiderNamespace(mesh, provider.name, opts.mesh), monitoringNamespace: monitoringNamespace(), runId, driver, scrapeJobs: registry.entry(mesh).scrapeJobs, versions: VERSIONS, simImage, loadgenImage, loadEngine: engine, backend, ...(sim ? { sim } : {}), ...(hostImages?.prometheus ? { prometheusImage: hostImages.prometheus.ref } : {}), ...(hostImages ? { resources: "compact" as const } : {}) });
      const rollouts: WaitStep[] = [
        ...backendDeployments(backend).map((name) => ({ namespace: stack.layout.namespace, name })),
        { namespace: stack.layout.namespace, name: stack.layout.loadgen.deployment },
        { namespace: stack.layout.outsider.namespace, name: stack.layout.outsider.deployment },
      ].map(({ namespace, name }) => ({
        kind: "wait",
        id: `wait-${name}`,
        name: `wait for deployment ${name} to roll out`,
        timeoutMs: TIMEOUTS.rollout,
        condition: { type: "rollout", namespace, kind: "Deployment", name },
        consecutive: 2,
        intervalMs: 3000,
      }));
      const setup: Step[] = [
        { kind: "apply", id: "deploy-stack", name: `deploy the reference stack into ${stack.layout.namespace}`, timeoutMs: TIMEOUTS.apply, manifests: stack.manifests },
        ...rollouts,
      ];
      const inPod = ({ namespace, deployment, container }: { namespace: string; deployment: string; container: string }): LoadClient => ({ type: "pod", context, namespace, pod: `deploy/${deployment}`, container });
      return {
        setup,
        target: stack.target,
        targetUrl: stack.layout.targetUrl,
        clients: { meshed: inPod(stack.layout.loadgen), outsider: inPod(stack.layout.outsider) },
        collect: stack.layout.namespaces.flatMap((ns) => collectSteps(context, ns)).filter((s) => !s.id.endsWith(stack.layout.prometheus.namespace) || s.id.startsWith("collect-events")),
      };
    },
  };
}

/** The Deployments a run waits for before load: the sims, vLLM per version, or none (KServe makes its own; openai is the user's). */
function backendDeployments(backend: Backend): string[] {
  if (backend.name === "llm-sim") return VERSIONS.map((v) => simDeploymentName(v));
  if (backend.name === "vllm") return VERSIONS.map((v) => `${VLLM_APP}-${v}`);
  return [];
}

/** The user's k6 image for cluster runs with --load-engine k6; the dry-run shows a placeholder. */
function k6ImageFor(opts: RunOptions): string {
  const image = process.env[K6_IMAGE_VAR];
  if (image) return image;
  if (opts.dryRun) return `$${K6_IMAGE_VAR}`;
  throw new EnvironmentError(
    `--load-engine k6 on a cluster needs ${K6_IMAGE_VAR}: the image of a k6 you built or pulled (meshproof ships none)`,
    `set ${K6_IMAGE_VAR}=<image> (loaded into the cluster), or use the built-in engine (--load-engine builtin)`,
  );
}

function engineOf(plan: RunPlanWithCluster): LoadEngine {
  return plan.options.loadEngine === "k6" ? "k6" : "builtin";
}

/** Where a load step runs: the client its plan names (the stack's layout put it there). */
function clientOf(step: { id: string; runsIn?: LoadClient | undefined }, mesh: string): LoadClient {
  if (!step.runsIn) throw new Error(`step ${step.id} on ${mesh} names no load client: plans come from buildRunPlan`);
  return step.runsIn;
}

/** The engine's executable: found on the host for `local`; inside the pod image otherwise. */
function loadToolFor(plan: RunPlanWithCluster, find: (name: ToolName) => ResolvedTool | undefined): ResolvedTool {
  const engine = engineOf(plan);
  const name = ENGINE_TOOL[engine];
  if (plan.cluster.name === "local") return find(name) ?? { name, path: name, source: "path" };
  return { name, path: engine === "builtin" ? LOADGEN_POD_BINARY : "k6", source: "path" };
}

/**
 * Write into every measure and converge step the exact command of its first batch (window),
 * as the load runner below will build it, so --dry-run shows it. Later batches differ only in
 * the profile's name and length, which the sequential checks decide at run time.
 */
export function annotateLoadCommands(plan: RunPlanWithCluster, runDir: string): void {
  const tool = loadToolFor(plan, (name) => {
    try {
      return tryFindTool(name);
    } catch {
      return undefined; // a bad LOADGEN_BIN/K6_BIN is preflight's to report, not the plan's
    }
  });
  for (const target of plan.targets) {
    const targetUrl = plan.targetUrls[target.mesh] ?? "";
    for (const step of walkSteps(target.scenarios.flatMap((s) => s.phases.flatMap((p) => p.steps)))) {
      if (step.kind !== "measure" && step.kind !== "converge") continue;
      const profile: LoadProfile = step.kind === "measure" ? step.load : step.probe;
      step.loadCommand = loadCommand({
        engine: engineOf(plan),
        tool,
        profile: { ...profile, name: `${profile.name}-1` },
        targetUrl,
        outDir: path.join(runDir, "load", target.mesh),
        runner: clientOf(step, target.mesh),
        runId: plan.runId,
      });
    }
  }
}

/** Tools a plan will call, by argv[0] and by what its load and processes need. */
function toolsNeeded(plan: RunPlanWithCluster): Set<ToolName> {
  const needed = new Set<ToolName>();
  const steps = [...plan.cluster.setup, ...plan.targets.flatMap((t) => [...t.setup, ...t.scenarios.flatMap((s) => s.phases.flatMap((p) => p.steps)), ...t.teardown])];
  for (const step of walkSteps(steps)) {
    const argv0 = step.kind === "command" || step.kind === "collect" ? step.argv[0] : step.kind === "wait" && step.condition.type === "command" ? step.condition.argv[0] : undefined;
    const tool = argv0 ? toolNamed(argv0) : undefined;
    if (tool) needed.add(tool);
    if (step.kind === "process" && step.role === "prometheus") needed.add("prometheus");
    if ((step.kind === "measure" || step.kind === "converge") && plan.cluster.name === "local") needed.add(ENGINE_TOOL[engineOf(plan)]);
    if ((step.kind === "measure" || step.kind === "converge" || step.kind === "apply") && plan.cluster.name !== "local") needed.add("kubectl");
  }
  return needed;
}

async function versionOf(tool: ResolvedTool): Promise<string> {
  const out = await processCommandRunner.run([tool.path, ...TOOLS[tool.name].versionArgs], { timeoutMs: 15_000 }).catch(() => undefined);
  return versionFromOutput(`${out?.stdout ?? ""}\n${out?.stderr ?? ""}`);
}

/** Fail fast, before creating anything, with one message naming every missing tool. */
export async function preflight(plan: RunPlanWithCluster): Promise<ToolRecord[]> {
  // The host cluster's own programs (exit 4 naming `npm run setup` and the first build's duration).
  if (plan.cluster.name === "host") hostPreflight();
  const missing: string[] = [];
  const found: ResolvedTool[] = [];
  for (const tool of toolsNeeded(plan)) {
    if (tool === "docker") {
      const info = await processCommandRunner.run(["docker", "info", "--format", "{{.ServerVersion}}"], { timeoutMs: 20_000 }).catch(() => undefined);
      if (!info || info.exitCode !== 0) missing.push("Docker is not running (kind needs it): start it, or pass --cluster current --context NAME");
      continue;
    }
    try {
      found.push(findTool(tool));
    } catch (err) {
      const hint = (err as { hint?: string }).hint;
      missing.push(`${tool}: ${hint ?? (err as Error).message}`);
    }
  }
  if (missing.length > 0) {
    throw new EnvironmentError(`this run needs tools that are missing:\n  - ${missing.join("\n  - ")}`, "then run the same command again (or add --dry-run to see the plan without any tools)");
  }
  return Promise.all(found.map(async (t) => ({ name: t.name, path: t.path, source: t.source, version: await versionOf(t) })));
}

export async function executionEnvFor(plan: RunPlanWithCluster, opts: RunOptions, runDir: string, signal: AbortSignal, progress: ProgressSink): Promise<ExecutionEnv> {
  const context = plan.cluster.context;
  const engine = engineOf(plan);
  const tool = loadToolFor(plan, (name) => findTool(name));
  const loadDir = path.join(runDir, "load");
  const loadFor = (mesh: string, client: LoadClient | undefined): LoadRunner => {
    const targetUrl = plan.targetUrls[mesh];
    if (!targetUrl) throw new Error(`no target URL for ${mesh}`);
    if (!client) throw new Error(`a load step on ${mesh} names no load client: plans come from buildRunPlan`);
    return {
      async run(profile, { signal: stepSignal, label }) {
        return runLoad({
          engine,
          tool,
          profile,
          targetUrl,
          outDir: path.join(loadDir, mesh),
          runDir,
          runner: client,
          runId: plan.runId,
          signal: stepSignal,
          // Past the schedule, requests in flight may run to their own timeout (a timeouts scenario holds them 65 s).
          timeoutMs: profile.durationSeconds * 1000 + Math.max(TIMEOUTS.loadGrace, profile.requestTimeoutMs + 30_000),
          onProgress: (line) => progress.note(`${label}: ${line}`),
        });
      },
    };
  };
  return {
    runDir,
    signal,
    keep: opts.keep,
    progress,
    commands: processCommandRunner,
    processes: childProcessLauncher,
    // client-node is large; only runs against a cluster load it.
    kube: context ? (await import("../cluster/kube.js")).kubeClientFor(context) : undefined,
    loadFor,
  };
}

