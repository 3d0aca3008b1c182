/**
 * CPU and memory the stack's pods ask for. The reference values are the seed stacks' (shared
 * REFERENCE-STACKS: the LLM service requests 500m / 512Mi, limits 2000m / 2Gi). A single
 * 2-CPU node cannot schedule them all next to a mesh control plane and its sidecars (the
 * in-cluster Prometheus stayed Pending on the host cluster), so a small node asks for less.
 * Limits stay the same in both profiles: only what the scheduler reserves changes, not how
 * much a pod may use, so latency figures are comparable.
 */
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";

export type ResourceProfile = "reference" | "compact";

export interface StackResources {
  sim: IResourceRequirements;
  loadgen: IResourceRequirements;
  prometheus: IResourceRequirements;
}

const LIMITS = {
  sim: { cpu: "2000m", memory: "2Gi" },
  loadgen: { cpu: "2000m", memory: "1Gi" },
  prometheus: { cpu: "1000m", memory: "2Gi" },
} as const;

const REQUESTS: Record<ResourceProfile, { [K in keyof StackResources]: { cpu: string; memory: string } }> = {
  reference: {
    sim: { cpu: "500m", memory: "512Mi" },
    loadgen: { cpu: "500m", memory: "256Mi" },
    prometheus: { cpu: "200m", memory: "512Mi" },
  },
  // One 2-CPU node holding both meshes' control planes and ten stacks side by side (the real-mesh
  // tests' lanes), where 500m a container left even one stack's loadgen pod unschedulable: a
  // token request, so the scheduler places every pod and the kernel shares the CPU out.
  compact: {
    sim: { cpu: "10m", memory: "128Mi" },
    loadgen: { cpu: "10m", memory: "64Mi" },
    prometheus: { cpu: "10m", memory: "128Mi" },
  },
};

/**
 * What each mesh sidecar asks for beside a compact stack (the Istio and Linkerd entries map it to
 * their own annotations): the same token CPU, for the same reason.
 */
export const COMPACT_SIDECAR_REQUESTS = { cpu: "10m", memory: "64Mi" } as const;

export function stackResources(profile: ResourceProfile = "reference"): StackResources {
  const requests = REQUESTS[profile];
  return {
    sim: { requests: { ...requests.sim }, limits: { ...LIMITS.sim } },
    loadgen: { requests: { ...requests.loadgen }, limits: { ...LIMITS.loadgen } },
    prometheus: { requests: { ...requests.prometheus }, limits: { ...LIMITS.prometheus } },
  };
}
