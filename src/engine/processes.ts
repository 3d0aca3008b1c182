/**
 * Long-running local processes (llm-sim, Prometheus) for the `local` cluster. Output goes to a
 * log file in the run folder (evidence); readiness is an HTTP 2xx within a named timeout; stop
 * is SIGTERM, then SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import { pollUntil } from "./timeouts.js";

export interface StartedProcess {
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export interface ProcessLauncher {
  start(opts: { role: string; argv: string[]; env?: Record<string, string>; readyUrl: string; timeoutMs: number; logDir: string; signal?: AbortSignal }): Promise<StartedProcess>;
}

const STOP_GRACE_MS = 5000;

export const childProcessLauncher: ProcessLauncher = {
  async start(opts) {
    const [bin, ...args] = opts.argv;
    if (!bin) throw new Error(`no command for process ${opts.role}`);
    await mkdir(opts.logDir, { recursive: true });
    const logFile = path.join(opts.logDir, `${opts.role}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(bin, args, { env: { ...process.env, ...opts.env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    // The child dying before it is ready ends the wait at once, with its log's location.
    const died = new AbortController();
    const failure = () => new Error(`${opts.role} stopped before it was ready (see ${logFile})`);
    child.once("exit", () => died.abort(failure()));
    child.once("error", (err) => died.abort(err));
    const signal = opts.signal ? AbortSignal.any([opts.signal, died.signal]) : died.signal;
    const stop = () => stopChild(child, () => log.end());
    try {
      await pollUntil(
        async () => {
          const res = await fetch(opts.readyUrl, { signal: AbortSignal.timeout(2000) });
          return res.ok || `HTTP ${res.status}`;
        },
        { what: `${opts.role} to answer ${opts.readyUrl}`, timeoutMs: opts.timeoutMs, intervalMs: 200, signal },
      );
    } catch (err) {
      await stop();
      throw died.signal.aborted ? died.signal.reason : err;
    }
    return { pid: child.pid ?? -1, logFile, stop };
  },
};

async function stopChild(child: ChildProcess, after: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    after();
    return;
  }
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
  after();
}
