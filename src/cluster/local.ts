/**
 * `local`: no Kubernetes at all. The reference stack runs as processes on loopback and the load
 * generator runs on the host, so only the baseline (mesh `none`) and its benchmark make sense here.
 */
import type { ClusterProvider } from "./provider.js";

export function localProvider(): ClusterProvider {
  return {
    name: "local",
    context: undefined,
    describe: () => "local processes on loopback (no Kubernetes)",
    ensure: () => [],
    destroy: () => [],
    loadImages: () => [],
  };
}
