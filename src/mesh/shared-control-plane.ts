/**
 * One control plane, several runs: a run that finds a mesh installed skips its own install and
 * registers no uninstall, so the run that installed it must not remove it while the other run's
 * pods still use it (seen on the shared host cluster: one run's clean-up deleted the HTTPRoute
 * CRD seconds after the next run had found Linkerd "already there"). Each driver guards its
 * uninstall steps with this probe (a step's skipIf), so whichever run ends last removes the mesh.
 * Runs delete their own namespaces first, so two runs ending together cannot both skip it.
 */
import { kubectlArgv } from "./gamma/crds.js";

/**
 * Exits 0 while pods the mesh injected (`injectedSelector`) run outside `ownNamespaces` and the
 * control plane's namespace. `kubectl wait --for=create` with a selector fails when nothing
 * matches, and returns at once when something does.
 */
export function otherMeshedPods(context: string | undefined, injectedSelector: string, controlPlaneNamespace: string, ownNamespaces: readonly string[]): string[] {
  const notOurs = [controlPlaneNamespace, ...ownNamespaces].map((ns) => `metadata.namespace!=${ns}`).join(",");
  return kubectlArgv(context, "wait", "--for=create", "pods", "--all-namespaces", "-l", injectedSelector, "--field-selector", notOurs, "--timeout=1s");
}
