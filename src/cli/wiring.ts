/**
 * The composition root: which driver, provider, stack and load runner a run uses, and the
 * preflight that turns a missing tool into exit 4 before anything is created.
 */
import path from "node:path";
import { EnvironmentError } from "../engine/errors.js";
import type { ExecutionEnv, LoadRunner, ProgressSink } from "../engine/executor.js";
import { zxCommandRunner } from "../engine/commands.js";
import { childProcessLauncher } from "../engine/processes.js";
import type { RunPlanWithCluster, StackPlan, StackPlanner } from "../engine/run-plan.js";
import { collectSteps } from "../engine/run-plan.js";
import { walkSteps } from "../engine/scenario.js";
import type { Step, WaitStep } from "../engine/plan.js";
import { TIMEOUTS } from "../engine/timeouts.js";
import { tryFindTool, findTool, type ResolvedTool, type ToolName } from "../engine/tools.js";
import { currentProvider, gkeProvider, kindProvider, kwokProvider, localProvider, type ClusterProvider } from "../cluster/index.js";
import type { InstallOptions, MeshDriver, MeshName } from "../mesh/driver.js";
import { createIstioDriver, istioDriver } from "../mesh/istio/index.js";
import { createLinkerdDriver, linkerdDriver } from "../mesh/linkerd/index.js";
import { noneDriver } from "../mesh/none/index.js";
import { K6_IMAGE, runK6 } from "../load/index.js";
import { referenceStack, simDeploymentName, MONITORING_NAMESPACE } from "../stack/index.js";
import { localStack, SIM_IMAGE, SIM_IMAGE_BUILD } from "../stack/local-stack.js";
import type { ToolRecord } from "../report/results.js";
import type { RunOptions } from "./options.js";

/** Drivers with their defaults: for --capabilities and anything that renders without a cluster. */
export const DRIVERS: Record<MeshName, MeshDriver> = {
  istio: istioDriver,
  linkerd: linkerdDriver,
  none: noneDriver,
};

/** Drivers bound to this run's kube context, routing API and enrolled namespaces. */
export function driversFor(opts: RunOptions, provider: ClusterProvider): Record<MeshName, MeshDriver> {
  const context = provider.context;
  return {
    istio: createIstioDriver({ ...(context ? { context } : {}), routing: opts.routing, enrolledNamespaces: [stackNamespace("istio")] }),
    linkerd: createLinkerdDriver({ ...(context ? { context } : {}), identityDir: path.resolve(opts.out, "linkerd-identity"), dataPlaneNamespaces: [stackNamespace("linkerd")] }),
    none: noneDriver,
  };
}

/** The stack's versions: every scenario's split and routes name these. */
export const VERSIONS = ["stable", "canary"];

export function installOptions(opts: RunOptions): Record<MeshName, InstallOptions> {
  const common = { method: opts.installMethod, gatewayApiVersion: opts.gatewayApiVersion } as const;
  return {
    istio: { ...common, version: opts.istioVersion },
    linkerd: { ...common, version: opts.linkerdVersion },
    none: { ...common, version: noneDriver.defaultVersion },
  };
}

