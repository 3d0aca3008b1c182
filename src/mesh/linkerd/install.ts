/**
 * Installing, checking, upgrading and removing Linkerd as plan steps. Every command is an argv
 * built by a pure function (no shell); `a | b` is two steps, the second reading the first's
 * output (stdinFrom: "previous"). Steps that create something carry their undo, registered by
 * the executor the moment the step starts; a step that finds the thing already there is skipped
 * and registers nothing, so a cluster's pre-existing Linkerd or Gateway API CRDs are left alone.
 *
 * Sources (version 2.20): https://linkerd.io/2.20/tasks/install/,
 * https://linkerd.io/2.20/tasks/install-helm/, https://linkerd.io/2.20/tasks/generate-certificates/,
 * https://linkerd.io/2.20/tasks/upgrade/, https://linkerd.io/2.20/tasks/uninstall/,
 * https://linkerd.io/2.20/features/gateway-api/ (Gateway API CRDs must exist before
 * `linkerd install --crds`, which refuses to run otherwise: cli/cmd/install.go at version-2.20).
 */
import type { CommandStep, Step, WaitStep } from "../../plan/steps.js";
import { TIMEOUTS } from "../../core/timeouts.js";
import type { InstallOptions } from "../driver.js";
import { gatewayApiCrdSteps, kubectlArgv } from "../gamma/index.js";
import { fromBinariesInstallArgs, opensslIdentitySteps } from "./from-binaries.js";
import { BUILT_FROM_SOURCE_UPGRADE_GAP } from "./built-from-source.js";
import { resolveLinkerdRelease } from "./version.js";
import { otherMeshedPods } from "../shared-control-plane.js";

export const CONTROL_PLANE_NAMESPACE = "linkerd";
export const HELM_REPO = { name: "linkerd-edge", url: "https://helm.linkerd.io/edge" } as const;
const CONTROL_PLANE_DEPLOYMENTS = ["linkerd-identity", "linkerd-destination", "linkerd-proxy-injector"] as const;
/** Every Linkerd CRD carries this label (charts/linkerd-crds/templates at version-2.20). */
const LINKERD_CRD_SELECTOR = `linkerd.io/control-plane-ns=${CONTROL_PLANE_NAMESPACE}`;
/** Linkerd needs the standard channel only: it ignores HTTPRoutes using fields newer than Gateway API 1.2.1. */
const GATEWAY_API_CHANNEL = "standard";

export interface LinkerdToolOptions {
  /** kube context every command targets; undefined: the kubeconfig's current context. */
  context?: string;
  /**
   * The linkerd CLI for a release: the CLI renders the manifests of its own version, so the
   * binary on PATH must be the release asked for, or name one per version here.
   */
  cli?: string | ((version: string) => string);
  /** Helm: where generated identity certificates go (kept after the run: upgrades need the same trust anchor). */
  identityDir?: string;
  /** Helm: bring your own trust anchor and issuer instead of generating them with `step`. */
  identity?: { trustAnchorsPem: string; issuerCertPem: string; issuerKeyPem: string };
  /** Namespaces whose meshed Deployments are restarted after an upgrade, so they get the new proxy. */
  dataPlaneNamespaces?: string[];
  /** Linkerd built from source (from-binaries.ts): images from this local registry, identity generated with openssl. */
  fromBinaries?: { registry?: string };
}

export const DEFAULT_IDENTITY_DIR = ".meshproof/linkerd-identity";

export function cliFor(options: LinkerdToolOptions, version: string): string {
  const cli = options.cli ?? "linkerd";
  return typeof cli === "function" ? cli(version) : cli;
}

export function linkerdArgv(cli: string, context: string | undefined, ...args: string[]): string[] {
  return [cli, ...(context ? ["--context", context] : []), ...args];
}

export function helmArgv(context: string | undefined, ...args: string[]): string[] {
  return ["helm", ...args, ...(context ? ["--kube-context", context] : [])];
}

function command(id: string, name: string, argv: string[], extra: Partial<CommandStep> = {}): CommandStep {
  return { kind: "command", id, name, timeoutMs: TIMEOUTS.command, argv, ...extra };
}

/** `a | kubectl <verb> -f -`: render with the CLI, then hand the manifests to kubectl. */
function pipeToKubectl(render: CommandStep, apply: Omit<CommandStep, "kind" | "stdinFrom">): CommandStep[] {
  return [render, { kind: "command", stdinFrom: "previous", ...apply }];
}

