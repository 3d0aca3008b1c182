/**
 * kind: a local Kubernetes in Docker. The node image is pinned by digest, as kind's release
 * notes require (a tag alone may point at an image built for another kind release).
 * Source: https://github.com/kubernetes-sigs/kind/releases/tag/v0.33.0
 */
import type { Step } from "../plan/steps.js";
import { TIMEOUTS } from "../core/timeouts.js";
import type { ClusterProvider } from "./provider.js";

export const KIND_VERSION = "v0.33.0";
export const KIND_NODE_IMAGE =
  "kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0";
/** Relative to the repository root; the template lives in clusters/. */
export const KIND_CONFIG = "clusters/kind-meshproof.yaml";

export interface KindOptions {
  name: string;
  nodeImage?: string;
  config?: string;
}

export function kindProvider(opts: KindOptions): ClusterProvider {
  const image = opts.nodeImage ?? KIND_NODE_IMAGE;
  const config = opts.config ?? KIND_CONFIG;
  const context = `kind-${opts.name}`;
  const destroy: Step = {
    kind: "command",
    id: "delete-kind-cluster",
    name: `delete kind cluster ${opts.name}`,
    timeoutMs: TIMEOUTS.clusterDelete,
    argv: ["kind", "delete", "cluster", "--name", opts.name],
  };
  return {
    name: "kind",
    context,
    describe: () => `kind cluster ${opts.name} (${image.split("@")[0]})`,
    ensure: () => [
      {
        kind: "command",
        id: "create-kind-cluster",
        name: `create kind cluster ${opts.name} unless it exists`,
        timeoutMs: TIMEOUTS.clusterCreate,
        argv: ["kind", "create", "cluster", "--name", opts.name, "--image", image, "--config", config, "--wait", "5m"],
        skipIf: ["kind", "get", "kubeconfig", "--name", opts.name],
        undo: [destroy],
      },
      {
        kind: "wait",
        id: "wait-kind-nodes",
        name: "wait until every node is Ready",
        timeoutMs: TIMEOUTS.clusterCreate,
        condition: { type: "command", argv: ["kubectl", "--context", context, "wait", "--for=condition=Ready", "nodes", "--all", "--timeout=10s"] },
        consecutive: 1,
        intervalMs: 5000,
      },
    ],
    destroy: () => [destroy],
    loadImages: (images) =>
      images.map((image, i) => ({
        kind: "command",
        id: `kind-load-image-${i + 1}`,
        name: `load image ${image} into the kind nodes`,
        timeoutMs: TIMEOUTS.command,
        argv: ["kind", "load", "docker-image", image, "--name", opts.name],
      })),
  };
}
