/**
 * Start, reuse and stop one host cluster. `up` is idempotent: what already runs and answers is
 * kept, what is missing is started, in dependency order. `down` stops in reverse order (the API
 * server hangs on SIGTERM when etcd went first) and then removes every trace: containers,
 * mounts, network devices, iptables chains, the kubelet's strays, the kube context and the
 * state folder.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { mkdir, rm, rmdir, writeFile, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { EnvironmentError } from "../../core/errors.js";
import { withFileLock } from "../../core/file-lock.js";
import { pollUntil } from "../../core/timeouts.js";
import { onPath, requireBinaries, requireRootOnLinux } from "./binaries.js";
import { cniConfig, componentKubeconfig, containerdConfig, corefile, daemons, kubeProxyConfig, kubeletConfig, API_SERVER_URL, type Binaries, type Daemon } from "./config.js";
import { DaemonExited, logFile, probe, processesNaming, runningPid, startClusterDaemon, stopDaemon, stopPid, waitReady } from "./daemons.js";
import { OWNED_CHAIN, ensureNodeAddress, guardDrops, guardInstalled, installEgressGuard, mountsUnder, removeChains, removeLinks, restoreSysctls, setSysctls, sh, unmountAll } from "./network.js";
import { ensurePki, leafSpecs } from "./pki.js";
import { DEFAULT_SANDBOX_IMAGE, KUBELET_STRAYS, NETWORK, contextName, hostLayout, nodeName, type HostLayout } from "./settings.js";
import { bootstrapObjects } from "./bootstrap.js";


export interface UpOptions {
  name: string;
  sandboxImage?: string;
  log?: (line: string) => void;
  /** Per daemon; the API server's first start with an empty etcd takes the longest. */
  readyTimeoutMs?: number;
}

export interface UpResult {
  context: string;
  kubeconfig: string;
  reused: boolean;
  started: string[];
  seconds: number;
}

function daemonsOf(name: string, bin: Binaries): { layout: HostLayout; list: Daemon[] } {
  const layout = hostLayout(name);
  return { layout, list: daemons(layout, bin, nodeName(name)) };
}

/** Binaries for a stop: a missing one does not matter, every daemon is found by its pid file. */
function binariesForStop(): Binaries {
  const placeholder = "/nonexistent";
  try {
    return requireBinaries();
  } catch {
    return { etcd: placeholder, kubeApiserver: placeholder, kubeControllerManager: placeholder, kubeScheduler: placeholder, kubelet: placeholder, kubeProxy: placeholder, kubectl: placeholder, coredns: placeholder, containerd: placeholder, ctr: placeholder };
  }
}

/** Another host cluster's state folder with a live API server: its ports and devices would clash. */
function otherRunningCluster(name: string): string | undefined {
  const parent = join(hostLayout(name).root, "..");
  let names: string[] = [];
  try {
    names = readdirSync(parent);
  } catch {
    return undefined;
  }
  for (const other of names) {
    if (other === name) continue;
    if (processesNaming(hostLayout(other).root + "/").length > 0) return other;
  }
  return undefined;
}

/**
 * One start or stop at a time on this machine: two runs starting the cluster at the same moment
 * would both create its objects (one run's kube-dns Service then fails on the address the other
 * took). The second waits, then finds the cluster running and reuses it.
 */
async function oneAtATime<T>(name: string, what: string, log: (line: string) => void, work: () => Promise<T>): Promise<T> {
  const parent = join(hostLayout(name).root, "..");
  await mkdir(parent, { recursive: true });
  return withFileLock(join(parent, ".lifecycle.lock"), work, {
    what,
    timeoutMs: LIFECYCLE_LOCK_WAIT_MS,
    onWait: (holder) => log(`waiting for another run${holder ? ` (pid ${holder})` : ""} that is starting or stopping a host cluster`),
  });
}

/** Longer than a first start on a busy machine (images imported, the API server's first etcd write). */
const LIFECYCLE_LOCK_WAIT_MS = 10 * 60_000;