function identityFiles(options: LinkerdToolOptions): { trustAnchorsPem: string; issuerCertPem: string; issuerKeyPem: string; caKey: string } {
  const dir = options.identityDir ?? DEFAULT_IDENTITY_DIR;
  if (options.identity) return { ...options.identity, caKey: "" };
  return { trustAnchorsPem: `${dir}/ca.crt`, issuerCertPem: `${dir}/issuer.crt`, issuerKeyPem: `${dir}/issuer.key`, caKey: `${dir}/ca.key` };
}

/**
 * Trust anchor and issuer for a Helm install (the CLI generates its own; Helm cannot). ECDSA
 * P-256 via `step`, exactly as the generate-certificates task shows; skipped when present.
 */
export function identityCertificateSteps(options: LinkerdToolOptions): Step[] {
  if (options.identity) return [];
  const dir = options.identityDir ?? DEFAULT_IDENTITY_DIR;
  const files = identityFiles(options);
  return [
    command("linkerd-identity-dir", `create ${dir} for the Linkerd identity certificates`, ["mkdir", "-p", dir]),
    command(
      "linkerd-trust-anchor",
      "generate the Linkerd trust anchor certificate (step, ECDSA P-256, 10 years) unless it exists",
      ["step", "certificate", "create", "root.linkerd.cluster.local", files.trustAnchorsPem, files.caKey, "--profile", "root-ca", "--no-password", "--insecure", "--not-after", "87600h"],
      { skipIf: ["test", "-f", files.trustAnchorsPem] },
    ),
    command(
      "linkerd-issuer",
      "generate the Linkerd identity issuer certificate (step, signed by the trust anchor, 1 year) unless it exists",
      [
        "step", "certificate", "create", "identity.linkerd.cluster.local", files.issuerCertPem, files.issuerKeyPem,
        "--profile", "intermediate-ca", "--not-after", "8760h", "--no-password", "--insecure", "--ca", files.trustAnchorsPem, "--ca-key", files.caKey,
      ],
      { skipIf: ["test", "-f", files.issuerCertPem] },
    ),
  ];
}

function identitySetFiles(options: LinkerdToolOptions): string[] {
  const f = identityFiles(options);
  return [
    "--set-file", `identityTrustAnchorsPEM=${f.trustAnchorsPem}`,
    "--set-file", `identity.issuer.tls.crtPEM=${f.issuerCertPem}`,
    "--set-file", `identity.issuer.tls.keyPEM=${f.issuerKeyPem}`,
  ];
}

/**
 * The next run on the same cluster must not find a CRD that is still being deleted (it would skip
 * installing it, and the deletion would then remove it under that run): seen on the host cluster
 * when one run started seconds after the previous one's clean-up.
 */
function crdsGone(context: string | undefined, guard?: string[]): Step {
  const argv = kubectlArgv(context, "wait", "--for=delete", "crd", "-l", LINKERD_CRD_SELECTOR, "--timeout=30s");
  if (guard) return guardedWait("linkerd-crds-gone", "wait until the Linkerd CRDs this run installed are gone, unless another run's workloads use Linkerd", context, ["crd", "-l", LINKERD_CRD_SELECTOR], guard);
  return {
    kind: "wait",
    id: "linkerd-crds-gone",
    name: "wait until the Linkerd CRDs this run installed are gone",
    timeoutMs: TIMEOUTS.meshUninstall,
    condition: { type: "command", argv },
    consecutive: 1,
    intervalMs: 5_000,
  };
}

function namespaceGone(context: string | undefined, guard?: string[]): Step {
  if (guard) return guardedWait("linkerd-namespace-gone", `wait until the ${CONTROL_PLANE_NAMESPACE} namespace is gone, unless another run's workloads use Linkerd`, context, [`namespace/${CONTROL_PLANE_NAMESPACE}`], guard);
  return {
    kind: "wait",
    id: "linkerd-namespace-gone",
    name: `wait until the ${CONTROL_PLANE_NAMESPACE} namespace is gone`,
    timeoutMs: TIMEOUTS.meshUninstall,
    condition: { type: "command", argv: kubectlArgv(context, "wait", "--for=delete", `namespace/${CONTROL_PLANE_NAMESPACE}`, "--timeout=30s") },
    consecutive: 1,
    intervalMs: 5_000,
  };
}

