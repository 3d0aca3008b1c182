/**
 * Installing Istio and waiting until it can inject sidecars, as plan steps.
 *   istioctl: https://istio.io/latest/docs/setup/install/istioctl/
 *   Helm:     https://istio.io/latest/docs/setup/install/helm/
 * The commands are what those pages run, with the version, revision and kube context filled in;
 * flags were checked against istioctl 1.30.3 (operator/cmd/mesh/install.go: -y, --set,
 * --revision, --readiness-timeout; uninstall.go: --purge, --revision).
 */
import type { CommandStep, Step, WaitStep } from "../../plan/steps.js";
import type { InstallOptions } from "../driver.js";
import { helm, ISTIO_TIMEOUTS, istioctl, istioctlVersionCheck, kubectl } from "./commands.js";
// crds.js, not the index: the install steps need no renderer (see test/cli/startup.test.ts).
import { gatewayApiCrdSteps } from "../gamma/crds.js";
import { injectorWebhookName, istiodName, ISTIO_HELM_REPO, ISTIO_NAMESPACE, ISTIO_PROFILE, type ResolvedSettings } from "./settings.js";
import { sharedInstallGuard, uninstallSteps } from "./uninstall.js";
import { upstreamEnvoyInstallSteps } from "./upstream-envoy.js";

/** Suffix that keeps step ids unique when two revisions appear in one plan (upgrades). */
function idSuffix(revision: string | undefined): string {
  return revision ? `-${revision}` : "";
}

export function checkCliStep(version: string): CommandStep {
  return {
    kind: "command",
    id: `istio-check-istioctl-${version.replace(/[^a-z0-9]+/gi, "-")}`,
    name: `check that istioctl is version ${version}, the version to install`,
    timeoutMs: ISTIO_TIMEOUTS.cliCheck,
    argv: istioctlVersionCheck(version),
  };
}

/**
 * The first step never carries a partial undo: with the CLI it is the version check (the engine
 * hangs the full uninstall on it), with Helm it is the base chart, whose undo is the full
 * uninstall. GAMMA routing adds the Gateway API CRDs (experimental channel, where HTTPRoute
 * retry lives; Istio 1.30.3 is built against Gateway API v1.5.1) before istiod starts watching.
 */
export function installSteps(opts: InstallOptions, settings: ResolvedSettings): Step[] {
  if (settings.variant === "upstream-envoy") return upstreamEnvoyInstallSteps(opts, settings);
  const crds = settings.routing === "gamma" ? gatewayApiCrdSteps(opts.gatewayApiVersion, "experimental", settings.context) : [];
  const steps =
    opts.method === "helm"
      ? [helmBaseStep(opts.version, opts.revision ?? "default", settings, "install", uninstallSteps(opts, settings)), ...crds, helmIstiodStep(opts, settings)]
      : [checkCliStep(opts.version), ...crds, istioctlInstallStep(opts, settings)];
  return [...steps, rolloutWait(opts.revision)];
}

export function istioctlInstallStep(opts: InstallOptions, settings: ResolvedSettings): CommandStep {
  const { context } = settings;
  const revisionArgs = opts.revision ? ["--revision", opts.revision] : [];
  return {
    kind: "command",
    id: `istio-install${idSuffix(opts.revision)}`,
    name: `install Istio ${opts.version}${opts.revision ? ` as revision ${opts.revision}` : ""} with istioctl (profile ${ISTIO_PROFILE})`,
    timeoutMs: ISTIO_TIMEOUTS.install,
    argv: istioctl(context, "install", "-y", "--set", `profile=${ISTIO_PROFILE}`, ...revisionArgs, "--readiness-timeout", ISTIO_TIMEOUTS.readinessFlag),
    undo: [
      {
        kind: "command",
        id: `istio-undo-install${idSuffix(opts.revision)}`,
        name: opts.revision ? `remove Istio revision ${opts.revision}` : "remove Istio",
        timeoutMs: ISTIO_TIMEOUTS.uninstall,
        // Without a revision this is the only control plane meshproof installed: purge it.
        argv: opts.revision ? istioctl(context, "uninstall", "-y", "--revision", opts.revision) : istioctl(context, "uninstall", "-y", "--purge"),
        allowFailure: true,
        ...sharedInstallGuard(settings),
      },
    ],
  };
}

/**
 * `helm upgrade --install` with `--repo` rather than `helm repo add`, so nothing is written into
 * the user's Helm configuration. defaultRevision names the revision that handles
 * `istio-injection=enabled` namespaces and cluster-wide validation ("default" is the revision
 * installed without a name). `purpose` keeps step ids distinct within an upgrade, which runs the
 * chart twice: first for the new CRDs, last to hand the default to the new revision.
 */
