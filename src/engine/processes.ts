/**
 * Long-running local processes (llm-sim, Prometheus) for the `local` cluster, as the executor
 * sees them: output in a log file in the run folder (evidence), readiness an HTTP 2xx within a
 * named timeout, stop SIGTERM then SIGKILL (src/core/process.ts does all three).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { startServer } from "../core/process.js";

/** The files a process step carries (Prometheus's config), written when the step runs, never while planning. */
export async function writeStepFiles(files: readonly { path: string; content: string }[] = []): Promise<void> {
  for (const file of files) {
    await mkdir(path.dirname(file.path), { recursive: true });
    await writeFile(file.path, file.content);
  }
}

export interface StartedProcess {
  pid: number;
  logFile: string;
  stop(): Promise<void>;
}

export interface ProcessLauncher {
  start(opts: { role: string; argv: string[]; env?: Record<string, string>; readyUrl: string; timeoutMs: number; logDir: string; signal?: AbortSignal }): Promise<StartedProcess>;
}

export const childProcessLauncher: ProcessLauncher = {
  async start(opts) {
    const logFile = path.join(opts.logDir, `${opts.role}.log`);
    const server = await startServer({
      what: opts.role,
      argv: opts.argv,
      readyUrl: opts.readyUrl,
      timeoutMs: opts.timeoutMs,
      logFile,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { pid: server.pid, logFile, stop: () => server.stop() };
  },
};