/** The same wait as one command, so that it can be skipped with the deletion it waits for. */
function guardedWait(id: string, name: string, context: string | undefined, what: string[], guard: string[]): CommandStep {
  return command(id, name, kubectlArgv(context, "wait", "--for=delete", ...what, `--timeout=${TIMEOUTS.meshUninstall / 1000}s`), {
    timeoutMs: TIMEOUTS.meshUninstall + TIMEOUTS.command,
    skipIf: guard,
  });
}

/**
 * The shared-control-plane guard (../shared-control-plane.ts) for Linkerd: injected pods carry
 * linkerd.io/control-plane-ns (https://linkerd.io/2.20/features/proxy-injection/), as do the
 * control plane's own pods, whose namespace is left out with the run's.
 */
export function otherMeshedWorkloads(context: string | undefined, ownNamespaces: readonly string[]): string[] {
  return otherMeshedPods(context, LINKERD_CRD_SELECTOR, CONTROL_PLANE_NAMESPACE, ownNamespaces);
}

/** Everything `linkerd uninstall` lists (control plane, CRDs, webhooks, RBAC, namespace), deleted. */
function cliUninstallSteps(options: LinkerdToolOptions, version: string, guard?: string[]): Step[] {
  const cli = cliFor(options, version);
  const guarded = guard ? { skipIf: guard } : {};
  return [
    ...pipeToKubectl(
      command("linkerd-render-uninstall", "list the Linkerd control plane's resources (linkerd uninstall)", linkerdArgv(cli, options.context, "uninstall", "--force"), {
        timeoutMs: TIMEOUTS.meshUninstall,
        ...guarded,
      }),
      {
        id: "linkerd-delete-control-plane",
        name: "delete the Linkerd control plane, its CRDs and namespace",
        timeoutMs: TIMEOUTS.meshUninstall,
        argv: kubectlArgv(options.context, "delete", "-f", "-", "--ignore-not-found"),
        // Nothing installed means nothing listed, and kubectl refuses an empty input: not an error here.
        allowFailure: true,
        ...guarded,
      },
    ),
    namespaceGone(options.context, guard),
  ];
}

/** The guard on a run's own install's clean-up, when the driver knows the run's namespaces. */
function sharedInstallGuard(options: LinkerdToolOptions): string[] | undefined {
  return options.dataPlaneNamespaces ? otherMeshedWorkloads(options.context, options.dataPlaneNamespaces) : undefined;
}

function helmUninstallSteps(options: LinkerdToolOptions): Step[] {
  const ns = CONTROL_PLANE_NAMESPACE;
  return [
    command("linkerd-helm-uninstall-control-plane", "uninstall the linkerd-control-plane Helm release", helmArgv(options.context, "uninstall", "linkerd-control-plane", "-n", ns, "--wait", "--ignore-not-found"), {
      timeoutMs: TIMEOUTS.meshUninstall,
    }),
    command("linkerd-helm-uninstall-crds", "uninstall the linkerd-crds Helm release (its CRDs are chart templates, so they go too)", helmArgv(options.context, "uninstall", "linkerd-crds", "-n", ns, "--wait", "--ignore-not-found"), {
      timeoutMs: TIMEOUTS.meshUninstall,
    }),
    command("linkerd-delete-namespace", `delete the ${ns} namespace`, kubectlArgv(options.context, "delete", "namespace", ns, "--ignore-not-found"), { timeoutMs: TIMEOUTS.meshUninstall }),
    namespaceGone(options.context),
  ];
}

