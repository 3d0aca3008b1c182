/**
 * Where the host cluster's programs are: the Kubernetes binaries, etcd and CoreDNS in setup's
 * tools cache (versioned folders), containerd and friends from the system's packages. A
 * missing one is an environment problem (exit 4) that names `npm run setup`.
 */
import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { EnvironmentError } from "../../core/errors.js";
import type { Binaries } from "./config.js";
import { CNI_BIN_DIR, COREDNS_VERSION, ETCD_PACKAGE, KUBERNETES_VERSION, hostBinaryDirs } from "./settings.js";

/** What the first build of Kubernetes and CoreDNS took on 2 cores (measured: 8 + 11 minutes busy, before CoreDNS lost its unused plugins); said when they are missing. */
export const FIRST_BUILD_NOTE = "the first `npm run setup` builds Kubernetes and CoreDNS from Go modules: 10 to 15 minutes on 2 busy cores, 5-10 GB of Go caches";

export function isExecutable(path: string): boolean {
  try {
    return statSync(path).isFile() && (accessSync(path, constants.X_OK), true);
  } catch {
    return false;
  }
}

export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin", "/usr/bin"];
  for (const dir of dirs) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The etcd unpacked by setup: <cache>/etcd-server-<debian version>/usr/bin/etcd, newest first. */
export function findEtcd(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const root = hostBinaryDirs(env).etcdRoot;
  let entries: string[] = [];
  try {
    entries = readdirSync(root).filter((e) => e.startsWith(`${ETCD_PACKAGE}-`)).sort().reverse();
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    const path = join(root, entry, "usr", "bin", "etcd");
    if (isExecutable(path)) return path;
  }
  return undefined;
}

/** Every program the cluster runs, or undefined per missing one. */
export function locateBinaries(env: NodeJS.ProcessEnv = process.env): { found: Partial<Binaries>; missing: string[] } {
  const dirs = hostBinaryDirs(env);
  const k8s = (name: string) => {
    const path = join(dirs.kubernetes, name);
    return isExecutable(path) ? path : undefined;
  };
  const candidates: Record<keyof Binaries, [string | undefined, string]> = {
    etcd: [findEtcd(env), `etcd (Debian's ${ETCD_PACKAGE}, unpacked by npm run setup)`],
    kubeApiserver: [k8s("kube-apiserver"), `kube-apiserver ${KUBERNETES_VERSION}`],
    kubeControllerManager: [k8s("kube-controller-manager"), `kube-controller-manager ${KUBERNETES_VERSION}`],
    kubeScheduler: [k8s("kube-scheduler"), `kube-scheduler ${KUBERNETES_VERSION}`],
    kubelet: [k8s("kubelet"), `kubelet ${KUBERNETES_VERSION}`],
    kubeProxy: [k8s("kube-proxy"), `kube-proxy ${KUBERNETES_VERSION}`],
    kubectl: [k8s("kubectl"), `kubectl ${KUBERNETES_VERSION}`],
    coredns: [isExecutable(join(dirs.coredns, "coredns")) ? join(dirs.coredns, "coredns") : undefined, `CoreDNS ${COREDNS_VERSION}`],
    containerd: [onPath("containerd", env), "containerd (Debian package containerd)"],
    ctr: [onPath("ctr", env), "ctr (Debian package containerd)"],
  };
  const found: Partial<Binaries> = {};
  const missing: string[] = [];
  for (const [key, [path, what]] of Object.entries(candidates) as [keyof Binaries, [string | undefined, string]][]) {
    if (path) found[key] = path;
    else missing.push(what);
  }
  for (const [tool, pkg] of [["runc", "runc"], ["iptables", "iptables"], ["iptables-save", "iptables"], ["conntrack", "conntrack"], ["openssl", "openssl"], ["ip", "iproute2"]] as const) {
    if (!onPath(tool, env)) missing.push(`${tool} (Debian package ${pkg})`);
  }
  if (!isExecutable(join(CNI_BIN_DIR, "bridge"))) missing.push(`CNI plugins in ${CNI_BIN_DIR} (Debian package containernetworking-plugins)`);
  return { found, missing };
}

/** Every binary, or an EnvironmentError (exit 4) listing what is missing and how to get it. */
export function requireBinaries(env: NodeJS.ProcessEnv = process.env): Binaries {
  const { found, missing } = locateBinaries(env);
  if (missing.length > 0) {
    throw new EnvironmentError(
      `the host cluster needs programs that are missing:\n  - ${missing.join("\n  - ")}`,
      `run \`npm run setup\` (as root, on Linux); ${FIRST_BUILD_NOTE}`,
    );
  }
  return found as Binaries;
}

/** Root on Linux: the cluster changes network devices, iptables and mounts. */
export function requireRootOnLinux(): void {
  if (process.platform !== "linux") throw new EnvironmentError(`--cluster host runs Kubernetes as processes on Linux; this is ${process.platform}`, "use --cluster kind");
  if (process.getuid?.() !== 0) throw new EnvironmentError("--cluster host needs root (it creates network devices, iptables rules and mounts)", "run as root, or use --cluster kind");
}
