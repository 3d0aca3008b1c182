/**
 * The host cluster's fixed facts: versions, addresses, ports and where its state lives. One
 * single-node cluster runs at a time on a host (its ports and network names are fixed), so a
 * cluster's name only chooses its state folder and its kube context.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { repoPath } from "../../core/repo.js";
import { toolsCacheDir } from "../../core/tools.js";

export const KUBERNETES_VERSION = "v1.34.4";
export const COREDNS_VERSION = "v1.15.0";
/**
 * CoreDNS is built from the wrapper module tools/host-cluster/coredns (its go.mod pins
 * COREDNS_VERSION), with only the plugins the Corefile (config.ts) names.
 */
export const COREDNS_MODULE_DIR = repoPath("tools/host-cluster/coredns/");
/** How setup builds it; part of the folder's name, so a build made another way is never reused. */
export const COREDNS_BUILD = { flags: ["-trimpath", "-ldflags", "-s -w"], env: { CGO_ENABLED: "0" } } as const;
const COREDNS_MODULE_FILES = ["go.mod", "go.sum", "main.go"] as const;
/** The plugins that build has, in the chain's order (main.go's directive list; config.ts's Corefile uses them all). */
export const COREDNS_PLUGINS = ["bind", "ready", "health", "errors", "cache", "kubernetes"] as const;

/** Short hash of the wrapper module's files and the build settings: the build folder's name. */
export function corednsBuildKey(moduleDir: string = COREDNS_MODULE_DIR): string {
  const hash = createHash("sha256");
  for (const file of COREDNS_MODULE_FILES) hash.update(file).update("\0").update(readFileSync(join(moduleDir, file))).update("\0");
  hash.update(`${COREDNS_VERSION}\0${COREDNS_BUILD.flags.join(" ")}\0${JSON.stringify(COREDNS_BUILD.env)}`);
  return hash.digest("hex").slice(0, 12);
}

/** Debian's package: unpacked with dpkg-deb, so installing it never starts an etcd service. */
export const ETCD_PACKAGE = "etcd-server";
/** Debian packages the node needs on PATH (containerd's CRI, runc, CNI plugins, iptables, conntrack, openssl for the PKI). */
export const NODE_PACKAGES = ["containerd", "runc", "containernetworking-plugins", "iptables", "conntrack", "openssl"] as const;
export const KUBERNETES_BINARIES = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy", "kubectl"] as const;
export type KubernetesBinary = (typeof KUBERNETES_BINARIES)[number];

/**
 * Networks. The node IP sits alone (/32) on a port-less bridge: this kernel has no `dummy` link
 * type, and the API server and kubelet need an address that pods can reach and that exists
 * before the first pod. Ranges avoid the host's own network.
 */
export const NETWORK = {
  nodeBridge: "mpnode0",
  nodeIp: "10.243.0.1",
  podBridge: "mpbr0",
  podCidr: "10.244.0.0/24",
  podGateway: "10.244.0.1",
  serviceCidr: "10.96.0.0/16",
  /** First address of the service range: the `kubernetes` Service. */
  apiServiceIp: "10.96.0.1",
  dnsServiceIp: "10.96.0.10",
  clusterDomain: "cluster.local",
} as const;

export const PORTS = {
  etcdClient: 12379,
  etcdPeer: 12380,
  apiServer: 6443,
  controllerManager: 10257,
  scheduler: 10259,
  kubelet: 10250,
  kubeletHealthz: 10248,
  proxyHealthz: 10256,
  proxyMetrics: 10249,
  corednsHealth: 18080,
  corednsReady: 18181,
} as const;

/** The user CoreDNS authenticates as (its client certificate's name; its RBAC binding's subject). */
export const COREDNS_USER = "system:meshproof:coredns";

/** The iptables chain of the egress guard (FORWARD jumps to it for traffic from the pod network). */
export const EGRESS_CHAIN = "MESHPROOF-EGRESS";

/** The sandbox (pause) image every pod's network namespace is held by; imported before the first pod. */
export const DEFAULT_SANDBOX_IMAGE = "meshproof.local/pause:3.10";

export const CLUSTER_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,30}$/;

export function contextName(name: string): string {
  return `host-${name}`;
}

export function nodeName(name: string): string {
  return `${name}-node`;
}

/** ${XDG_STATE_HOME:-~/.local/state}/meshproof/host/<name>: everything a cluster writes, but what the kubelet insists on putting elsewhere. */
export function stateDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_STATE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), ".local", "state");
  return join(base, "meshproof", "host", name);
}

/** Where setup keeps what the host cluster runs: versioned folders beside k6 in the tools cache. */
export function hostBinaryDirs(env: NodeJS.ProcessEnv = process.env): { kubernetes: string; coredns: string; etcdRoot: string } {
  const cache = toolsCacheDir(env);
  return {
    kubernetes: join(cache, `kubernetes-${KUBERNETES_VERSION}`),
    coredns: join(cache, `coredns-${COREDNS_VERSION}-${corednsBuildKey()}`),
    etcdRoot: cache,
  };
}

/** The layout of one cluster's state folder. */
export function hostLayout(name: string, env: NodeJS.ProcessEnv = process.env) {
  const root = stateDir(name, env);
  return {
    root,
    pki: join(root, "pki"),
    logs: join(root, "logs"),
    pids: join(root, "pids"),
    config: join(root, "config"),
    etcdData: join(root, "etcd"),
    containerdRoot: join(root, "containerd", "root"),
    containerdState: join(root, "containerd", "state"),
    containerdSocket: join(root, "containerd", "containerd.sock"),
    runcRoot: join(root, "runc"),
    cniConf: join(root, "cni", "net.d"),
    cniIpam: join(root, "cni", "ipam"),
    kubeletRoot: join(root, "kubelet"),
    podLogs: join(root, "pod-logs"),
    /** Admin kubeconfig of this cluster alone (the user's kubeconfig also gets its context). */
    adminKubeconfig: join(root, "admin.kubeconfig"),
    /** What was changed on the host that teardown restores (ip_forward). */
    hostChanges: join(root, "host-changes.json"),
  };
}
export type HostLayout = ReturnType<typeof hostLayout>;

/** Paths the kubelet writes outside its root dir whatever its configuration says. */
export const KUBELET_STRAYS = { devicePlugins: "/var/lib/kubelet/device-plugins", containerLogs: "/var/log/containers" } as const;

/** The CNI plugins' folder of Debian's containernetworking-plugins. */
export const CNI_BIN_DIR = "/usr/lib/cni";
