/**
 * What serves the completions the mesh carries (`--backend`):
 * - `llm-sim` (default): meshproof's reference server, which echoes what the checks read (the
 *   version that answered, the peer identity it saw, the attempt number) and acts on test headers
 *   (delays, failures, cut streams);
 * - `vllm`: vLLM's OpenAI server on GKE's GPU node pool, one Deployment per version;
 * - `openai`: any OpenAI-compatible endpoint the user names; meshproof deploys no backend and
 *   sends the load to that URL;
 * - `kserve`: the Istio stack's KServe variant (REFERENCE-STACKS D), an LLMInferenceService whose
 *   router creates the HTTPRoute and the Gateway API Inference Extension InferencePool with its
 *   endpoint picker; rendered as a plan only (--dry-run), since it needs KServe, GPUs and a model
 *   download.
 * Only llm-sim sends and honours the x-llm-* headers, so checks that count by them are
 * `unsupported` on every other backend (markBackendGaps), with the header named.
 *
 * Field names: LLMInferenceService from KServe's pkg/apis/serving/v1alpha1
 * (llm_inference_service_types.go: spec.model.{uri,name}, spec.replicas, spec.template,
 * spec.router.{route,gateway.refs,scheduler}); Gateway from gateway.networking.k8s.io/v1.
 * vLLM's server answers /health (no /health/live or /health/ready), so its three probes use that
 * path with the seed stacks' periods; a startup allowance of 30 minutes covers the model download.
 */
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import type { KubeObject, RunPlan, Step, UnsupportedStep } from "../plan/steps.js";
import { walkSteps } from "../plan/steps.js";
import type { CheckSpec, OutcomeSelector } from "../analysis/verdict.js";
import type { LoadProfile } from "../load/profile.js";
import { toKubeObject } from "./kube-object.js";
import type { Backend, VllmSettings } from "./backend-options.js";

export { BACKENDS, VLLM_DEFAULTS, type Backend, type BackendName, type VllmSettings } from "./backend-options.js";

export const VLLM_ARGS = ["--dtype=half", "--max-model-len=2048"] as const;
export const VLLM_APP = "vllm";
export const VLLM_PORT = 8000;
const GPU_RESOURCE = "nvidia.com/gpu";
/** GKE labels GPU nodes with their accelerator type and taints them with nvidia.com/gpu. */
const GKE_ACCELERATOR_LABEL = "cloud.google.com/gke-accelerator";

/** The app label the backend's pods carry (the Target's selector), or undefined when nothing is deployed. */
export function backendApp(backend: Backend, simApp: string): string | undefined {
  switch (backend.name) {
    case "llm-sim":
      return simApp;
    case "vllm":
    case "kserve":
      return VLLM_APP;
    case "openai":
      return undefined;
  }
}

/**
 * Seed stack A's requests and limits for CPU and memory requests, plus the GPUs. The memory limit
 * is raised from A's 2Gi: vLLM loads the weights through host memory (gemma-2b-it is ~5 GB in
 * half precision), which a 2Gi limit kills.
 */
export function vllmResources(gpus: number): IResourceRequirements {
  return {
    requests: { cpu: "500m", memory: "512Mi", [GPU_RESOURCE]: String(gpus) },
    limits: { cpu: "2000m", memory: "16Gi", [GPU_RESOURCE]: String(gpus) },
  };
}

function vllmContainer(settings: VllmSettings, name: string): IContainer {
  const probe = (periodSeconds: number, failureThreshold: number) => ({ httpGet: { path: "/health", port: "http" }, periodSeconds, failureThreshold, timeoutSeconds: 2 });
  return {
    name,
    image: settings.image,
    args: ["--model", settings.model, ...VLLM_ARGS, `--port=${VLLM_PORT}`, `--tensor-parallel-size=${settings.gpus}`],
    ports: [{ name: "http", containerPort: VLLM_PORT, protocol: "TCP" }],
    startupProbe: probe(10, 180),
    livenessProbe: probe(10, 3),
    readinessProbe: probe(5, 2),
    resources: vllmResources(settings.gpus),
  };
}

