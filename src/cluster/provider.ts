/**
 * Where the stack runs. Providers return plan steps rather than acting, so --dry-run can show
 * every command; `ensure` is idempotent (it creates only what is missing).
 */
import type { Step } from "../plan/steps.js";

export type ClusterName = "kind" | "gke" | "current" | "host" | "local";

/** The --cluster choices; here, beside the type, so the CLI reads them without loading any provider. */
export const CLUSTER_NAMES = ["kind", "gke", "current", "host", "local"] as const satisfies readonly ClusterName[];

export interface ClusterProvider {
  readonly name: ClusterName;
  /** One line for the report: "kind cluster meshproof-ab12 (Kubernetes v1.34.0)". */
  describe(): string;
  /** kube context the run uses; undefined for `local`, which has no cluster. */
  readonly context: string | undefined;
  ensure(): Step[];
  destroy(): Step[];
  loadImages(images: string[]): Step[];
}
