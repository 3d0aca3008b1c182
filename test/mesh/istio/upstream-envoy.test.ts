/**
 * The upstream-envoy variant of Istio: the pins agree with the wrapper module, the binaries
 * `npm run setup` built report the pinned build, and the install the built istioctl renders
 * offline has every setting stock Envoy and this machine need; without any one of them the
 * render is caught (a mutant per setting).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CommandStep } from "../../../src/plan/steps.js";
import { findTool } from "../../../src/core/tools.js";
import { readMeshBuilds } from "../../../src/mesh/builds.js";
import { createIstioDriver } from "../../../src/mesh/istio/index.js";
import { upstreamEnvoyManifestArgs, upstreamEnvoyRenderProblems } from "../../../src/mesh/istio/upstream-envoy.js";
import { ENVOY_VERSION, ISTIO_HOST_VERSION, ISTIO_LOCAL_HUB, ISTIO_MODULE } from "../../../src/mesh/istio/upstream-envoy-variant.js";
import { ISTIO_WRAPPER_MODULE, istioLdflags, pseudoVersionCommit, requiredVersion } from "../../../scripts/setup/istio.js";
import { render, runCli } from "../render-cli.js";

const INSTALL = { version: ISTIO_HOST_VERSION, method: "cli" as const, gatewayApiVersion: "v1.5.1" };

describe("the pins of the upstream-envoy variant", () => {
  it("name the module version the wrapper's go.mod requires, and its commit", () => {
    const goMod = readFileSync(join(ISTIO_WRAPPER_MODULE, "go.mod"), "utf8");
    expect(requiredVersion(goMod, ISTIO_MODULE.path)).toBe(ISTIO_MODULE.version);
    expect(requiredVersion(goMod.replace(ISTIO_MODULE.version, "v0.0.0-20260826214018-9739e10eb9d7"), ISTIO_MODULE.path)).not.toBe(ISTIO_MODULE.version);
    expect(ISTIO_HOST_VERSION.endsWith(`.${pseudoVersionCommit(ISTIO_MODULE.version)}`)).toBe(true);
    expect(pseudoVersionCommit("v1.30.3")).toBeUndefined();
  });

  it("stamp the build version into istio.io/istio/pkg/version", () => {
    const flags = istioLdflags("linux", "amd64");
    expect(flags).toContain(`-X istio.io/istio/pkg/version.buildVersion=${ISTIO_HOST_VERSION}`);
    expect(flags).toContain(`-X istio.io/istio/pkg/version.buildHub=${ISTIO_LOCAL_HUB}`);
  });
});

describe("the install plan of the upstream-envoy variant", () => {
  it("renders with the built istioctl and applies server-side, then waits for istiod", () => {
    const steps = createIstioDriver({ context: "host", variant: "upstream-envoy" }).install(INSTALL) as CommandStep[];
    expect(steps.map((s) => s.id)).toEqual(["istio-host-namespace", "istio-host-render", "istio-host-apply", "istio-wait-istiod"]);
    expect(steps[1]?.argv).toEqual(["istioctl", ...upstreamEnvoyManifestArgs()]);
    expect(steps[2]?.argv).toEqual(["kubectl", "--context", "host", "apply", "--server-side", "--force-conflicts", "-f", "-"]);
    expect(steps[2]?.stdinFrom).toBe("previous");
    expect(steps[0]?.undo?.length).toBeGreaterThan(0);
  });

  it("mutant: the official variant installs with istioctl install and none of these settings", () => {
    const steps = createIstioDriver({ context: "host" }).install({ ...INSTALL, version: "1.30.3" }) as CommandStep[];
    expect(steps.map((s) => s.id)).not.toContain("istio-host-render");
    expect(JSON.stringify(steps)).not.toContain("PILOT_ENABLE_ALPN_FILTER");
  });
});

describe("the binaries setup built", () => {
  it("istioctl reports the pinned build without a cluster", async () => {
    const { code, stdout } = await runCli([findTool("istioctl").path, "version", "--remote=false", "-o", "json"]);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { clientVersion: { version: string } }).clientVersion.version).toBe(ISTIO_HOST_VERSION);
  });

  it("pilot-discovery and pilot-agent report it too, and the bootstrap template is beside them", async () => {
    const istio = readMeshBuilds().istio;
    expect(istio, "run `npm run setup` (it builds Istio for the host cluster)").toBeDefined();
    for (const name of ["pilot-discovery", "pilot-agent"]) {
      const { code, stdout } = await runCli([join(istio!.dir, name), "version", "--short"]);
      expect(code, name).toBe(0);
      expect(stdout, name).toMatch(new RegExp(`^client version: ${ISTIO_HOST_VERSION.replace(/\./g, "\\.")}$`, "m"));
    }
    // JSON with Go template actions, which pilot-agent fills in before starting Envoy.
    const template = readFileSync(join(istio!.dir, "envoy_bootstrap_tmpl.json"), "utf8");
    for (const key of ['"node"', '"static_resources"', '"dynamic_resources"', "{{ .xds_type }}"]) expect(template, key).toContain(key);
  });

  it("stock Envoy reports the pinned version", async () => {
    const envoy = readMeshBuilds().envoy;
    expect(envoy, "run `npm run setup` (it unpacks Envoy for the host cluster)").toBeDefined();
    expect(existsSync(join(envoy!.dir, "envoy"))).toBe(true);
    const { code, stdout } = await runCli([join(envoy!.dir, "envoy"), "--version"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`version: [0-9a-f]{40}/${ENVOY_VERSION.replace(/\./g, "\\.")}/Clean/RELEASE/BoringSSL`));
  });
});

describe("the install the built istioctl renders offline", () => {
  let istioctl: string;
  beforeAll(() => {
    istioctl = findTool("istioctl").path;
  });

  it("has every setting stock Envoy and this machine need", async () => {
    const objects = await render([istioctl, ...upstreamEnvoyManifestArgs()]);
    expect(upstreamEnvoyRenderProblems(objects)).toEqual([]);
  });

  /**
   * Each --set of the variant, what replaces it in the mutant, and what the
   * check must say. hub and tag are replaced, not dropped: istioctl's own defaults are the
   * buildHub and buildVersion setup stamped, i.e. already the local names.
   */
  const DROPPED = "(dropped)";
  const mutants: Array<[string, string, RegExp]> = [
    [`hub=${ISTIO_LOCAL_HUB}`, "hub=registry.istio.io/release", /istiod runs registry\.istio\.io\/release\/pilot:.*, not the local/],
    [`tag=${ISTIO_HOST_VERSION}`, "tag=1.30.3", /sidecars would run .*:1\.30\.3, not the local/],
    ["values.global.imagePullPolicy=IfNotPresent", DROPPED, /imagePullPolicy is .*, not IfNotPresent/],
    ["values.telemetry.enabled=false", DROPPED, /names metrics providers \(prometheus\)/],
    ["values.pilot.env.PILOT_ENABLE_METADATA_EXCHANGE=false", DROPPED, /istiod env PILOT_ENABLE_METADATA_EXCHANGE is unset/],
    ["values.pilot.env.PILOT_ENABLE_ALPN_FILTER=false", DROPPED, /istiod env PILOT_ENABLE_ALPN_FILTER is unset/],
    ["values.pilot.env.CLOUD_PLATFORM=none", DROPPED, /istiod env CLOUD_PLATFORM is unset/],
    ["meshConfig.defaultConfig.proxyMetadata.CLOUD_PLATFORM=none", DROPPED, /sidecars get CLOUD_PLATFORM=unset/],
  ];

  it.each(mutants)("mutant: --set %s, instead %s, is caught", async (set, replacement, problem) => {
    const args = upstreamEnvoyManifestArgs();
    const at = args.indexOf(set);
    expect(at, `${set} is one of the variant's settings`).toBeGreaterThan(0);
    const mutated = replacement !== DROPPED ? [...args.slice(0, at), replacement, ...args.slice(at + 1)] : [...args.slice(0, at - 1), ...args.slice(at + 1)];
    const objects = await render([istioctl, ...mutated]);
    expect(upstreamEnvoyRenderProblems(objects).join("\n")).toMatch(problem);
  });
});
