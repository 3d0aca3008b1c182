/**
 * A containerd of a test's own: socket, root, state and opt folders under one temp folder, the
 * CRI plugin off (no kubelet here), stopped and removed by stop(). It never touches the host's
 * /run/containerd/containerd.sock nor the host cluster's containerd. (containerd 1.6 still puts
 * each shim's socket in /run/containerd/s/, named by a hash that includes our socket's path.)
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const exec = promisify(execFile);
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface PrivateContainerd {
  address: string;
  dir: string;
  /** For `ctr run`: runc's state and the IO FIFOs in this folder too, not under /run/containerd. */
  runFlags: string[];
  /** For `ctr task exec`: the FIFOs here. */
  execFlags: string[];
  /** Run ctr against this containerd in the k8s.io namespace; rejects on a non-zero exit. */
  ctr(args: string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  /** Remove the tasks and containers left, stop containerd, unmount and delete its folders. */
  stop(): Promise<void>;
  log(): string;
}

export async function startPrivateContainerd(): Promise<PrivateContainerd> {
  const dir = mkdtempSync(join(tmpdir(), "meshproof-ctd-"));
  const address = join(dir, "containerd.sock");
  const config = join(dir, "config.toml");
  writeFileSync(
    config,
    [
      "version = 2",
      `root = "${join(dir, "root")}"`,
      `state = "${join(dir, "state")}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      "[grpc]",
      `  address = "${address}"`,
      "[ttrpc]",
      `  address = "${address}.ttrpc"`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${join(dir, "opt")}"`,
      "",
    ].join("\n"),
  );
  const logPath = join(dir, "containerd.log");
  const logFd = openSync(logPath, "a");
  const child: ChildProcess = spawn("containerd", ["--config", config], { stdio: ["ignore", logFd, logFd] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const log = () => {
    try {
      return readFileSync(logPath, "utf8");
    } catch {
      return "";
    }
  };

  const ctr = async (args: string[], timeoutMs = 120_000) => exec("ctr", ["--address", address, "-n", "k8s.io", ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });

  const stop = async () => {
    try {
      const { stdout } = await ctr(["task", "ls", "-q"], 20_000);
      for (const id of stdout.split("\n").map((s) => s.trim()).filter(Boolean)) {
        await ctr(["task", "kill", "-s", "SIGKILL", id], 20_000).catch(() => undefined);
        await ctr(["task", "delete", "-f", id], 20_000).catch(() => undefined);
      }
      const containers = await ctr(["containers", "ls", "-q"], 20_000);
      for (const id of containers.stdout.split("\n").map((s) => s.trim()).filter(Boolean)) {
        await ctr(["containers", "delete", id], 20_000).catch(() => undefined);
      }
    } catch {
      // containerd already gone: nothing to ask it
    }
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    // Snapshot mounts left by a task that died with the test: lazily unmounted, deepest first.
    const mounts = readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[1] ?? "")
      .filter((path) => path.startsWith(dir))
      .sort((a, b) => b.length - a.length);
    for (const path of mounts) await exec("umount", ["-l", path]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      await ctr(["version"], 10_000);
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        const why = child.exitCode !== null ? `exited with ${child.exitCode}` : `not answering after ${START_TIMEOUT_MS / 1000} s`;
        await stop();
        throw new Error(`private containerd ${why}: ${String(error)}\n${log().slice(-2000)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const fifo = ["--fifo-dir", join(dir, "fifo")];
  return { address, dir, runFlags: [...fifo, "--runc-root", join(dir, "runc")], execFlags: fifo, ctr, stop, log };
}
