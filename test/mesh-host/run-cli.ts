/**
 * Runs meshproof's CLI as a user would (a child process from the repository root), for the
 * tests that judge real meshes on the host cluster. Progress goes to the test's stderr as it
 * happens, so a long run shows where it is; the final JSON summary (--json) and the run's
 * results.json come back parsed.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last JSON line on stdout (the run's summary), when --json was given. */
  summary?: { runId?: string; runDir?: string; summary?: Record<string, unknown> } & Record<string, unknown>;
  /** The run's results.json, when the run wrote one. */
  results?: Record<string, unknown> & { verdicts?: unknown[] };
}

export interface CliRunOptions {
  timeoutMs: number;
  label?: string;
  env?: Record<string, string>;
  /** Interrupt the run (SIGINT, as Ctrl-C does) at the first stdout line this matches... */
  interruptWhen?: (line: string) => boolean;
  /** ...once this has finished (its error, if any, is thrown after the run exits). */
  beforeInterrupt?: () => Promise<void>;
  /** Also copy stdout to the test's stderr (--json progress lines), as stderr always is. */
  showStdout?: boolean;
}

export async function runCli(args: string[], opts: CliRunOptions): Promise<CliRun> {
  const label = opts.label ?? args.slice(0, 2).join(" ");
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, CI: "true", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let pending = "";
  let interrupting: Promise<unknown> | undefined;
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
    if (opts.showStdout) process.stderr.write(c.toString().replace(/^(?=.)/gm, `[${label}] `));
    if (!opts.interruptWhen || interrupting) return;
    const lines = (pending + c.toString()).split("\n");
    pending = lines.pop() ?? "";
    if (lines.some((l) => opts.interruptWhen!(l))) {
      interrupting = (async () => {
        try {
          await opts.beforeInterrupt?.();
        } finally {
          child.kill("SIGINT");
        }
      })();
      interrupting.catch(() => undefined);
    }
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
    process.stderr.write(c.toString().replace(/^(?=.)/gm, `[${label}] `));
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // A run past its budget is interrupted like a user would (SIGINT cleans up), then killed.
  const timer = setTimeout(() => {
    child.kill("SIGINT");
    setTimeout(() => child.kill("SIGKILL"), 120_000).unref();
  }, opts.timeoutMs);
  const code = await exited.finally(() => clearTimeout(timer));
  await interrupting;
  const lastJson = stdout.trim().split("\n").reverse().find((l) => l.startsWith("{"));
  const summary = lastJson ? (JSON.parse(lastJson) as CliRun["summary"]) : undefined;
  const resultsFile = summary?.runDir ? path.join(summary.runDir, "results.json") : undefined;
  const results = resultsFile && existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, "utf8")) as CliRun["results"]) : undefined;
  return { code, stdout, stderr, ...(summary ? { summary } : {}), ...(results ? { results } : {}) };
}
