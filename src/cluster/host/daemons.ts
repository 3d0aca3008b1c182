/**
 * The cluster's daemons run detached from meshproof (a kept or shared cluster outlives the run
 * that started it). Each has a pid file and a log in the state folder; every process whose
 * command line names the state folder is the cluster's, which is how a stop finds what a
 * crashed or interrupted start left without a pid file.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import https from "node:https";
import http from "node:http";
import { connect } from "node:net";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startDaemon } from "../../core/process.js";
import { pollUntil } from "../../core/timeouts.js";
import type { Daemon } from "./config.js";
import type { HostLayout } from "./settings.js";

export function pidFile(layout: HostLayout, name: string): string {
  return join(layout.pids, `${name}.pid`);
}

export function logFile(layout: HostLayout, name: string): string {
  return join(layout.logs, `${name}.log`);
}

function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return undefined;
  }
}

/**
 * The daemon's pid when its pid file names a live process that is still that daemon: the same
 * program, by file name, run on this cluster's state. By file name, not path: a cluster started
 * by an older checkout runs its CoreDNS from another cache folder, and taking that one for
 * stopped would start a second CoreDNS that cannot bind the DNS address while the first one
 * still answers the readiness probe. A new build takes over at the cluster's next start.
 */
export function runningPid(layout: HostLayout, daemon: Daemon): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile(layout, daemon.name), "utf8").trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const cmd = cmdlineOf(pid);
  const program = cmd?.split(" ")[0];
  return program && daemon.argv[0] && basename(program) === basename(daemon.argv[0]) && cmd.includes(layout.root) ? pid : undefined;
}

export async function startClusterDaemon(layout: HostLayout, daemon: Daemon): Promise<number> {
  await mkdir(layout.logs, { recursive: true });
  await mkdir(layout.pids, { recursive: true });
  // Detached, in its own session: a Ctrl-C aimed at meshproof does not reach it; stop() ends it.
  const pid = startDaemon(daemon.argv, { logFile: logFile(layout, daemon.name), ...(daemon.env ? { env: daemon.env } : {}) });
  await writeFile(pidFile(layout, daemon.name), `${pid}\n`);
  return pid;
}

/** Running, and not a zombie waiting for its (re)parent to reap it: a daemon outlives the `up` that started it. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; waits until the process is gone. */
export async function stopPid(pid: number, graceMs: number): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = performance.now() + graceMs;
  while (alive(pid) && performance.now() < deadline) await sleep(100);
  if (alive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      return;
    }
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
  }
}

export async function stopDaemon(layout: HostLayout, daemon: Daemon, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(layout, daemon);
  if (pid !== undefined) await stopPid(pid, graceMs);
  await rm(pidFile(layout, daemon.name), { force: true });
  return pid !== undefined;
}

/** Pids of every process whose command line names the state folder (the cluster's own, by construction). */
export function processesNaming(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmd = cmdlineOf(pid);
    if (cmd?.includes(marker)) found.push(pid);
  }
  return found;
}

/** One readiness probe: true, or what is wrong. */
export async function probe(daemon: Daemon): Promise<true | string> {
  const ready = daemon.ready;
  if ("socket" in ready) {
    if (!existsSync(ready.socket)) return "no socket yet";
    return new Promise((resolve) => {
      const sock = connect(ready.socket);
      sock.once("connect", () => (sock.destroy(), resolve(true)));
      sock.once("error", (e) => resolve(e.message));
    });
  }
  const url = new URL(ready.url);
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    // Health endpoints of daemons this process just configured, on loopback or the node IP:
    // their self-signed certificates are not worth verifying here.
    const req = lib.get(url, { timeout: 3000, ...(url.protocol === "https:" ? { rejectUnauthorized: false } : {}) }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || `HTTP ${res.statusCode}`);
    });
    req.once("timeout", () => req.destroy(new Error("no answer in 3 s")));
    req.once("error", (e) => resolve(e.message));
  });
}

/** A daemon that exited before it served. */
export class DaemonExited extends Error {}

/** Polls in a row that must miss a daemon's process before its start is called failed. */
const EXIT_MISSES = 3;

/** Wait for a daemon to serve; a daemon that exits meanwhile fails at once with its log's tail. */
export async function waitReady(layout: HostLayout, daemon: Daemon, timeoutMs: number): Promise<void> {
  const died = new AbortController();
  // One look that finds no process under the daemon's pid file is not yet an exit (CI once saw
  // kube-proxy "exit" at start with an empty log, the cause unknown); several misses in a row are.
  let misses = 0;
  try {
    await pollUntil(
      async () => {
        misses = runningPid(layout, daemon) === undefined ? misses + 1 : 0;
        if (misses >= EXIT_MISSES) {
          died.abort(new DaemonExited(`${daemon.name} exited during start; ${logFile(layout, daemon.name)} ends with:\n${await logTail(layout, daemon.name)}`));
          return "exited";
        }
        return probe(daemon);
      },
      { what: `${daemon.name} to serve`, timeoutMs, intervalMs: 250, signal: died.signal },
    );
  } catch (err) {
    if (died.signal.aborted) throw died.signal.reason;
    throw new Error(`${(err as Error).message}\n--- ${logFile(layout, daemon.name)} (last lines) ---\n${await logTail(layout, daemon.name)}`);
  }
}

export async function logTail(layout: HostLayout, name: string, lines = 12): Promise<string> {
  try {
    return (await readFile(logFile(layout, name), "utf8")).trim().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}