export function linkerdInstallSteps(opts: InstallOptions, options: LinkerdToolOptions): Step[] {
  const release = resolveLinkerdRelease(opts.version);
  const { context } = options;
  const cli = cliFor(options, opts.version);
  const alreadyInstalled = kubectlArgv(context, "get", "namespace", CONTROL_PLANE_NAMESPACE);
  // Another run may come to use this run's control plane; its clean-up then leaves it in place.
  const guard = sharedInstallGuard(options);
  // Built from source, for a cluster without a registry or the internet: the Gateway API CRDs
  // come from the CLI (below) instead of a download, and `check --pre` is left out, because its
  // "can read extension-apiserver-authentication configmap" check fails on an API server without
  // --requestheader-client-ca-file (the host cluster), which only linkerd-viz's tap needs.
  const steps: Step[] = options.fromBinaries
    ? []
    : [
        ...gatewayApiCrdSteps(opts.gatewayApiVersion, GATEWAY_API_CHANNEL, context),
        command("linkerd-check-pre", "check that the cluster can run Linkerd (linkerd check --pre)", linkerdArgv(cli, context, "check", "--pre"), {
          timeoutMs: TIMEOUTS.meshReady,
          skipIf: alreadyInstalled,
        }),
      ];
  if (opts.method === "cli") {
    const local = options.fromBinaries ? fromBinariesInstallArgs(options.identityDir ?? DEFAULT_IDENTITY_DIR, options.fromBinaries.registry) : [];
    if (options.fromBinaries) steps.push(...opensslIdentitySteps(options.identityDir ?? DEFAULT_IDENTITY_DIR), ...fromBinariesGatewayApiSteps(cli, context, guard));
    steps.push(
      ...pipeToKubectl(
        command("linkerd-render-crds", `render the Linkerd ${release.edge} CRDs (linkerd install --crds)`, linkerdArgv(cli, context, "install", "--crds"), { skipIf: alreadyInstalled }),
        {
          id: "linkerd-apply-crds",
          name: "apply the Linkerd CRDs",
          timeoutMs: TIMEOUTS.meshInstall,
          argv: kubectlArgv(context, "apply", "-f", "-"),
          skipIf: alreadyInstalled,
          undo: [
            command("linkerd-delete-crds", "delete the Linkerd CRDs", kubectlArgv(context, "delete", "crd", "-l", LINKERD_CRD_SELECTOR, "--ignore-not-found"), {
              timeoutMs: TIMEOUTS.meshUninstall,
              allowFailure: true,
              ...(guard ? { skipIf: guard } : {}),
            }),
            ...(options.fromBinaries ? [crdsGone(context, guard)] : []),
          ],
        },
      ),
      ...pipeToKubectl(
        command("linkerd-render-control-plane", `render the Linkerd ${release.edge} control plane (linkerd install)`, linkerdArgv(cli, context, "install", ...local), { skipIf: alreadyInstalled }),
        {
          id: "linkerd-apply-control-plane",
          name: "apply the Linkerd control plane",
          timeoutMs: TIMEOUTS.meshInstall,
          argv: kubectlArgv(context, "apply", "-f", "-"),
          skipIf: alreadyInstalled,
          undo: cliUninstallSteps(options, opts.version, guard),
        },
      ),
    );
    return steps;
  }

  const ns = CONTROL_PLANE_NAMESPACE;
  steps.push(
    ...identityCertificateSteps(options),
    command("linkerd-helm-repo", `add the ${HELM_REPO.name} Helm repository`, ["helm", "repo", "add", HELM_REPO.name, HELM_REPO.url, "--force-update"]),
    command(
      "linkerd-helm-crds",
      `install the linkerd-crds chart ${release.chartVersion} (${release.edge}) unless installed`,
      helmArgv(context, "install", "linkerd-crds", `${HELM_REPO.name}/linkerd-crds`, "--version", release.chartVersion, "-n", ns, "--create-namespace", "--wait"),
      {
        timeoutMs: TIMEOUTS.meshInstall,
        skipIf: helmArgv(context, "status", "linkerd-crds", "-n", ns),
        undo: [
          command("linkerd-helm-uninstall-crds", "uninstall the linkerd-crds Helm release", helmArgv(context, "uninstall", "linkerd-crds", "-n", ns, "--wait", "--ignore-not-found"), {
            timeoutMs: TIMEOUTS.meshUninstall,
          }),
          command("linkerd-delete-namespace", `delete the ${ns} namespace`, kubectlArgv(context, "delete", "namespace", ns, "--ignore-not-found"), { timeoutMs: TIMEOUTS.meshUninstall }),
        ],
      },
    ),
    command(
      "linkerd-helm-control-plane",
      `install the linkerd-control-plane chart ${release.chartVersion} (${release.edge}) unless installed`,
      helmArgv(context, "install", "linkerd-control-plane", `${HELM_REPO.name}/linkerd-control-plane`, "--version", release.chartVersion, "-n", ns, ...identitySetFiles(options), "--wait"),
      {
        timeoutMs: TIMEOUTS.meshInstall,
        skipIf: helmArgv(context, "status", "linkerd-control-plane", "-n", ns),
        undo: [
          command("linkerd-helm-uninstall-control-plane", "uninstall the linkerd-control-plane Helm release", helmArgv(context, "uninstall", "linkerd-control-plane", "-n", ns, "--wait", "--ignore-not-found"), {
            timeoutMs: TIMEOUTS.meshUninstall,
          }),
        ],
      },
    ),
  );
  return steps;
}

