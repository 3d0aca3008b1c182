/**
 * How the host cluster tells that a daemon is running: its pid file names a live process of
 * the same program run on this cluster's state, wherever that program's build lives.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Daemon } from "../../src/cluster/host/config.js";
import { pidFile, runningPid } from "../../src/cluster/host/daemons.js";
import { hostLayout } from "../../src/cluster/host/settings.js";
import { pollUntil } from "../../src/core/timeouts.js";

const scratch = mkdtempSync(join(tmpdir(), "meshproof-daemons-"));
const layout = hostLayout("unit", { HOME: join(scratch, "home") } as NodeJS.ProcessEnv);
const corefileArg = join(layout.config, "Corefile");
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  rmSync(scratch, { recursive: true, force: true });
});

/** An idle process whose command line reads `<program> ... <args>`, its pid in the pid file of `name`. */
async function fakeDaemon(name: string, program: string, args: string[]): Promise<void> {
  // tail -f keeps following /dev/null whatever the other operands are (after --, even "-conf"
  // is a file name, and a missing file is only reported).
  const child = spawn("tail", ["-f", "/dev/null", "--", ...args], { argv0: program, stdio: "ignore" });
  children.push(child);
  // Until the child has exec'd: before that, /proc shows the parent's command line.
  await pollUntil(async () => readFileSync(`/proc/${child.pid}/cmdline`, "utf8").startsWith(`${program}\0`) || "not exec'd yet", { what: "the fake daemon", timeoutMs: 10_000, intervalMs: 20 });
  mkdirSync(layout.pids, { recursive: true });
  writeFileSync(pidFile(layout, name), `${child.pid}\n`);
}

const coredns = (path: string): Daemon => ({ name: "coredns", argv: [path, "-conf", corefileArg], ready: { url: "http://127.0.0.1:1/ready" } });

describe.skipIf(process.platform !== "linux")("a running daemon", () => {
  it("is the same program on this cluster's state, even when it was built into another folder", async () => {
    await fakeDaemon("coredns", "/cache/coredns-v1.15.0/coredns", ["-conf", corefileArg]);
    expect(runningPid(layout, coredns("/cache/coredns-v1.15.0/coredns"))).toBe(children.at(-1)?.pid);
    expect(runningPid(layout, coredns("/cache/coredns-v1.15.0-eae70826626f/coredns"))).toBe(children.at(-1)?.pid);
  });

  it("is not another program, nor the same program on another cluster's state", async () => {
    await fakeDaemon("coredns", "/cache/kubernetes-v1.34.4/kubelet", ["-conf", corefileArg]);
    expect(runningPid(layout, coredns("/cache/coredns-v1.15.0/coredns"))).toBeUndefined();
    await fakeDaemon("coredns", "/cache/coredns-v1.15.0/coredns", ["-conf", "/elsewhere/Corefile"]);
    expect(runningPid(layout, coredns("/cache/coredns-v1.15.0/coredns"))).toBeUndefined();
  });
});
