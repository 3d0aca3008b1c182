/**
 * GKE with an optional accelerator node pool, for runs against a real vLLM backend.
 * Flags from the gcloud reference: https://cloud.google.com/sdk/gcloud/reference/container/clusters/create
 * and .../node-pools/create (--accelerator type=...,count=...,gpu-driver-version=...).
 */
import type { Step } from "../plan/steps.js";
import { TIMEOUTS } from "../core/timeouts.js";
import type { ClusterProvider } from "./provider.js";

export interface GkeOptions {
  name: string;
  project: string;
  location: string;
  machineType?: string;
  nodes?: number;
  /** e.g. "nvidia-tesla-t4"; omit for a CPU-only cluster running llm-sim. */
  accelerator?: string;
  acceleratorMachineType?: string;
}

export function gkeProvider(opts: GkeOptions): ClusterProvider {
  const context = `gke_${opts.project}_${opts.location}_${opts.name}`;
  const where = ["--project", opts.project, "--location", opts.location];
  const destroy: Step = {
    kind: "command",
    id: "delete-gke-cluster",
    name: `delete GKE cluster ${opts.name}`,
    timeoutMs: 20 * 60_000,
    argv: ["gcloud", "container", "clusters", "delete", opts.name, ...where, "--quiet"],
  };
  const ensure: Step[] = [
    {
      kind: "command",
      id: "create-gke-cluster",
      name: `create GKE cluster ${opts.name} unless it exists`,
      timeoutMs: 30 * 60_000,
      argv: [
        "gcloud", "container", "clusters", "create", opts.name, ...where,
        "--machine-type", opts.machineType ?? "e2-standard-4",
        "--num-nodes", String(opts.nodes ?? 3),
        "--release-channel", "regular",
        "--labels", "managed-by=meshproof",
      ],
      skipIf: ["gcloud", "container", "clusters", "describe", opts.name, ...where, "--format=value(name)"],
      undo: [destroy],
    },
  ];
  if (opts.accelerator) {
    ensure.push({
      kind: "command",
      id: "create-gke-accelerator-pool",
      name: `add a node pool with ${opts.accelerator}`,
      timeoutMs: 30 * 60_000,
      argv: [
        "gcloud", "container", "node-pools", "create", "accelerators", "--cluster", opts.name, ...where,
        "--machine-type", opts.acceleratorMachineType ?? "n1-standard-8",
        "--accelerator", `type=${opts.accelerator},count=1,gpu-driver-version=default`,
        "--num-nodes", "1",
      ],
      skipIf: ["gcloud", "container", "node-pools", "describe", "accelerators", "--cluster", opts.name, ...where],
    });
  }
  ensure.push({
    kind: "command",
    id: "gke-credentials",
    name: "fetch cluster credentials into the kubeconfig",
    timeoutMs: TIMEOUTS.command,
    argv: ["gcloud", "container", "clusters", "get-credentials", opts.name, ...where],
  });
  return {
    name: "gke",
    context,
    describe: () => `GKE cluster ${opts.name} in ${opts.project}/${opts.location}${opts.accelerator ? ` with ${opts.accelerator}` : ""}`,
    ensure: () => ensure,
    destroy: () => [destroy],
    // GKE pulls from a registry; images must be pushed there by the user's pipeline.
    loadImages: () => [],
  };
}