function gpuPlacement(settings: VllmSettings): { nodeSelector: Record<string, string>; tolerations: { key: string; operator: "Exists"; effect: "NoSchedule" }[] } {
  return {
    nodeSelector: { [GKE_ACCELERATOR_LABEL]: settings.accelerator },
    tolerations: [{ key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" }],
  };
}

export interface VllmWorkloadOptions {
  namespace: string;
  labels: Record<string, string>;
  versions: string[];
  versionLabel: string;
  replicas: number;
  podAnnotations: Record<string, string>;
  /** The Service the mesh routes (the Target's). */
  service: string;
  settings: VllmSettings;
}

/** One vLLM Deployment per version behind the Target's Service, as the sims are for llm-sim. */
export function vllmWorkload(opts: VllmWorkloadOptions): KubeObject[] {
  const { namespace, labels, settings } = opts;
  const objects: KubeObject[] = opts.versions.map((version) => {
    const podLabels = { ...labels, app: VLLM_APP, [opts.versionLabel]: version };
    return toKubeObject(
      new Deployment({
        metadata: { name: `${VLLM_APP}-${version}`, namespace, labels: podLabels },
        spec: {
          replicas: opts.replicas,
          selector: { matchLabels: { app: VLLM_APP, [opts.versionLabel]: version } },
          template: {
            metadata: { labels: podLabels, ...(Object.keys(opts.podAnnotations).length > 0 ? { annotations: { ...opts.podAnnotations } } : {}) },
            spec: { containers: [vllmContainer(settings, VLLM_APP)], ...gpuPlacement(settings) },
          },
        },
      }),
    );
  });
  objects.push(
    toKubeObject(
      new Service({
        metadata: { name: opts.service, namespace, labels },
        spec: { selector: { app: VLLM_APP }, ports: [{ name: "http", port: VLLM_PORT, targetPort: "http", protocol: "TCP", appProtocol: "http" }] },
      }),
    ),
  );
  return objects;
}

export const KSERVE_GATEWAY = "meshproof-inference";

/**
 * The KServe variant: a Gateway of Istio's class, and an LLMInferenceService whose router makes
 * the HTTPRoute on that Gateway and a managed scheduler (the InferencePool and its endpoint
 * picker). The load goes to the Gateway's in-cluster address.
 */
export function kserveWorkload(opts: { namespace: string; labels: Record<string, string>; name: string; replicas: number; settings: VllmSettings }): KubeObject[] {
  const { namespace, labels, settings } = opts;
  return [
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: KSERVE_GATEWAY, namespace, labels },
      spec: { gatewayClassName: "istio", listeners: [{ name: "http", port: 80, protocol: "HTTP", allowedRoutes: { namespaces: { from: "Same" } } }] },
    },
    {
      apiVersion: "serving.kserve.io/v1alpha1",
      kind: "LLMInferenceService",
      metadata: { name: opts.name, namespace, labels },
      spec: {
        model: { uri: `hf://${settings.model}`, name: settings.model },
        replicas: opts.replicas,
        template: { containers: [{ name: "main", image: settings.image, args: [...VLLM_ARGS], resources: vllmResources(settings.gpus) }], ...gpuPlacement(settings) },
        router: {
          gateway: { refs: [{ name: KSERVE_GATEWAY, namespace }] },
          route: {},
          scheduler: {},
        },
      },
    },
  ];
}

/** The in-cluster URL of the Istio gateway Istio deploys for the Gateway (<name>-istio, port 80). */
export function kserveTargetUrl(namespace: string): string {
  return `http://${KSERVE_GATEWAY}-istio.${namespace}.svc.cluster.local`;
}

/** What only llm-sim provides, and which checks or loads depend on it. */
const SELECTOR_HEADERS: { field: keyof OutcomeSelector; header: string; what: string }[] = [
  { field: "version", header: "x-llm-version", what: "which version answered" },
  { field: "peer", header: "x-llm-peer-xfcc / x-llm-peer-l5d", what: "the peer identity the server saw" },
  { field: "minAttempt", header: "x-llm-attempt", what: "which attempt a response came from" },
];
export const LLM_SIM_REQUEST_HEADER = /^x-llm-/i;

/** Why a check cannot be judged on a backend other than llm-sim, or undefined when it can. */
export function llmSimDependence(check: CheckSpec, load: LoadProfile | undefined): string | undefined {
  const sent = Object.keys(load?.headers ?? {}).filter((h) => LLM_SIM_REQUEST_HEADER.test(h));
  if (sent.length > 0) return `its load sends ${sent.join(", ")}, which only llm-sim acts on`;
  if (check.type !== "proportion") return undefined;
  for (const { field, header, what } of SELECTOR_HEADERS) {
    if (check.numerator[field] !== undefined || check.denominator[field] !== undefined) return `it counts by ${what}, read from llm-sim's ${header} response header`;
  }
  return undefined;
}

/**
 * On a backend other than llm-sim, put an `unsupported` step at the start of every scenario for
 * the checks that need llm-sim's headers: the executor then records them as unsupported, with
 * the reason, instead of judging them on responses that cannot carry what they count.
 */
export function markBackendGaps(plan: RunPlan, backend: Backend): void {
  if (backend.name === "llm-sim") return;
  for (const target of plan.targets) {
    // A mutant's plan judges the same checks as its scenario: the same gaps apply.
    for (const scenario of [...target.scenarios, ...(target.mutants ?? []).map((m) => m.plan)]) {
      const byReason = new Map<string, string[]>();
      for (const step of walkSteps(scenario.phases.flatMap((p) => p.steps))) {
        if (step.kind !== "measure" && step.kind !== "converge") continue;
        const load = step.kind === "measure" ? step.load : step.probe;
        for (const check of step.checks) {
          const reason = llmSimDependence(check, load);
          if (!reason) continue;
          const ids = byReason.get(reason) ?? [];
          if (!ids.includes(check.id)) ids.push(check.id);
          byReason.set(reason, ids);
        }
      }
      const first = scenario.phases.find((p) => p.name !== "teardown");
      if (!first || byReason.size === 0) continue;
      const gaps: Step[] = [...byReason.entries()].map(([reason, checks], i): UnsupportedStep => ({
        kind: "unsupported",
        id: `backend-${backend.name}-unsupported-${i + 1}`,
        name: `${checks.length} check${checks.length === 1 ? "" : "s"} need llm-sim, not the ${backend.name} backend`,
        timeoutMs: 0,
        intent: "backend",
        reason: `on backend ${backend.name}: ${reason}`,
        checks,
      }));
      first.steps.unshift(...gaps);
    }
  }
}
