/**
 * Setup's part for `--cluster host`: everything a single-node Kubernetes on this host runs,
 * pinned and cached by version in the tools cache, each step timed and skipped when present.
 *
 * - Debian packages: containerd, runc, containernetworking-plugins, iptables, conntrack, openssl.
 * - etcd: Debian's etcd-server, fetched with `apt-get download` and unpacked with `dpkg-deb -x`,
 *   so installing it never starts an etcd service on the host.
 * - Kubernetes v1.34.4 (kube-apiserver, kube-controller-manager, kube-scheduler, kubelet,
 *   kube-proxy, kubectl), built from the Go module proxy through the wrapper module in
 *   tools/host-cluster/kubernetes with the version stamped by ldflags (else every binary says
 *   v0.0.0-master). 8 minutes on 2 shared cores in a cold setup (24 before, under heavier
 *   load) and 4-5 GB of Go caches the first time.
 * - CoreDNS v1.15.0 (Apache-2.0) with only the plugins the host cluster's Corefile names, built
 *   through the wrapper module tools/host-cluster/coredns (cgo off, stripped) into a folder
 *   named by the version and a hash of that module, and checked (`-version`, `-plugins`).
 *
 * Linux and root only: elsewhere the step says so and setup goes on (kind needs none of this).
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findEtcd, isExecutable } from "../../src/cluster/host/binaries.js";
import { COREDNS_BUILD, COREDNS_MODULE_DIR, COREDNS_PLUGINS, COREDNS_VERSION, ETCD_PACKAGE, KUBERNETES_BINARIES, KUBERNETES_VERSION, NODE_PACKAGES, hostBinaryDirs } from "../../src/cluster/host/settings.js";
import type { ToolManifest } from "../../src/core/tools.js";
import { aptInstall, debianPackageInstalled, lastLine, requiredVersion, runCommand } from "./common.js";
import { SetupError } from "./errors.js";

export const KUBERNETES_MODULE_DIR = fileURLToPath(new URL("../../tools/host-cluster/kubernetes/", import.meta.url));
/** Where an earlier hand-run build of the same version may have put the binaries; adopted when complete. */
const LEGACY_KUBERNETES_DIR = (cache: string) => join(cache, "..", `kubernetes-${KUBERNETES_VERSION}`);

/** Exit 4 with one line, like the rest of setup. */
class HostSetupError extends SetupError {}


/** ldflags that stamp the version into component-base and client-go (kubectl version, /version). */
export function kubernetesLdflags(version = KUBERNETES_VERSION): string {
  const [major, minor] = version.replace(/^v/, "").split(".");
  const flags = ["-s", "-w"];
  for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
    flags.push(`-X ${pkg}.gitVersion=${version}`, `-X ${pkg}.gitMajor=${major}`, `-X ${pkg}.gitMinor=${minor}`, `-X ${pkg}.gitTreeState=clean`);
  }
  return flags.join(" ");
}

async function debianPackages(): Promise<string> {
  const missing: string[] = [];
  for (const pkg of NODE_PACKAGES) if (!(await debianPackageInstalled(pkg))) missing.push(pkg);
  if (missing.length === 0) return `already there (${NODE_PACKAGES.join(", ")})`;
  await aptInstall(missing, `install them as root (apt-get install ${missing.join(" ")}), or skip the host cluster with MESHPROOF_SETUP_HOST=0`);
  return `installed ${missing.join(", ")}`;
}

