/**
 * Removing Istio so that nothing is left: control plane, CRDs, webhooks, namespace.
 *   https://istio.io/latest/docs/setup/install/istioctl/#uninstall-istio
 *   https://istio.io/latest/docs/setup/install/helm/#uninstall
 *
 * `istioctl uninstall --purge` deletes what carries its component label (CRDs included, per
 * operator/pkg/uninstall/prune.go); Helm keeps CRDs (helm.sh/resource-policy: keep). The kubectl
 * deletes after it catch what either leaves, by the labels Istio 1.30's charts stamp on
 * everything (`app.kubernetes.io/part-of: istio`) and the static labels of CRDs applied from
 * crd-all.gen.yaml (`chart: istio`). Every step tolerates "already gone", so uninstall can run
 * after a failed install.
 *
 * Not deleted: the ValidatingAdmissionPolicies of experimental.stableValidationPolicy, which
 * is off by default and never turned on by meshproof.
 */
import type { CommandStep, Step } from "../../plan/steps.js";
import type { InstallOptions } from "../driver.js";
import { ISTIO_TIMEOUTS, helm, istioctl, kubectl } from "./commands.js";
import { istiodName, ISTIO_NAMESPACE, type ResolvedSettings } from "./settings.js";
import { otherMeshedPods } from "../shared-control-plane.js";

const PART_OF_ISTIO = "app.kubernetes.io/part-of=istio";
/** The injector labels every pod it gives a sidecar (files/injection-template.yaml). */
const INJECTED = "security.istio.io/tlsMode=istio";

/**
 * The shared-control-plane guard (../shared-control-plane.ts) for Istio, when the driver knows
 * the run's namespaces: skip the removal while another run's sidecars use this control plane.
 */
export function sharedInstallGuard(settings: ResolvedSettings): { skipIf: string[] } | Record<string, never> {
  return settings.enrolledNamespaces.length > 0 ? { skipIf: otherMeshedPods(settings.context, INJECTED, ISTIO_NAMESPACE, settings.enrolledNamespaces) } : {};
}

export function uninstallSteps(opts: InstallOptions, settings: ResolvedSettings): Step[] {
  const { context } = settings;
  const guard = sharedInstallGuard(settings);
  const remove = (id: string, name: string, argv: string[]): CommandStep => ({
    kind: "command",
    id,
    name,
    timeoutMs: ISTIO_TIMEOUTS.delete,
    argv,
    allowFailure: true,
    ...guard,
  });

  const controlPlane: CommandStep[] =
    opts.method === "helm"
      ? [
          remove("istio-uninstall-istiod", `remove the ${istiodName(opts.revision)} release`, helm(context, "uninstall", istiodName(opts.revision), "--namespace", ISTIO_NAMESPACE)),
          remove("istio-uninstall-base", "remove the istio-base release", helm(context, "uninstall", "istio-base", "--namespace", ISTIO_NAMESPACE)),
        ]
      : [remove("istio-uninstall-purge", "remove every Istio control plane with istioctl", istioctl(context, "uninstall", "-y", "--purge"))];

  return [
    ...controlPlane,
    remove(
      "istio-delete-webhooks",
      "delete Istio's injection and validation webhooks",
      kubectl(context, "delete", "mutatingwebhookconfigurations,validatingwebhookconfigurations", "--selector", PART_OF_ISTIO, "--ignore-not-found"),
    ),
    remove(
      "istio-delete-cluster-roles",
      "delete Istio's cluster roles and bindings",
      kubectl(context, "delete", "clusterroles,clusterrolebindings", "--selector", PART_OF_ISTIO, "--ignore-not-found"),
    ),
    remove(
      "istio-delete-namespace",
      `delete the ${ISTIO_NAMESPACE} namespace`,
      kubectl(context, "delete", "namespace", ISTIO_NAMESPACE, "--ignore-not-found", "--timeout=2m"),
    ),
    remove(
      "istio-delete-root-cert-configmaps",
      "delete the istio-ca-root-cert ConfigMaps istiod copied into every namespace",
      kubectl(context, "delete", "configmaps", "--all-namespaces", "--selector", "istio.io/config=true", "--ignore-not-found"),
    ),
    remove("istio-delete-crds", "delete Istio's CRDs", kubectl(context, "delete", "customresourcedefinitions", "--selector", PART_OF_ISTIO, "--ignore-not-found")),
    remove(
      "istio-delete-static-crds",
      "delete Istio CRDs applied without the charts",
      kubectl(context, "delete", "customresourcedefinitions", "--selector", "chart=istio", "--ignore-not-found"),
    ),
  ];
}