/**
 * Built from source: `linkerd check` would ask versioncheck.linkerd.io for the latest release;
 * --expected-version answers that from the version under test, so nothing leaves the machine.
 */
function offlineCheckArgs(options: LinkerdToolOptions, version: string): string[] {
  return options.fromBinaries ? ["--expected-version", version] : [];
}

/**
 * The Gateway API CRDs Linkerd reads HTTPRoutes from, when the cluster has none: the CLI's own
 * copy (`--set installGatewayAPI=true`, the way linkerd2's own test recipes install them),
 * labelled as Linkerd's, so the CRDs' undo removes them with Linkerd's. A cluster that has them
 * (another mesh installed them) keeps its own: this step is skipped and they are not touched.
 */
function fromBinariesGatewayApiSteps(cli: string, context: string | undefined, guard?: string[]): Step[] {
  return pipeToKubectl(
    command("linkerd-render-gateway-api-crds", "render the Linkerd and Gateway API CRDs (linkerd install --crds --set installGatewayAPI=true) unless the cluster has Gateway API", linkerdArgv(cli, context, "install", "--crds", "--set", "installGatewayAPI=true"), {
      skipIf: kubectlArgv(context, "get", "crd", "httproutes.gateway.networking.k8s.io"),
    }),
    {
      id: "linkerd-apply-gateway-api-crds",
      name: "apply the Linkerd and Gateway API CRDs",
      timeoutMs: TIMEOUTS.meshInstall,
      argv: kubectlArgv(context, "apply", "-f", "-"),
      skipIf: kubectlArgv(context, "get", "crd", "httproutes.gateway.networking.k8s.io"),
      undo: [
        command("linkerd-delete-gateway-api-crds", "delete the Linkerd and Gateway API CRDs this run installed", kubectlArgv(context, "delete", "crd", "-l", LINKERD_CRD_SELECTOR, "--ignore-not-found"), {
          timeoutMs: TIMEOUTS.meshUninstall,
          allowFailure: true,
          ...(guard ? { skipIf: guard } : {}),
        }),
        crdsGone(context, guard),
      ],
    },
  );
}

export function linkerdVerifySteps(opts: InstallOptions, options: LinkerdToolOptions): Step[] {
  const cli = cliFor(options, opts.version);
  const rollouts: Step[] = CONTROL_PLANE_DEPLOYMENTS.map((name) => ({
    kind: "wait",
    id: `linkerd-rollout-${name}`,
    name: `wait for the ${name} Deployment to roll out`,
    timeoutMs: TIMEOUTS.rollout,
    condition: { type: "rollout", namespace: CONTROL_PLANE_NAMESPACE, kind: "Deployment", name },
    consecutive: 1,
    intervalMs: 5_000,
  }));
  return [
    ...rollouts,
    // --wait below the step's own limit, so linkerd's message (which check failed) is what the report shows.
    command("linkerd-check", "check the Linkerd control plane (linkerd check)", linkerdArgv(cli, options.context, "check", "--wait", "4m", ...offlineCheckArgs(options, opts.version)), { timeoutMs: TIMEOUTS.meshReady }),
  ];
}

