/**
 * An existing cluster the user points at. meshproof did not create it, so it never deletes it,
 * and it only runs against a context the user names explicitly (--context).
 */
import { TIMEOUTS } from "../core/timeouts.js";
import type { ClusterProvider } from "./provider.js";

export function currentProvider(context: string): ClusterProvider {
  return {
    name: "current",
    context,
    describe: () => `existing cluster (context ${context})`,
    ensure: () => [
      {
        kind: "wait",
        id: "check-cluster-reachable",
        name: `check that context ${context} answers`,
        timeoutMs: TIMEOUTS.command,
        condition: { type: "command", argv: ["kubectl", "--context", context, "get", "--raw", "/readyz"] },
        consecutive: 1,
        intervalMs: 2000,
      },
    ],
    destroy: () => [],
    loadImages: () => [],
  };
}