export async function up(opts: UpOptions): Promise<UpResult> {
  return oneAtATime(opts.name, "starting a host cluster", opts.log ?? (() => undefined), () => upUnlocked(opts));
}

async function upUnlocked(opts: UpOptions): Promise<UpResult> {
  const started = performance.now();
  const log = opts.log ?? (() => undefined);
  requireRootOnLinux();
  const bin = requireBinaries();
  const other = otherRunningCluster(opts.name);
  if (other) throw new EnvironmentError(`host cluster "${other}" is running; one host cluster runs at a time`, `stop it with \`npm run clean -- --cluster host --cluster-name ${other}\`, or use --cluster-name ${other}`);
  const { layout, list } = daemonsOf(opts.name, bin);
  const context = contextName(opts.name);
  const node = nodeName(opts.name);

  const sandbox = opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE;
  const sameSandbox = (await readFile(join(layout.config, "containerd.toml"), "utf8").catch(() => "")) === containerdConfig(layout, sandbox);
  const states = await Promise.all(list.map(async (d) => runningPid(layout, d) !== undefined && (await probe(d)) === true));
  if (states.every(Boolean) && sameSandbox && (await guardInstalled())) {
    await mergeContext(layout, context);
    return { context, kubeconfig: layout.adminKubeconfig, reused: true, started: [], seconds: (performance.now() - started) / 1000 };
  }

  for (const dir of [layout.root, layout.config, layout.logs, layout.pids, layout.cniConf, layout.cniIpam, layout.podLogs, layout.kubeletRoot, layout.runcRoot]) {
    await mkdir(dir, { recursive: true });
  }
  log("certificates and configuration");
  await ensurePki(layout.pki, node);
  for (const spec of leafSpecs(node)) {
    if (spec.usage !== "client") continue;
    const kc = componentKubeconfig(layout, spec.file, spec.file === "admin" ? context : spec.file);
    await writeIfChanged(kc.path, kc.content);
    if (spec.file === "admin") await writeIfChanged(layout.adminKubeconfig, kc.content);
  }
  await writeIfChanged(join(layout.config, "kubelet.yaml"), kubeletConfig(layout));
  await writeIfChanged(join(layout.config, "kube-proxy.yaml"), kubeProxyConfig(layout, node));
  if (await writeIfChanged(join(layout.config, "containerd.toml"), containerdConfig(layout, sandbox))) {
    // A running containerd keeps the sandbox image it started with; its containers outlive a restart.
    const containerd = list.find((d) => d.name === "containerd");
    if (containerd && (await stopDaemon(layout, containerd))) log("restart containerd for its new configuration");
  }
  await writeIfChanged(join(layout.cniConf, "10-meshproof.conflist"), cniConfig(layout));
  await writeIfChanged(join(layout.config, "Corefile"), corefile(layout));

  // The guard goes in before forwarding is switched on and before any pod can exist.
  log("node address, egress guard, forwarding");
  await ensureNodeAddress();
  await installEgressGuard();
  await setSysctls(layout);

  const startedNow: string[] = [];
  for (const daemon of list) {
    if (runningPid(layout, daemon) === undefined) {
      if (daemon.name === "coredns") await applyBootstrap(layout, bin);
      log(`start ${daemon.name}`);
      await startClusterDaemon(layout, daemon);
      startedNow.push(daemon.name);
    }
    try {
      await waitReady(layout, daemon, opts.readyTimeoutMs ?? 120_000);
    } catch (err) {
      // A daemon this start launched and that died at once (kube-proxy did so once, leaving an
      // empty log, then started fine) gets one more try; a second early exit is the answer.
      if (!(err instanceof DaemonExited) || !startedNow.includes(daemon.name)) throw err;
      log(`${daemon.name} exited during start; starting it once more`);
      await startClusterDaemon(layout, daemon);
      await waitReady(layout, daemon, opts.readyTimeoutMs ?? 120_000);
    }
  }
  log("wait for the node to be Ready");
  await pollUntil(async () => {
    const out = await sh([bin.kubectl, "--kubeconfig", layout.adminKubeconfig, "get", "node", node, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"], { allowFailure: true });
    return out.stdout.trim() === "True" || `node: ${out.stdout.trim() || out.stderr.trim()}`;
  }, { what: `node ${node} to be Ready`, timeoutMs: 120_000, intervalMs: 500 });
  await pollUntil(async () => {
    const out = await sh([bin.kubectl, "--kubeconfig", layout.adminKubeconfig, "get", "serviceaccount", "default", "-n", "default", "-o", "name"], { allowFailure: true });
    return out.code === 0 || "no default service account yet";
  }, { what: "the default service account", timeoutMs: 60_000, intervalMs: 500 });
  if (!(await guardInstalled())) throw new Error("the egress guard is not in place after start: refusing to run pods");
  await mergeContext(layout, context);
  return { context, kubeconfig: layout.adminKubeconfig, reused: false, started: startedNow, seconds: (performance.now() - started) / 1000 };
}

/** kube-proxy exits when its configuration file changes: a reused cluster's files are only rewritten when they differ. */
async function writeIfChanged(path: string, content: string): Promise<boolean> {
  const old = await readFile(path, "utf8").catch(() => undefined);
  if (old === content) return false;
  await writeFile(path, content, { mode: 0o600 });
  return true;
}

/** CoreDNS's RBAC and the kube-dns Service, whose endpoint is CoreDNS on the node's address. */
async function applyBootstrap(layout: HostLayout, bin: Binaries): Promise<void> {
  const docs = bootstrapObjects().map((o) => stringify(o)).join("---\n");
  await sh([bin.kubectl, "--kubeconfig", layout.adminKubeconfig, "apply", "--server-side", "--field-manager=meshproof", "--force-conflicts", "-f", "-"], { input: docs });
}

/** The user's kubeconfig: $KUBECONFIG's first file, else ~/.kube/config (what kubectl and client-node read). */
export function userKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = env.KUBECONFIG?.split(":").find((p) => p);
  return first ?? join(env.HOME || homedir(), ".kube", "config");
}

function kubectlBin(): string {
  try {
    return requireBinaries().kubectl;
  } catch {
    return onPath("kubectl") ?? "kubectl";
  }
}

/** Add (or refresh) the cluster's context in the user's kubeconfig, as kind does. */
async function mergeContext(layout: HostLayout, context: string): Promise<void> {
  const kubectl = kubectlBin();
  const file = userKubeconfigPath();
  await mkdir(join(file, ".."), { recursive: true });
  const k = [kubectl, "--kubeconfig", file, "config"];
  await sh([...k, "set-cluster", context, `--server=${API_SERVER_URL}`, `--certificate-authority=${join(layout.pki, "ca.crt")}`, "--embed-certs=true"]);
  await sh([...k, "set-credentials", context, `--client-certificate=${join(layout.pki, "admin.crt")}`, `--client-key=${join(layout.pki, "admin.key")}`, "--embed-certs=true"]);
  await sh([...k, "set-context", context, `--cluster=${context}`, `--user=${context}`]);
}

async function removeContext(context: string): Promise<void> {
  const file = userKubeconfigPath();
  if (!existsSync(file)) return;
  const k = [kubectlBin(), "--kubeconfig", file, "config"];
  for (const what of ["delete-context", "delete-cluster", "delete-user"]) await sh([...k, what, context], { allowFailure: true });
}

export interface DownResult {
  stopped: string[];
  problems: string[];
  seconds: number;
}

/** Stop the cluster and remove everything it made. Safe to run on a half-started or absent cluster. */
export async function down(opts: { name: string; log?: (line: string) => void }): Promise<DownResult> {
  return oneAtATime(opts.name, "stopping a host cluster", opts.log ?? (() => undefined), () => downUnlocked(opts));
}

async function downUnlocked(opts: { name: string; log?: (line: string) => void }): Promise<DownResult> {
  const started = performance.now();
  const log = opts.log ?? (() => undefined);
  requireRootOnLinux();
  const { layout, list } = daemonsOf(opts.name, binariesForStop());
  const stopped: string[] = [];
  const problems: string[] = [];
  const byName = new Map(list.map((d) => [d.name, d]));
  const stop = async (name: string) => {
    const d = byName.get(name);
    const t0 = performance.now();
    if (d && (await stopDaemon(layout, d))) {
      stopped.push(name);
      log(`stopped ${name} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  };
  // The node first, so nothing restarts the containers being removed.
  for (const name of ["coredns", "kube-proxy", "kubelet"]) await stop(name);
  await killContainers(layout, problems);
  await stop("containerd");
  for (const name of ["kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"]) await stop(name);
  // Whatever is left that names the state folder: shims, a daemon whose pid file was lost.
  for (const pid of processesNaming(layout.root + "/")) {
    log(`stopping leftover process ${pid}: ${commandOf(pid)}`);
    await stopPid(pid, 5000);
  }
  const mountsLeft = await unmountAll(layout.root);
  if (mountsLeft.length > 0) problems.push(`could not unmount: ${mountsLeft.join(", ")}`);
  await removeLinks().catch((e: Error) => problems.push(e.message));
  problems.push(...(await removeChains()));
  await sh(["conntrack", "-D", "-s", NETWORK.podCidr], { allowFailure: true });
  await restoreSysctls(layout);
  await removeKubeletStrays(layout);
  problems.push(...(await removePodCgroups()));
  await removeContext(contextName(opts.name));
  if (mountsLeft.length === 0) await rm(layout.root, { recursive: true, force: true });
  problems.push(...(await leftovers(opts.name)));
  return { stopped, problems, seconds: (performance.now() - started) / 1000 };
}

/** What a stopped cluster must not leave: processes, mounts, network devices, iptables chains, state. Empty when clean. */
export async function leftovers(name: string): Promise<string[]> {
  const layout = hostLayout(name);
  const found: string[] = [];
  const pids = processesNaming(layout.root + "/");
  if (pids.length > 0) found.push(`processes ${pids.join(", ")}`);
  const inPods = podProcesses();
  if (inPods.length > 0) found.push(`pod processes ${inPods.join(", ")}`);
  const mounts = [...mountsUnder(layout.root), ...mountsUnder(KUBELET_DEFAULT_ROOT)];
  if (mounts.length > 0) found.push(`mounts ${mounts.join(", ")}`);
  const cgroups = podCgroups();
  if (cgroups.length > 0) found.push(`pod cgroups ${cgroups.join(", ")}`);
  for (const link of [NETWORK.nodeBridge, NETWORK.podBridge]) {
    if ((await sh(["ip", "link", "show", "dev", link], { allowFailure: true })).code === 0) found.push(`network device ${link}`);
  }
  for (const family of ["iptables-save", "ip6tables-save"]) {
    const save = await sh([family], { allowFailure: true });
    const chains = save.stdout.split("\n").filter((l) => l.startsWith(":") && OWNED_CHAIN.test(l.slice(1))).map((l) => l.slice(1).split(" ")[0]);
    if (chains.length > 0) found.push(`${family.replace("-save", "")} chains ${chains.join(", ")}`);
  }
  if (existsSync(layout.root)) found.push(`state folder ${layout.root}`);
  return found;
}

/** Where the kubelet puts some things whatever its --root-dir says (see KUBELET_STRAYS). */
const KUBELET_DEFAULT_ROOT = "/var/lib/kubelet";
const CGROUP_ROOT = "/sys/fs/cgroup";

/** Pids of processes in the kubelet's pod cgroups (cgroupfs driver: /kubepods/...): the pods' own. */
function podProcesses(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (/\/kubepods(\/|$)/m.test(readFileSync(`/proc/${pid}/cgroup`, "utf8"))) found.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The kubelet's pod cgroup trees, one per controller (cgroup v1) or one (v2). */
function podCgroups(): string[] {
  let controllers: string[];
  try {
    controllers = existsSync(join(CGROUP_ROOT, "cgroup.controllers")) ? [""] : readdirSync(CGROUP_ROOT);
  } catch {
    return [];
  }
  // cpu and cpuacct are often one hierarchy reached through two links: count it once.
  return [...new Set(controllers.map((c) => join(CGROUP_ROOT, c, "kubepods")).filter((dir) => existsSync(dir)).map((dir) => realpathSync(dir)))];
}

/** Remove the pod cgroups the kubelet leaves (empty once the pods are gone), deepest first. */
async function removePodCgroups(): Promise<string[]> {
  const problems: string[] = [];
  const remove = async (dir: string): Promise<void> => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) await remove(join(dir, entry.name));
    // A cgroup's files are the kernel's: rmdir (not rm -r) removes an empty cgroup with them.
    await rmdir(dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "ENOENT") problems.push(`cgroup ${dir}: ${e.message}`);
    });
  };
  for (const dir of podCgroups()) await remove(dir).catch((e: Error) => problems.push(`cgroup ${dir}: ${e.message}`));
  return problems;
}

/** Kill and delete every container runc knows under the cluster's runc root (namespaces are subfolders). */
async function killContainers(layout: HostLayout, problems: string[]): Promise<void> {
  if (!existsSync(layout.runcRoot)) return;
  const runc = onPath("runc") ?? "runc";
  for (const ns of readdirSync(layout.runcRoot)) {
    const root = join(layout.runcRoot, ns);
    const list = await sh([runc, "--root", root, "list", "-q"], { allowFailure: true });
    for (const id of list.stdout.split("\n").map((s) => s.trim()).filter(Boolean)) {
      const r = await sh([runc, "--root", root, "delete", "--force", id], { allowFailure: true });
      if (r.code !== 0) problems.push(`runc delete ${id}: ${r.stderr.trim()}`);
    }
  }
}

/** The kubelet's writes outside its root: device-plugin sockets and the /var/log/containers links. */
async function removeKubeletStrays(layout: HostLayout): Promise<void> {
  await rm(KUBELET_STRAYS.devicePlugins, { recursive: true, force: true });
  try {
    if (readdirSync("/var/lib/kubelet").length === 0) await rm("/var/lib/kubelet", { recursive: true });
  } catch {
    // not there
  }
  try {
    for (const entry of readdirSync(KUBELET_STRAYS.containerLogs)) {
      const path = join(KUBELET_STRAYS.containerLogs, entry);
      let target = "";
      try {
        target = readlinkSync(path);
      } catch {
        continue;
      }
      if (target.startsWith(layout.podLogs + "/") || target.startsWith(layout.root + "/")) await rm(path, { force: true });
    }
    if (readdirSync(KUBELET_STRAYS.containerLogs).length === 0) await rm(KUBELET_STRAYS.containerLogs, { recursive: true });
  } catch {
    // not there
  }
}

export interface Status {
  name: string;
  context: string;
  stateDir: string;
  daemons: { name: string; pid?: number; ready: boolean; rssMiB?: number; log: string }[];
  guardDrops: number | undefined;
  totalRssMiB: number;
}

export async function status(name: string): Promise<Status> {
  const { layout, list } = daemonsOf(name, binariesForStop());
  const rows = await Promise.all(
    list.map(async (d) => {
      const pid = runningPid(layout, d);
      const rss = pid !== undefined ? await rssMiB(pid) : undefined;
      return { name: d.name, ...(pid !== undefined ? { pid } : {}), ready: pid !== undefined && (await probe(d)) === true, ...(rss !== undefined ? { rssMiB: rss } : {}), log: logFile(layout, d.name) };
    }),
  );
  return {
    name,
    context: contextName(name),
    stateDir: layout.root,
    daemons: rows,
    guardDrops: await guardDrops(),
    totalRssMiB: Math.round(rows.reduce((a, r) => a + (r.rssMiB ?? 0), 0)),
  };
}

async function rssMiB(pid: number): Promise<number | undefined> {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").slice(0, 160);
  } catch {
    return "(gone)";
  }
}
