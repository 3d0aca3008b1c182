/**
 * kwok: a real API server with simulated nodes (kwokctl). Pods are scheduled and reported
 * Running but no container runs, so manifests, rollouts and policies meet real API semantics
 * while traffic checks cannot run (they are reported inconclusive, never passed).
 * Docs: https://kwok.sigs.k8s.io/docs/user/kwokctl-manage-cluster/
 */
import type { Step } from "../engine/plan.js";
import { TIMEOUTS } from "../engine/timeouts.js";
import type { ClusterProvider } from "./provider.js";

export function kwokProvider(name: string): ClusterProvider {
  const context = `kwok-${name}`;
  const destroy: Step = {
    kind: "command",
    id: "delete-kwok-cluster",
    name: `delete kwok cluster ${name}`,
    timeoutMs: TIMEOUTS.clusterDelete,
    argv: ["kwokctl", "delete", "cluster", "--name", name],
  };
  return {
    name: "kwok",
    context,
    describe: () => `kwok cluster ${name} (simulated nodes)`,
    ensure: () => [
      {
        kind: "command",
        id: "create-kwok-cluster",
        name: `create kwok cluster ${name} unless it exists`,
        timeoutMs: TIMEOUTS.clusterCreate,
        argv: ["kwokctl", "create", "cluster", "--name", name, "--wait", "2m"],
        skipIf: ["kwokctl", "get", "kubeconfig", "--name", name],
        undo: [destroy],
      },
      {
        kind: "command",
        id: "create-kwok-nodes",
        name: "add two simulated nodes",
        timeoutMs: TIMEOUTS.command,
        argv: ["kwokctl", "scale", "node", "--replicas", "2", "--name", name],
      },
    ],
    destroy: () => [destroy],
    loadImages: () => [],
  };
}
