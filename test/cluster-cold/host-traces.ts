/**
 * Every trace a host cluster can leave on this machine, found by looking at the machine itself
 * (/proc, mountinfo, `ip`, iptables-save, cgroupfs, the file system) rather than through the
 * cluster's own bookkeeping (its pid files, lifecycle's `leftovers`), so a stop that forgets
 * something and a bookkeeping that forgets the same thing cannot agree to pass.
 *
 * Names come from the cluster's fixed facts (src/cluster/host/settings.ts): its state folder,
 * its two bridges, its pod and service ranges, the programs it runs and the chain prefixes of
 * kube-proxy, the kubelet, CNI portmap and the egress guard.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, readdirSync, readlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { userKubeconfigPath } from "../../src/cluster/host/lifecycle.js";
import { KUBELET_STRAYS, NETWORK, contextName, hostLayout } from "../../src/cluster/host/settings.js";

const exec = promisify(execFile);

/** What the cluster runs; pods' own processes are found by their cgroup instead. */
const CLUSTER_PROGRAMS = new Set(["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "coredns", "containerd-shim-runc-v2", "containerd-shim"]);
/** Chains of kube-proxy and the kubelet (KUBE-), CNI portmap (CNI-) and the egress guard (MESHPROOF-). */
const CHAIN = /(^|\s|:)(KUBE-|CNI-|MESHPROOF-)[A-Z0-9-]*/;
const KUBELET_ROOT = "/var/lib/kubelet";

export interface Traces {
  /** pid and command line of each process of the cluster or of one of its pods. */
  processes: string[];
  /** Mount points under the state folder or the kubelet's default root, or mounting from them. */
  mounts: string[];
  /** Network devices the cluster made (its bridges, pods' veths), or any device that was not there before. */
  devices: string[];
  /** Addresses and routes on the node or pod ranges. */
  addresses: string[];
  /** iptables / ip6tables chains and rules of the cluster. */
  iptables: string[];
  /** The kubelet's pod cgroups, per controller. */
  cgroups: string[];
  /** The state folder with anything in it, and the kubelet's writes outside it. */
  files: string[];
  /** The cluster's context in the user's kubeconfig. */
  context: string[];
}

export type TraceKind = keyof Traces;
export const TRACE_KINDS: readonly TraceKind[] = ["processes", "mounts", "devices", "addresses", "iptables", "cgroups", "files", "context"];

/** What is on the machine before the cluster exists: devices of others are not the cluster's. */
export interface Baseline {
  links: Set<string>;
}

async function sh(argv: string[]): Promise<string> {
  try {
    return (await exec(argv[0]!, argv.slice(1), { timeout: 60_000, maxBuffer: 64 << 20 })).stdout;
  } catch {
    return "";
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

async function linkNames(): Promise<{ name: string; line: string }[]> {
  const out = await sh(["ip", "-o", "link", "show"]);
  return out
    .split("\n")
    .map((line) => ({ name: /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? "", line }))
    .filter((l) => l.name);
}

export async function baseline(): Promise<Baseline> {
  return { links: new Set((await linkNames()).map((l) => l.name)) };
}

export async function clusterTraces(name: string, before: Baseline): Promise<Traces> {
  const root = hostLayout(name).root;
  const traces: Traces = { processes: [], mounts: [], devices: [], addresses: [], iptables: [], cgroups: [], files: [], context: [] };

  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmdline = read(`/proc/${pid}/cmdline`).replaceAll("\0", " ").trim();
    let exe = "";
    try {
      exe = basename(readlinkSync(`/proc/${pid}/exe`));
    } catch {
      // a kernel thread, or gone
    }
    const argv0 = basename(cmdline.split(" ")[0] ?? "");
    const inPod = /\/kubepods(\/|$)/m.test(read(`/proc/${pid}/cgroup`));
    if (cmdline.includes(root) || CLUSTER_PROGRAMS.has(exe) || CLUSTER_PROGRAMS.has(argv0) || inPod) traces.processes.push(`${pid} ${cmdline.slice(0, 140)}`);
  }

  for (const line of read("/proc/self/mountinfo").split("\n")) {
    const point = line.split(" ")[4];
    if (!point) continue;
    const under = (dir: string) => point === dir || point.startsWith(`${dir}/`);
    if (under(root) || under(KUBELET_ROOT) || /\/netns\/cni-/.test(point) || line.includes(root)) traces.mounts.push(point);
  }

  for (const { name: link, line } of await linkNames()) {
    if (link === NETWORK.nodeBridge || link === NETWORK.podBridge || line.includes(`master ${NETWORK.podBridge}`) || !before.links.has(link)) traces.devices.push(link);
  }
  const podPrefix = NETWORK.podCidr.split(".").slice(0, 3).join(".") + ".";
  const addrs = [...(await sh(["ip", "-o", "addr", "show"])).split("\n"), ...(await sh(["ip", "route", "show", "table", "all"])).split("\n")];
  for (const line of addrs) if (line.includes(NETWORK.nodeIp) || line.includes(podPrefix) || line.includes(NETWORK.serviceCidr)) traces.addresses.push(line.trim());

  for (const family of ["iptables-save", "ip6tables-save"]) {
    let table = "";
    for (const line of (await sh([family])).split("\n")) {
      if (line.startsWith("*")) table = line.slice(1);
      const chainDecl = line.startsWith(":") && CHAIN.test(line.split(" ")[0] ?? "");
      const rule = line.startsWith("-A ") && (CHAIN.test(line) || line.includes(NETWORK.podCidr) || line.includes(NETWORK.serviceCidr) || line.includes(NETWORK.podBridge) || line.includes(NETWORK.nodeBridge) || /meshproof/i.test(line));
      if (chainDecl || rule) traces.iptables.push(`${family.replace("-save", "")} ${table}: ${line}`);
    }
  }

  const cgroupRoot = "/sys/fs/cgroup";
  const controllers = existsSync(join(cgroupRoot, "cgroup.controllers")) ? [""] : readdirSync(cgroupRoot);
  for (const controller of controllers) {
    const dir = join(cgroupRoot, controller, "kubepods");
    if (existsSync(dir)) traces.cgroups.push(dir);
  }

  if (existsSync(root) && readdirSync(root).length > 0) traces.files.push(`${root}: ${readdirSync(root).join(", ")}`);
  if (existsSync(KUBELET_ROOT)) traces.files.push(`${KUBELET_ROOT}: ${readdirSync(KUBELET_ROOT).join(", ")}`);
  if (existsSync(KUBELET_STRAYS.containerLogs)) {
    for (const entry of readdirSync(KUBELET_STRAYS.containerLogs)) {
      let target = "";
      try {
        target = readlinkSync(join(KUBELET_STRAYS.containerLogs, entry));
      } catch {
        continue;
      }
      if (target.startsWith(root)) traces.files.push(join(KUBELET_STRAYS.containerLogs, entry));
    }
  }

  const kubeconfig = userKubeconfigPath();
  if (existsSync(kubeconfig)) {
    const config = (parse(read(kubeconfig)) ?? {}) as Record<string, { name?: string }[] | undefined>;
    for (const key of ["contexts", "clusters", "users"]) {
      for (const item of config[key] ?? []) if (item.name === contextName(name)) traces.context.push(`${key}: ${item.name}`);
    }
  }
  return traces;
}

/** The kinds that have any trace, for messages: "processes: 12 ...; mounts: ...". */
export function describeTraces(t: Traces): string {
  return TRACE_KINDS.filter((k) => t[k].length > 0)
    .map((k) => `${k} (${t[k].length}): ${t[k].slice(0, 6).join(" | ")}${t[k].length > 6 ? " | …" : ""}`)
    .join("\n");
}
