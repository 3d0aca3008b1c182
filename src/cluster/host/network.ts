/**
 * The host-side network of the cluster: the node's address, the forwarding sysctls, the egress
 * guard, and the teardown of everything the cluster's components leave in the kernel (bridges,
 * veths, iptables chains, mounts).
 *
 * Egress guard: with `ipMasq: false` the host forwards whatever a pod sends to a foreign
 * address, with the pod's address as source. Tests here may only send traffic to loopback and
 * to networks they create, so before the first pod exists, every forwarded packet that comes
 * from the pod network (by source address, and by the pod bridge as input, which also catches
 * a forged source) is dropped unless it goes to the cluster's own networks. It sits in the
 * mangle table's FORWARD chain, which runs before the filter table where kube-proxy and the
 * kubelet put their own accepting rules.
 */
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { CommandError, run } from "../../core/process.js";
import { EGRESS_CHAIN, NETWORK, type HostLayout } from "./settings.js";

/** Network commands are quick; a minute covers an iptables lock held by kube-proxy on a busy machine. */
const NETWORK_COMMAND_TIMEOUT_MS = 60_000;

export async function sh(argv: readonly string[], opts: { input?: string; allowFailure?: boolean } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await run(argv, { timeoutMs: NETWORK_COMMAND_TIMEOUT_MS, ...(opts.input !== undefined ? { input: opts.input } : {}) });
  if (result.exitCode !== 0 && !opts.allowFailure) throw new CommandError(result, "changing the host network");
  return { code: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}

/** Rules of the guard, as iptables argv tails (exported: the tests and the dry-run read them). */
export function guardRules(): { chain: string[][]; jumps: string[][] } {
  const allowed = [NETWORK.podCidr, NETWORK.serviceCidr, `${NETWORK.nodeIp}/32`];
  return {
    chain: [
      ...allowed.map((net) => ["-d", net, "-j", "RETURN"]),
      ["-m", "comment", "--comment", "meshproof egress guard: pods may not leave the machine", "-j", "DROP"],
    ],
    jumps: [
      ["-s", NETWORK.podCidr, "-j", EGRESS_CHAIN],
      ["-i", NETWORK.podBridge, "-j", EGRESS_CHAIN],
    ],
  };
}

export async function installEgressGuard(): Promise<void> {
  const ipt = ["iptables", "-w", "-t", "mangle"];
  if ((await sh([...ipt, "-L", EGRESS_CHAIN, "-n"], { allowFailure: true })).code !== 0) await sh([...ipt, "-N", EGRESS_CHAIN]);
  await sh([...ipt, "-F", EGRESS_CHAIN]);
  const { chain, jumps } = guardRules();
  for (const rule of chain) await sh([...ipt, "-A", EGRESS_CHAIN, ...rule]);
  for (const rule of jumps) {
    if ((await sh([...ipt, "-C", "FORWARD", ...rule], { allowFailure: true })).code !== 0) await sh([...ipt, "-I", "FORWARD", "1", ...rule]);
  }
}

/** Packets the guard dropped so far (undefined when the guard is not installed). */
export async function guardDrops(): Promise<number | undefined> {
  const out = await sh(["iptables", "-w", "-t", "mangle", "-L", EGRESS_CHAIN, "-n", "-v", "-x"], { allowFailure: true });
  if (out.code !== 0) return undefined;
  const line = out.stdout.split("\n").find((l) => /\bDROP\b/.test(l));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

/** The guard is in place: its chain ends in DROP and FORWARD jumps to it for both matches. */
export async function guardInstalled(): Promise<boolean> {
  const ipt = ["iptables", "-w", "-t", "mangle"];
  for (const rule of guardRules().jumps) if ((await sh([...ipt, "-C", "FORWARD", ...rule], { allowFailure: true })).code !== 0) return false;
  return (await guardDrops()) !== undefined;
}

async function linkExists(name: string): Promise<boolean> {
  return (await sh(["ip", "link", "show", "dev", name], { allowFailure: true })).code === 0;
}

/** The node's address, alone on a bridge without ports. */
export async function ensureNodeAddress(): Promise<void> {
  if (!(await linkExists(NETWORK.nodeBridge))) await sh(["ip", "link", "add", NETWORK.nodeBridge, "type", "bridge"]);
  const addrs = await sh(["ip", "-4", "addr", "show", "dev", NETWORK.nodeBridge]);
  if (!addrs.stdout.includes(`${NETWORK.nodeIp}/32`)) await sh(["ip", "addr", "add", `${NETWORK.nodeIp}/32`, "dev", NETWORK.nodeBridge]);
  await sh(["ip", "link", "set", NETWORK.nodeBridge, "up"]);
}

const SYSCTLS = {
  "net/ipv4/ip_forward": "1",
  // Service traffic between pods on the one bridge must meet kube-proxy's rules.
  "net/bridge/bridge-nf-call-iptables": "1",
} as const;

/** Set the sysctls the node needs, remembering the old values for teardown (the first time only). */
export async function setSysctls(layout: HostLayout): Promise<void> {
  let saved: Record<string, string> = {};
  try {
    saved = JSON.parse(await readFile(layout.hostChanges, "utf8")) as Record<string, string>;
  } catch {
    for (const key of Object.keys(SYSCTLS)) {
      try {
        saved[key] = readFileSync(`/proc/sys/${key}`, "utf8").trim();
      } catch {
        // absent on this kernel: nothing to restore
      }
    }
    await writeFile(layout.hostChanges, JSON.stringify(saved, null, 2));
  }
  for (const [key, value] of Object.entries(SYSCTLS)) {
    try {
      await writeFile(`/proc/sys/${key}`, value);
    } catch (err) {
      if (key === "net/ipv4/ip_forward") throw err;
    }
  }
}

export async function restoreSysctls(layout: HostLayout): Promise<void> {
  let saved: Record<string, string>;
  try {
    saved = JSON.parse(await readFile(layout.hostChanges, "utf8")) as Record<string, string>;
  } catch {
    return;
  }
  for (const [key, value] of Object.entries(saved)) await writeFile(`/proc/sys/${key}`, value).catch(() => undefined);
}

/** Chains the cluster's components create: kube-proxy's and the kubelet's, CNI portmap's, the guard. */
export const OWNED_CHAIN = /^(KUBE-|CNI-|MESHPROOF-)/;
const BUILTIN = new Set(["INPUT", "OUTPUT", "FORWARD", "PREROUTING", "POSTROUTING"]);

/**
 * An iptables-restore script (--noflush) that removes every jump into an owned chain from the
 * built-in chains, then flushes and deletes the owned chains. Pure: `save` is iptables-save's output.
 */
export function removalScript(save: string): string {
  const out: string[] = [];
  let table: string | undefined;
  let deletes: string[] = [];
  let chains: string[] = [];
  const flush = () => {
    if (table && (deletes.length > 0 || chains.length > 0)) {
      out.push(`*${table}`, ...deletes, ...chains.map((c) => `-F ${c}`), ...chains.map((c) => `-X ${c}`), "COMMIT");
    }
    deletes = [];
    chains = [];
  };
  for (const line of save.split("\n")) {
    if (line.startsWith("*")) {
      flush();
      table = line.slice(1).trim();
    } else if (line.startsWith(":")) {
      const name = line.slice(1).split(" ")[0] ?? "";
      if (OWNED_CHAIN.test(name)) chains.push(name);
    } else if (line.startsWith("-A ")) {
      const [, chain] = line.split(" ");
      const target = /\s-[jg] (\S+)/.exec(line)?.[1] ?? "";
      if (chain && BUILTIN.has(chain) && OWNED_CHAIN.test(target)) deletes.push(`-D ${line.slice(3)}`);
    } else if (line.startsWith("COMMIT")) {
      flush();
      table = undefined;
    }
  }
  flush();
  return out.length > 0 ? out.join("\n") + "\n" : "";
}

/** Remove the owned chains from iptables and ip6tables; returns what was left that could not go. */
export async function removeChains(): Promise<string[]> {
  const problems: string[] = [];
  for (const family of ["iptables", "ip6tables"]) {
    const save = await sh([`${family}-save`], { allowFailure: true });
    if (save.code !== 0) continue;
    const script = removalScript(save.stdout);
    if (!script) continue;
    const restored = await sh([`${family}-restore`, "-w", "--noflush"], { input: script, allowFailure: true });
    if (restored.code !== 0) problems.push(`${family}-restore: ${restored.stderr.trim()}`);
  }
  return problems;
}

/** Delete the pod bridge's veths, the pod bridge and the node bridge. */
export async function removeLinks(): Promise<void> {
  const ports = await sh(["ip", "-o", "link", "show", "master", NETWORK.podBridge], { allowFailure: true });
  for (const line of ports.stdout.split("\n")) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1];
    if (name) await sh(["ip", "link", "del", name], { allowFailure: true });
  }
  for (const link of [NETWORK.podBridge, NETWORK.nodeBridge]) {
    if (await linkExists(link)) await sh(["ip", "link", "del", link]);
  }
}

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(dir: string, mountinfo = readFileSync("/proc/self/mountinfo", "utf8")): string[] {
  const points = mountinfo
    .split("\n")
    .map((l) => l.split(" ")[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

export async function unmountAll(dir: string): Promise<string[]> {
  const left: string[] = [];
  // A path can be mounted several times over (the kubelet's bind mount of its root on itself).
  for (let round = 0; round < 5; round++) {
    const points = mountsUnder(dir);
    if (points.length === 0) return [];
    for (const p of points) {
      const r = await sh(["umount", p], { allowFailure: true });
      if (r.code !== 0) await sh(["umount", "-l", p], { allowFailure: true });
    }
  }
  left.push(...mountsUnder(dir));
  return left;
}