export function linkerdUpgradeSteps(from: InstallOptions, to: InstallOptions, options: LinkerdToolOptions): Step[] {
  if (options.fromBinaries) {
    return [{ kind: "unsupported", id: "linkerd-upgrade-unsupported", name: "upgrade is not supported by linkerd (built-from-source)", timeoutMs: 0, intent: "upgrade", reason: BUILT_FROM_SOURCE_UPGRADE_GAP, checks: [] }];
  }
  if (from.method !== to.method) {
    throw new Error(`cannot upgrade Linkerd from a ${from.method} install to a ${to.method} install: uninstall and install with --method ${to.method} instead`);
  }
  resolveLinkerdRelease(from.version);
  const release = resolveLinkerdRelease(to.version);
  const { context } = options;
  const cli = cliFor(options, to.version);
  const steps: Step[] = [...gatewayApiCrdSteps(to.gatewayApiVersion, GATEWAY_API_CHANNEL, context)];
  if (to.method === "cli") {
    steps.push(
      ...pipeToKubectl(command("linkerd-render-upgrade-crds", `render the Linkerd ${release.edge} CRDs (linkerd upgrade --crds)`, linkerdArgv(cli, context, "upgrade", "--crds")), {
        id: "linkerd-apply-upgrade-crds",
        name: "apply the upgraded Linkerd CRDs",
        timeoutMs: TIMEOUTS.meshInstall,
        argv: kubectlArgv(context, "apply", "-f", "-"),
      }),
      ...pipeToKubectl(command("linkerd-render-upgrade", `render the Linkerd ${release.edge} control plane (linkerd upgrade)`, linkerdArgv(cli, context, "upgrade")), {
        id: "linkerd-apply-upgrade",
        name: "apply the upgraded Linkerd control plane",
        timeoutMs: TIMEOUTS.meshInstall,
        argv: kubectlArgv(context, "apply", "-f", "-"),
      }),
      ...pipeToKubectl(command("linkerd-render-prune", "list resources the new version no longer has (linkerd prune)", linkerdArgv(cli, context, "prune")), {
        id: "linkerd-delete-pruned",
        name: "delete resources the new version no longer has",
        timeoutMs: TIMEOUTS.meshUninstall,
        argv: kubectlArgv(context, "delete", "-f", "-", "--ignore-not-found"),
        allowFailure: true,
      }),
    );
  } else {
    const ns = CONTROL_PLANE_NAMESPACE;
    steps.push(
      command("linkerd-helm-repo", `add the ${HELM_REPO.name} Helm repository`, ["helm", "repo", "add", HELM_REPO.name, HELM_REPO.url, "--force-update"]),
      command("linkerd-helm-upgrade-crds", `upgrade the linkerd-crds chart to ${release.chartVersion}`, helmArgv(context, "upgrade", "linkerd-crds", `${HELM_REPO.name}/linkerd-crds`, "--version", release.chartVersion, "-n", ns, "--wait"), {
        timeoutMs: TIMEOUTS.meshInstall,
      }),
      command(
        "linkerd-helm-upgrade-control-plane",
        `upgrade the linkerd-control-plane chart to ${release.chartVersion} (rolled back if it fails)`,
        helmArgv(context, "upgrade", "linkerd-control-plane", `${HELM_REPO.name}/linkerd-control-plane`, "--version", release.chartVersion, "-n", ns, "--reset-values", ...identitySetFiles(options), "--atomic", "--wait"),
        { timeoutMs: TIMEOUTS.meshInstall },
      ),
    );
  }
  steps.push(...linkerdVerifySteps(to, options));
  for (const ns of options.dataPlaneNamespaces ?? []) steps.push(...dataPlaneRestartSteps(ns, cli, context));
  return steps;
}

/** New pods get the new proxy from the injector; restarting is how the data plane is upgraded. */
export function dataPlaneRestartSteps(namespace: string, cli: string, context: string | undefined): Step[] {
  const selector = { "app.kubernetes.io/managed-by": "meshproof" };
  return [
    command(`linkerd-restart-${namespace}`, `restart meshproof's Deployments in ${namespace} so they get the new proxy`, kubectlArgv(context, "rollout", "restart", "deployment", "-n", namespace, "-l", "app.kubernetes.io/managed-by=meshproof")),
    {
      kind: "wait",
      id: `linkerd-restarted-${namespace}`,
      name: `wait until meshproof's pods in ${namespace} are ready again`,
      timeoutMs: TIMEOUTS.rollout,
      condition: { type: "pods-ready", namespace, selector },
      consecutive: 3,
      intervalMs: 5_000,
    },
    command(`linkerd-check-proxy-${namespace}`, `check the upgraded proxies in ${namespace} (linkerd check --proxy)`, linkerdArgv(cli, context, "check", "--proxy", "-n", namespace, "--wait", "4m"), {
      timeoutMs: TIMEOUTS.meshReady,
    }),
  ];
}

export function linkerdUninstallSteps(opts: InstallOptions, options: LinkerdToolOptions): Step[] {
  return opts.method === "cli" ? cliUninstallSteps(options, opts.version) : helmUninstallSteps(options);
}
