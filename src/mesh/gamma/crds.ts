/**
 * Gateway API CRDs from the release's own bundle. Meshes that route with Gateway API need them
 * before any HTTPRoute can be applied; Linkerd's installer refuses to run without them.
 * Bundles: https://github.com/kubernetes-sigs/gateway-api/releases (standard-install.yaml,
 * experimental-install.yaml), applied server-side as the Gateway API install guide says
 * (https://gateway-api.sigs.k8s.io/guides/getting-started/#installing-gateway-api): the CRDs are
 * too large for client-side apply's last-applied annotation.
 */
import type { CommandStep, Step } from "../../plan/steps.js";
import { TIMEOUTS } from "../../core/timeouts.js";

export const GATEWAY_API_VERSION = "v1.5.1";
export type GatewayApiChannel = "standard" | "experimental";

const HTTPROUTE_CRD = "httproutes.gateway.networking.k8s.io";
const GRPCROUTE_CRD = "grpcroutes.gateway.networking.k8s.io";
/** The annotation every Gateway API CRD carries with its release channel. */
const CHANNEL_ANNOTATION_JSONPATH = "{.metadata.annotations.gateway\\.networking\\.k8s\\.io/channel}";

export function gatewayApiInstallUrl(version: string, channel: GatewayApiChannel): string {
  if (!/^v\d+\.\d+\.\d+(-rc\.\d+)?$/.test(version)) {
    throw new Error(`"${version}" is not a Gateway API release tag; pass one like ${GATEWAY_API_VERSION}`);
  }
  return `https://github.com/kubernetes-sigs/gateway-api/releases/download/${version}/${channel}-install.yaml`;
}

export function kubectlArgv(context: string | undefined, ...args: string[]): string[] {
  return ["kubectl", ...(context ? ["--context", context] : []), ...args];
}

/**
 * Install the CRDs unless the cluster already has them. The removal is registered as the
 * install step's undo, so it runs only when this run installed them: CRDs a cluster had before
 * (which other workloads may rely on) are left alone. When the experimental channel is needed,
 * a last step proves the installed CRDs are experimental: on standard CRDs the API server would
 * silently prune experimental fields such as HTTPRoute `retry`.
 */
export function gatewayApiCrdSteps(version: string, channel: GatewayApiChannel, context?: string): Step[] {
  const url = gatewayApiInstallUrl(version, channel);
  const remove: CommandStep = {
    kind: "command",
    id: "gateway-api-crds-remove",
    name: `remove the Gateway API ${version} CRDs this run installed`,
    timeoutMs: TIMEOUTS.meshUninstall,
    argv: kubectlArgv(context, "delete", "-f", url, "--ignore-not-found"),
    allowFailure: true,
  };
  const steps: Step[] = [
    {
      kind: "command",
      id: "gateway-api-crds",
      name: `install the Gateway API ${version} CRDs (${channel} channel) unless the cluster has them`,
      timeoutMs: TIMEOUTS.meshInstall,
      argv: kubectlArgv(context, "apply", "--server-side", "-f", url),
      skipIf: kubectlArgv(context, "get", "crd", HTTPROUTE_CRD),
      undo: [remove],
    },
    {
      kind: "wait",
      id: "gateway-api-crds-established",
      name: "wait until the HTTPRoute and GRPCRoute CRDs are established",
      timeoutMs: TIMEOUTS.meshReady,
      condition: { type: "command", argv: kubectlArgv(context, "wait", "--for=condition=Established", `crd/${HTTPROUTE_CRD}`, `crd/${GRPCROUTE_CRD}`, "--timeout=30s") },
      consecutive: 1,
      intervalMs: 2_000,
    },
  ];
  if (channel === "experimental") {
    steps.push({
      kind: "wait",
      id: "gateway-api-crds-experimental",
      name: "check that the installed Gateway API CRDs are the experimental channel (HTTPRoute retry exists only there)",
      timeoutMs: 30_000,
      condition: {
        type: "command",
        argv: kubectlArgv(context, "wait", `--for=jsonpath=${CHANNEL_ANNOTATION_JSONPATH}=experimental`, `crd/${HTTPROUTE_CRD}`, "--timeout=10s"),
      },
      consecutive: 1,
      intervalMs: 5_000,
    });
  }
  return steps;
}
