/**
 * `--cluster host`: a single-node Kubernetes started as processes on this host (like
 * minikube's `none` driver): etcd, the control plane, containerd, the kubelet and kube-proxy,
 * with CoreDNS on the kube-dns address and an egress guard that keeps every pod inside the
 * machine. The plan calls the cluster's own command (src/cluster/host/main.ts), so --dry-run
 * shows the start, each image's build and import, and the stop.
 */
import type { CommandStep, Step } from "../../plan/steps.js";
import { TIMEOUTS } from "../../core/timeouts.js";
import type { ClusterProvider } from "../provider.js";
import { requireBinaries, requireRootOnLinux } from "./binaries.js";
import { imagesCacheDir } from "./images/cache.js";
import { imagePlanSteps, plannedImage, type PlannedImage } from "./images/plan.js";
import { pauseRecipe } from "./images/recipes.js";
import { KUBERNETES_VERSION, contextName, hostLayout } from "./settings.js";

export { KUBERNETES_VERSION, contextName as hostContextName } from "./settings.js";

/** The host cluster's command as a plan shows it (run from the repository root). */
export const HOST_CLUSTER_COMMAND = ["tsx", "src/cluster/host/main.ts"] as const;

export interface HostOptions {
  name: string;
  /** The pause image: containerd's sandbox image, built and imported before any pod. */
  pause: PlannedImage;
  /** Images the run's workloads use, by reference: built unless cached, then imported. */
  images?: readonly PlannedImage[];
  /** The run's id: the cluster is stopped at the end only if this run started it. */
  runId?: string;
}

/**
 * Stop the cluster and remove every trace of it; also what `npm run clean -- --cluster host`
 * runs. With `startedBy`, only if that run started it (a reused cluster is left running).
 */
export function hostDestroyStep(name: string, startedBy?: string): CommandStep {
  return {
    kind: "command",
    id: "stop-host-cluster",
    name: `stop host cluster ${name}${startedBy ? " if this run started it," : ""} and remove its state, network devices, iptables chains and mounts`,
    timeoutMs: TIMEOUTS.clusterDelete,
    argv: [...HOST_CLUSTER_COMMAND, "down", "--name", name, ...(startedBy ? ["--if-started-by", startedBy] : [])],
  };
}

export function hostProvider(opts: HostOptions): ClusterProvider {
  const context = contextName(opts.name);
  const target = { address: hostLayout(opts.name).containerdSocket };
  const destroy = hostDestroyStep(opts.name);
  const [buildPause, importPause] = imagePlanSteps(target, [opts.pause]);
  return {
    name: "host",
    context,
    describe: () => `host cluster ${opts.name} (Kubernetes ${KUBERNETES_VERSION} as processes on this host)`,
    ensure: () => [
      ...(buildPause ? [buildPause] : []),
      {
        kind: "command",
        id: "start-host-cluster",
        name: `start host cluster ${opts.name} unless it is running (etcd, control plane, containerd, kubelet, kube-proxy, CoreDNS, egress guard)`,
        timeoutMs: TIMEOUTS.clusterCreate,
        argv: [...HOST_CLUSTER_COMMAND, "up", "--name", opts.name, "--sandbox-image", opts.pause.ref, ...(opts.runId ? ["--started-by", opts.runId] : [])],
        skipIf: [...HOST_CLUSTER_COMMAND, "status", "--name", opts.name],
        undo: [hostDestroyStep(opts.name, opts.runId)],
      },
      ...(importPause ? [importPause] : []),
    ],
    destroy: () => [destroy],
    loadImages: (refs) => {
      const known = new Map((opts.images ?? []).map((i) => [i.ref, i]));
      const missing = refs.filter((r) => !known.has(r));
      if (missing.length > 0) throw new Error(`the host cluster has no recipe for ${missing.join(", ")}: images are built locally (src/cluster/host/images)`);
      return imagePlanSteps(target, refs.map((r) => known.get(r)!)) as Step[];
    },
  };
}

/** The provider with the pause image's reference and archive resolved (its tag is a hash of its sources). */
export async function hostProviderFor(name: string, images: readonly PlannedImage[] = [], runId?: string): Promise<ClusterProvider> {
  return hostProvider({ name, pause: await plannedImage(pauseRecipe, imagesCacheDir()), images, ...(runId ? { runId } : {}) });
}

/** Before a run creates anything: root on Linux and every program in place, else exit 4 saying how to get them. */
export function hostPreflight(): void {
  requireRootOnLinux();
  requireBinaries();
}