export function helmBaseStep(
  version: string,
  defaultRevision: string,
  settings: ResolvedSettings,
  purpose: "install" | "upgrade-crds" | "switch-default",
  undo?: Step[],
): CommandStep {
  const { context } = settings;
  const what = {
    install: `install the Istio base chart ${version} (CRDs and cluster-wide resources) with Helm`,
    "upgrade-crds": `upgrade the Istio base chart to ${version} (CRDs) with Helm`,
    "switch-default": `make revision ${defaultRevision} the default in the Istio base chart`,
  }[purpose];
  const step: CommandStep = {
    kind: "command",
    id: `istio-helm-base-${purpose}`,
    name: what,
    timeoutMs: ISTIO_TIMEOUTS.install,
    argv: helm(
      context,
      "upgrade",
      "--install",
      "istio-base",
      "base",
      "--repo",
      ISTIO_HELM_REPO,
      "--version",
      version,
      "--namespace",
      ISTIO_NAMESPACE,
      "--create-namespace",
      "--set",
      `defaultRevision=${defaultRevision}`,
      "--wait",
      "--timeout",
      ISTIO_TIMEOUTS.readinessFlag,
    ),
  };
  if (undo) step.undo = undo;
  return step;
}

export function helmIstiodStep(opts: InstallOptions, settings: ResolvedSettings): CommandStep {
  const { context } = settings;
  const release = istiodName(opts.revision);
  const revisionArgs = opts.revision ? ["--set", `revision=${opts.revision}`] : [];
  return {
    kind: "command",
    id: `istio-helm-istiod${idSuffix(opts.revision)}`,
    name: `install istiod ${opts.version}${opts.revision ? ` as revision ${opts.revision}` : ""} with Helm`,
    timeoutMs: ISTIO_TIMEOUTS.install,
    argv: helm(
      context,
      "upgrade",
      "--install",
      release,
      "istiod",
      "--repo",
      ISTIO_HELM_REPO,
      "--version",
      opts.version,
      "--namespace",
      ISTIO_NAMESPACE,
      ...revisionArgs,
      "--wait",
      "--timeout",
      ISTIO_TIMEOUTS.readinessFlag,
    ),
    undo: [
      {
        kind: "command",
        id: `istio-helm-undo-istiod${idSuffix(opts.revision)}`,
        name: `remove the ${release} release`,
        timeoutMs: ISTIO_TIMEOUTS.uninstall,
        argv: helm(context, "uninstall", release, "--namespace", ISTIO_NAMESPACE),
        allowFailure: true,
      },
    ],
  };
}

/** `purpose` keeps ids distinct: install ends with this wait and verifyReady starts with it. */
export function rolloutWait(revision: string | undefined, purpose: "installed" | "ready" = "installed"): WaitStep {
  return {
    kind: "wait",
    id: `istio-${purpose === "installed" ? "wait" : "ready"}-istiod${idSuffix(revision)}`,
    name: purpose === "installed" ? `wait until ${istiodName(revision)} has rolled out` : `check that ${istiodName(revision)} is still rolled out before the scenarios start`,
    timeoutMs: ISTIO_TIMEOUTS.rollout,
    condition: { type: "rollout", namespace: ISTIO_NAMESPACE, kind: "Deployment", name: istiodName(revision) },
    consecutive: 1,
    intervalMs: 5_000,
  };
}

/**
 * Ready means: istiod rolled out, its injection webhook registered (pods created before that
 * would start without a sidecar), and, with istioctl, istiod answering proxy-status (the
 * readiness check the 1.30 install guide uses now that verify-install is gone).
 */
export function verifySteps(opts: InstallOptions, settings: ResolvedSettings): Step[] {
  const { context } = settings;
  const revisionArgs = opts.revision ? ["--revision", opts.revision] : [];
  const steps: Step[] = [
    rolloutWait(opts.revision, "ready"),
    {
      kind: "wait",
      id: `istio-wait-injector${idSuffix(opts.revision)}`,
      name: `wait until the sidecar injector webhook ${injectorWebhookName(opts.revision)} exists`,
      timeoutMs: ISTIO_TIMEOUTS.rollout,
      condition: { type: "command", argv: kubectl(context, "get", "mutatingwebhookconfiguration", injectorWebhookName(opts.revision)) },
      consecutive: 1,
      intervalMs: 5_000,
    },
  ];
  if (opts.method === "cli") {
    steps.push({
      kind: "wait",
      id: `istio-wait-proxy-status${idSuffix(opts.revision)}`,
      name: `wait until ${istiodName(opts.revision)} answers istioctl proxy-status`,
      timeoutMs: ISTIO_TIMEOUTS.proxyStatus,
      condition: { type: "command", argv: istioctl(context, "proxy-status", ...revisionArgs) },
      consecutive: 2,
      intervalMs: 5_000,
    });
  }
  return steps;
}
