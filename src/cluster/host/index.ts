/**
 * `--cluster host`: a single-node Kubernetes started as processes on this host (like
 * minikube's `none` driver): etcd, the control plane, containerd, the kubelet and kube-proxy,
 * with CoreDNS on the kube-dns address and an egress guard that keeps every pod inside the
 * machine. The plan calls the cluster's own command (src/cluster/host/main.ts), so --dry-run
 * shows the start, the image imports and the stop.
 */
import type { CommandStep, Step } from "../../engine/plan.js";
import { TIMEOUTS } from "../../engine/timeouts.js";
import type { ClusterProvider } from "../provider.js";
import { requireBinaries, requireRootOnLinux } from "./binaries.js";
import { DEFAULT_SANDBOX_IMAGE, KUBERNETES_VERSION, contextName, hostLayout } from "./settings.js";

export { KUBERNETES_VERSION, contextName as hostContextName } from "./settings.js";
export { DEFAULT_SANDBOX_IMAGE } from "./settings.js";

/** The host cluster's command as a plan shows it (run from the repository root). */
export const HOST_CLUSTER_COMMAND = ["tsx", "src/cluster/host/main.ts"] as const;

export interface HostOptions {
  name: string;
  sandboxImage?: string;
  /** OCI archive of an image, by image name: what `ctr images import` reads. */
  archiveOf?: (image: string) => string;
}

/** Where an image's OCI archive is expected when no builder says otherwise. */
export function defaultArchiveOf(image: string): string {
  return `images/${image.replace(/[/:@]/g, "_")}.oci.tar`;
}

export function hostProvider(opts: HostOptions): ClusterProvider {
  const context = contextName(opts.name);
  const sandbox = opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE;
  const archiveOf = opts.archiveOf ?? defaultArchiveOf;
  const socket = hostLayout(opts.name).containerdSocket;
  const destroy: CommandStep = {
    kind: "command",
    id: "stop-host-cluster",
    name: `stop host cluster ${opts.name} and remove its state, network devices, iptables chains and mounts`,
    timeoutMs: TIMEOUTS.clusterDelete,
    argv: [...HOST_CLUSTER_COMMAND, "down", "--name", opts.name],
  };
  const importStep = (image: string, id: string): Step => ({
    kind: "command",
    id,
    name: `import image ${image} into the host cluster's containerd`,
    timeoutMs: TIMEOUTS.command,
    argv: ["ctr", "--address", socket, "-n", "k8s.io", "images", "import", "--no-unpack=false", archiveOf(image)],
  });
  return {
    name: "host",
    context,
    describe: () => `host cluster ${opts.name} (Kubernetes ${KUBERNETES_VERSION} as processes on this host)`,
    ensure: () => [
      {
        kind: "command",
        id: "start-host-cluster",
        name: `start host cluster ${opts.name} unless it is running (etcd, control plane, containerd, kubelet, kube-proxy, CoreDNS, egress guard)`,
        timeoutMs: TIMEOUTS.clusterCreate,
        argv: [...HOST_CLUSTER_COMMAND, "up", "--name", opts.name, "--sandbox-image", sandbox],
        skipIf: [...HOST_CLUSTER_COMMAND, "status", "--name", opts.name],
        undo: [destroy],
      },
      importStep(sandbox, "import-sandbox-image"),
    ],
    destroy: () => [destroy],
    loadImages: (images) => images.filter((i) => i !== sandbox).map((image, i) => importStep(image, `host-import-image-${i + 1}`)),
  };
}

/** Before a run creates anything: root on Linux and every program in place, else exit 4 saying how to get them. */
export function hostPreflight(): void {
  requireRootOnLinux();
  requireBinaries();
}