async function etcd(cache: string): Promise<string> {
  const have = findEtcd();
  if (have) return `already there (${have})`;
  const work = await mkdtemp(join(tmpdir(), "meshproof-etcd-"));
  try {
    let dl = await runCommand(["apt-get", "download", ETCD_PACKAGE], { cwd: work });
    if (dl.code !== 0) {
      await runCommand(["apt-get", "update"], { env: { DEBIAN_FRONTEND: "noninteractive" } });
      dl = await runCommand(["apt-get", "download", ETCD_PACKAGE], { cwd: work });
    }
    const deb = readdirSync(work).find((f) => f.endsWith(".deb"));
    if (dl.code !== 0 || !deb) throw new HostSetupError(`apt-get download ${ETCD_PACKAGE} failed (${lastLine(dl.output)})`);
    const version = deb.split("_")[1] ?? "unknown";
    const dir = join(cache, `${ETCD_PACKAGE}-${version}`);
    const partial = `${dir}.partial-${process.pid}`;
    const x = await runCommand(["dpkg-deb", "-x", join(work, deb), partial]);
    if (x.code !== 0) throw new HostSetupError(`dpkg-deb -x ${deb} failed (${lastLine(x.output)})`);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return `unpacked ${deb} (${join(dir, "usr", "bin", "etcd")})`;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function kubernetes(cache: string, go: string): Promise<string> {
  const dir = hostBinaryDirs().kubernetes;
  const missing = () => KUBERNETES_BINARIES.filter((b) => !isExecutable(join(dir, b)));
  if (missing().length === 0) return `already there (${dir})`;
  await mkdir(dir, { recursive: true });
  // Adopt a complete earlier build of the same version instead of building again.
  const legacy = LEGACY_KUBERNETES_DIR(cache);
  let adopted = 0;
  for (const b of missing()) {
    if (isExecutable(join(legacy, b))) {
      await rename(join(legacy, b), join(dir, b));
      adopted += 1;
    }
  }
  const toBuild = missing();
  if (toBuild.length > 0) {
    const partial = join(dir, `.partial-${process.pid}`);
    await mkdir(partial, { recursive: true });
    process.stderr.write(`      building ${toBuild.join(", ")} ${KUBERNETES_VERSION} from Go modules (8 to 25 minutes on 2 cores the first time, as busy as they are)\n`);
    const build = await runCommand(
      ["nice", go, "build", "-trimpath", "-ldflags", kubernetesLdflags(), "-o", `${partial}/`, ...toBuild.map((b) => `k8s.io/kubernetes/cmd/${b}`)],
      { cwd: KUBERNETES_MODULE_DIR, env: { CGO_ENABLED: "0" }, echo: true },
    );
    if (build.code !== 0) {
      await rm(partial, { recursive: true, force: true });
      throw new HostSetupError(`go build of Kubernetes ${KUBERNETES_VERSION} failed (${lastLine(build.output)}): check the Go module proxy is reachable`);
    }
    for (const b of toBuild) await rename(join(partial, b), join(dir, b));
    await rm(partial, { recursive: true, force: true });
  }
  const version = await runCommand([join(dir, "kubelet"), "--version"]);
  if (!version.output.includes(KUBERNETES_VERSION)) throw new HostSetupError(`${join(dir, "kubelet")} reports "${lastLine(version.output)}", not ${KUBERNETES_VERSION}: remove ${dir} and run setup again`);
  return `${toBuild.length > 0 ? `built ${toBuild.join(", ")}` : ""}${adopted > 0 ? `${toBuild.length > 0 ? "; " : ""}took ${adopted} from an earlier build` : ""} (${dir})`;
}

/** The plugins a CoreDNS binary says it has: `coredns -plugins` prints one name a line. */
export function listedCorednsPlugins(output: string): string[] {
  return output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^[a-z0-9_]+$/.test(line));
}

async function coredns(go: string): Promise<string> {
  const dir = hostBinaryDirs().coredns;
  if (isExecutable(join(dir, "coredns"))) return `already there (${dir})`;
  const goMod = await readFile(join(COREDNS_MODULE_DIR, "go.mod"), "utf8");
  if (requiredVersion(goMod, "github.com/coredns/coredns") !== COREDNS_VERSION) {
    throw new HostSetupError(`tools/host-cluster/coredns/go.mod does not require github.com/coredns/coredns ${COREDNS_VERSION} (settings.ts pins that): update one to match the other`);
  }
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  let plugins: string[] = [];
  try {
    process.stderr.write(`      building CoreDNS ${COREDNS_VERSION} with the plugins ${COREDNS_PLUGINS.join(", ")} (tools/host-cluster/coredns; a few minutes the first time)\n`);
    const build = await runCommand(["nice", go, "build", ...COREDNS_BUILD.flags, "-o", join(partial, "coredns"), "."], { cwd: COREDNS_MODULE_DIR, env: { ...COREDNS_BUILD.env }, echo: true });
    if (build.code !== 0 || !isExecutable(join(partial, "coredns"))) {
      throw new HostSetupError(`go build of CoreDNS ${COREDNS_VERSION} failed (${lastLine(build.output)}): check the Go module proxy is reachable`);
    }
    const version = await runCommand([join(partial, "coredns"), "-version"], { timeoutMs: 30_000 });
    if (!version.output.includes(`CoreDNS-${COREDNS_VERSION.replace(/^v/, "")}`)) {
      throw new HostSetupError(`the CoreDNS just built reports "${lastLine(version.output)}", not ${COREDNS_VERSION}`);
    }
    plugins = listedCorednsPlugins((await runCommand([join(partial, "coredns"), "-plugins"], { timeoutMs: 30_000 })).output);
    const lacking = COREDNS_PLUGINS.filter((p) => !plugins.includes(p));
    if (lacking.length > 0) {
      throw new HostSetupError(`the CoreDNS just built lacks the plugins ${lacking.join(", ")} the Corefile needs (it has ${plugins.join(", ") || "none"}): check tools/host-cluster/coredns/main.go`);
    }
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir); // atomic: a running cluster or a concurrent setup never sees half a build
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return `built with the plugins ${plugins.join(", ")} (${dir})`;
}

/** Why setup leaves the host cluster out on this machine, or undefined when it sets it up. */
export function hostClusterSkipped(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return "--cluster host needs root on Linux (kind and local need none of it)";
  if (env.MESHPROOF_SETUP_HOST === "0") return "MESHPROOF_SETUP_HOST=0";
  return undefined;
}

/** Run the host cluster's setup steps; records kubectl in the tools manifest. Throws (exit 4) on a missing piece. */
export async function setupHostCluster(cacheDir: string, tools: ToolManifest["tools"], go: string | undefined): Promise<void> {
  const skipped = hostClusterSkipped();
  if (skipped) {
    console.log(`[host cluster] skipped: ${skipped}`);
    return;
  }
  const goBin = go ?? "go";
  const steps: [string, () => Promise<string>][] = [
    ["Debian packages for the node", debianPackages],
    [`etcd (Debian ${ETCD_PACKAGE}, unpacked)`, () => etcd(cacheDir)],
    [`Kubernetes ${KUBERNETES_VERSION} binaries`, () => kubernetes(cacheDir, goBin)],
    [`CoreDNS ${COREDNS_VERSION}`, () => coredns(goBin)],
  ];
  for (const [index, [title, action]] of steps.entries()) {
    const label = `[host ${index + 1}/${steps.length}] ${title}`;
    console.log(`${label} ...`);
    const started = performance.now();
    const outcome = await action();
    console.log(`${label}: ${outcome} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const kubectl = join(hostBinaryDirs().kubernetes, "kubectl");
  if (existsSync(kubectl)) tools.kubectl = { path: kubectl, version: KUBERNETES_VERSION };
}

export { HostSetupError };
