/**
 * Upgrading N -> N+1 by revision canary, as plan steps:
 *   https://istio.io/latest/docs/setup/upgrade/canary/  (istioctl)
 *   https://istio.io/latest/docs/setup/upgrade/helm/    (Helm, canary section)
 *
 * 1. install the new control plane as its own revision beside the old one, and wait for it;
 * 2. move each enrolled namespace to it (istio.io/rev=<new>; istio-injection removed, since the
 *    injector ignores istio.io/rev while istio-injection is set);
 * 3. restart the workloads so new pods get the new sidecar, and wait for their rollout;
 * 4. remove the old control plane;
 * 5. make the new revision the default (injection for istio-injection=enabled namespaces and
 *    cluster-wide validation, which otherwise still points at the removed istiod). Done last:
 *    istioctl refuses a default tag that conflicts with a running default revision.
 *
 * Only a real cluster shows that traffic kept flowing during step 3; the upgrade scenario
 * measures that, this module only plans it.
 */
import type { Step } from "../../plan/steps.js";
import type { InstallOptions } from "../driver.js";
import { ISTIO_TIMEOUTS, helm, istioctl, kubectl } from "./commands.js";
import { checkCliStep, helmBaseStep, helmIstiodStep, istioctlInstallStep, verifySteps } from "./install.js";
import { istiodName, ISTIO_NAMESPACE, MANAGED_BY, revisionFor, type ResolvedSettings } from "./settings.js";
import { UPSTREAM_ENVOY_UPGRADE_GAP } from "./upstream-envoy-variant.js";

const WORKLOAD_SELECTOR = Object.entries(MANAGED_BY)
  .map(([k, v]) => `${k}=${v}`)
  .join(",");

export function upgradeSteps(from: InstallOptions, to: InstallOptions, settings: ResolvedSettings): Step[] {
  const { context } = settings;
  if (settings.variant === "upstream-envoy") {
    return [{ kind: "unsupported", id: "istio-upgrade-unsupported", name: "upgrade is not supported by istio (upstream-envoy)", timeoutMs: 0, intent: "upgrade", reason: UPSTREAM_ENVOY_UPGRADE_GAP, checks: [] }];
  }
  const toRevision = to.revision ?? revisionFor(to.version);
  const fromRevision = from.revision;
  if (toRevision === (fromRevision ?? "default")) {
    throw new Error(`the upgrade installs revision "${toRevision}" beside the old one, which has the same name: pass a different InstallOptions.revision`);
  }
  const namespaces = settings.enrolledNamespaces;
  if (namespaces.length === 0) {
    throw new Error(
      "an Istio upgrade moves enrolled namespaces to the new revision, but none are known: create the driver with " +
        "createIstioDriver({ enrolledNamespaces: [...] })",
    );
  }
  const next: InstallOptions = { ...to, revision: toRevision };

  const install: Step[] =
    to.method === "helm"
      ? [helmBaseStep(to.version, fromRevision ?? "default", settings, "upgrade-crds"), helmIstiodStep(next, settings)]
      : [checkCliStep(to.version), istioctlInstallStep(next, settings)];

  const move: Step[] = namespaces.flatMap((ns): Step[] => [
    {
      kind: "command",
      id: `istio-relabel-${ns}`,
      name: `point namespace ${ns} at revision ${toRevision}`,
      timeoutMs: ISTIO_TIMEOUTS.label,
      argv: kubectl(context, "label", "namespace", ns, "istio-injection-", `istio.io/rev=${toRevision}`, "--overwrite"),
    },
    {
      kind: "command",
      id: `istio-restart-${ns}`,
      name: `restart the meshproof workloads in ${ns} so they get the ${to.version} sidecar`,
      timeoutMs: ISTIO_TIMEOUTS.restart,
      argv: kubectl(context, "rollout", "restart", "deployment", "--namespace", ns, "--selector", WORKLOAD_SELECTOR),
    },
    {
      kind: "wait",
      id: `istio-wait-restart-${ns}`,
      name: `wait until the restarted workloads in ${ns} have rolled out`,
      timeoutMs: ISTIO_TIMEOUTS.rollout,
      condition: {
        type: "command",
        argv: kubectl(context, "rollout", "status", "deployment", "--namespace", ns, "--selector", WORKLOAD_SELECTOR, "--timeout=10s"),
      },
      consecutive: 1,
      intervalMs: 5_000,
    },
  ]);

  const oldName = fromRevision ? `revision ${fromRevision}` : "the default revision";
  const retire: Step[] =
    to.method === "helm"
      ? [
          {
            kind: "command",
            id: "istio-remove-old-revision",
            name: `remove the old control plane (${oldName})`,
            timeoutMs: ISTIO_TIMEOUTS.uninstall,
            argv: helm(context, "uninstall", istiodName(fromRevision), "--namespace", ISTIO_NAMESPACE),
          },
          helmBaseStep(to.version, toRevision, settings, "switch-default"),
        ]
      : [
          {
            kind: "command",
            id: "istio-remove-old-revision",
            name: `remove the old control plane (${oldName})`,
            timeoutMs: ISTIO_TIMEOUTS.uninstall,
            argv: istioctl(context, "uninstall", "-y", "--revision", fromRevision ?? "default"),
          },
          {
            kind: "command",
            id: "istio-default-tag",
            name: `make revision ${toRevision} the default for injection and validation`,
            timeoutMs: ISTIO_TIMEOUTS.label,
            argv: istioctl(context, "tag", "set", "default", "--revision", toRevision, "--overwrite", "-y"),
          },
        ];

  return [...install, ...verifySteps(next, settings), ...move, ...retire];
}