export function providerFor(opts: RunOptions): ClusterProvider {
  switch (opts.cluster) {
    case "kind":
      return kindProvider({ name: opts.clusterName });
    case "kwok":
      return kwokProvider(opts.clusterName);
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

/** Namespace of a mesh's copy of the stack: one per mesh, so a run's meshes never share pods. */
export function stackNamespace(mesh: MeshName): string {
  return `meshproof-${mesh}`;
}

export async function stackPlannerFor(opts: RunOptions, runId: string, provider: ClusterProvider, runDir: string): Promise<StackPlanner> {
  if (provider.name === "local") {
    const local = await localStack({ runId, versions: VERSIONS, runDir, prometheus: tryFindTool("prometheus")?.path ?? "prometheus" });
    return {
      images: () => [],
      forTarget: (): StackPlan => ({ setup: local.setup, target: local.target, targetUrl: local.targetUrl, collect: [] }),
    };
  }
  const context = provider.context ?? "";
  return {
    images: () => [
      { image: SIM_IMAGE, buildArgv: SIM_IMAGE_BUILD },
      { image: K6_IMAGE, buildArgv: ["docker", "build", "-t", K6_IMAGE, "-f", "tools/k6/Dockerfile", "."] },
    ],
    forTarget(mesh, driver): StackPlan {
      const stack = referenceStack({ namespace: stackNamespace(mesh), runId, driver, versions: VERSIONS, simImage: SIM_IMAGE, k6Image: K6_IMAGE });
      const rollouts: WaitStep[] = [
        ...VERSIONS.map((v) => simDeploymentName(v)),
        stack.layout.loadgen.deployment,
      ].map((name) => ({
        kind: "wait",
        id: `wait-${name}`,
        name: `wait for deployment ${name} to roll out`,
        timeoutMs: TIMEOUTS.rollout,
        condition: { type: "rollout", namespace: stack.layout.namespace, kind: "Deployment", name },
        consecutive: 2,
        intervalMs: 3000,
      }));
      const setup: Step[] = [
        { kind: "apply", id: "deploy-stack", name: `deploy the reference stack into ${stack.layout.namespace}`, timeoutMs: TIMEOUTS.apply, manifests: stack.manifests },
        ...rollouts,
      ];
      return {
        setup,
        target: stack.target,
        targetUrl: stack.layout.targetUrl,
        collect: stack.layout.namespaces.flatMap((ns) => collectSteps(context, ns)).filter((s) => !s.id.endsWith(MONITORING_NAMESPACE) || s.id.startsWith("collect-events")),
      };
    },
  };
}

/** Tools a plan will call, by argv[0] and by what its load and processes need. */
function toolsNeeded(plan: RunPlanWithCluster): Set<ToolName | "docker"> {
  const needed = new Set<ToolName | "docker">();
  const steps = [...plan.cluster.setup, ...plan.targets.flatMap((t) => [...t.setup, ...t.scenarios.flatMap((s) => s.phases.flatMap((p) => p.steps)), ...t.teardown])];
  const byArgv0: Record<string, ToolName | "docker"> = { kubectl: "kubectl", kind: "kind", istioctl: "istioctl", linkerd: "linkerd", helm: "helm", gcloud: "gcloud", kwokctl: "kwok", docker: "docker" };
  for (const step of walkSteps(steps)) {
    const argv0 = step.kind === "command" || step.kind === "collect" ? step.argv[0] : step.kind === "wait" && step.condition.type === "command" ? step.condition.argv[0] : undefined;
    const tool = argv0 ? byArgv0[argv0] : undefined;
    if (tool) needed.add(tool);
    if (step.kind === "process" && step.role === "prometheus") needed.add("prometheus");
    if ((step.kind === "measure" || step.kind === "converge") && plan.cluster.name === "local") needed.add("k6");
    if ((step.kind === "measure" || step.kind === "converge" || step.kind === "apply") && plan.cluster.name !== "local") needed.add("kubectl");
  }
  return needed;
}

async function versionOf(tool: ResolvedTool): Promise<string> {
  const argv = tool.name === "kubectl" ? [tool.path, "version", "--client"] : tool.name === "k6" || tool.name === "kind" || tool.name === "linkerd" ? [tool.path, "version"] : [tool.path, "--version"];
  const out = await zxCommandRunner.run(argv, { timeoutMs: 15_000 }).catch(() => undefined);
  const text = `${out?.stdout ?? ""}\n${out?.stderr ?? ""}`.split("\n").find((l) => l.trim()) ?? "unknown";
  return text.trim().slice(0, 120);
}

/** Fail fast, before creating anything, with one message naming every missing tool. */
export async function preflight(plan: RunPlanWithCluster): Promise<ToolRecord[]> {
  const missing: string[] = [];
  const found: ResolvedTool[] = [];
  for (const tool of toolsNeeded(plan)) {
    if (tool === "docker") {
      const info = await zxCommandRunner.run(["docker", "info", "--format", "{{.ServerVersion}}"], { timeoutMs: 20_000 }).catch(() => undefined);
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
  const k6 = plan.cluster.name === "local" ? findTool("k6") : undefined;
  const loadDir = path.join(runDir, "load");
  const runners = new Map<string, LoadRunner>();
  const loadFor = (key: string): LoadRunner => {
    const existing = runners.get(key);
    if (existing) return existing;
    const [mesh, client] = key.split(":") as [MeshName, string | undefined];
    const targetUrl = plan.targetUrls[mesh];
    if (!targetUrl) throw new Error(`no target URL for ${mesh}`);
    const runner: LoadRunner = {
      async run(profile, { signal: stepSignal, label }) {
        return runK6({
          k6: k6 ?? { name: "k6", path: "k6", source: "path" },
          profile,
          targetUrl,
          outDir: path.join(loadDir, mesh),
          runDir, // evidence paths relative to the run folder, where the reports link them from
          signal: stepSignal,
          timeoutMs: profile.durationSeconds * 1000 + TIMEOUTS.loadGrace,
          onProgress: (line) => progress.note(`${label}: ${line}`),
          ...(plan.cluster.name === "local"
            ? {}
            : {
                runner: client === "outsider"
                  ? { type: "pod" as const, context: context ?? "", namespace: "outsider", pod: "outsider", container: "k6" }
                  : { type: "pod" as const, context: context ?? "", namespace: stackNamespace(mesh), pod: "deploy/loadgen", container: "k6" },
              }),
        });
      },
    };
    runners.set(key, runner);
    return runner;
  };
  return {
    runDir,
    signal,
    keep: opts.keep,
    progress,
    commands: zxCommandRunner,
    processes: childProcessLauncher,
    // client-node is large; only runs against a cluster load it.
    kube: context ? (await import("../cluster/kube.js")).kubeClientFor(context) : undefined,
    loadFor,
  };
}

