/**
 * The one place meshproof starts processes. Three shapes cover every use:
 * - `run`: a command to its end, with a limit, an abort signal, input, streamed lines and
 *   stdout optionally into a file; it settles only once the process is gone.
 * - `startServer`: a long-running local server (llm-sim, Prometheus, the Pushgateway) waited
 *   on until its readiness URL answers, and stopped with SIGTERM then SIGKILL.
 * - `startDaemon`: a detached process that outlives meshproof (the host cluster's daemons).
 * A program that cannot be found is an environment problem (exit 4) naming what to install;
 * `CommandError` carries the argv, the step, what the exit code means and the stderr tail.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, createWriteStream, openSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EXIT } from "../analysis/verdict.js";
import { EnvironmentError, MeshproofError, formatMs } from "./errors.js";
import { installHintFor } from "./tools.js";

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Written to the process's stdin, which is then closed. */
  input?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Every non-empty line either stream prints, as it comes. */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Standard output goes to this file instead of memory (as a shell's `> file`). */
  stdoutFile?: string;
  /**
   * How a timeout or an abort asks the process to stop before SIGKILL: SIGTERM by default,
   * SIGINT for programs that still write their results when interrupted (the load generator).
   */
  stopWith?: NodeJS.Signals;
  /** Between the stop signal and SIGKILL. */
  graceMs?: number;
}

export interface RunResult {
  argv: readonly string[];
  /** The process's exit code; 124 when it ran past its limit (as timeout(1)), 128+n after signal n. */
  exitCode: number;
  signal: NodeJS.Signals | null;
  /** Empty when stdoutFile was given. */
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
}

/** Exit code for a command that ran past its limit, as coreutils' timeout(1) reports it. */
export const EXIT_TIMED_OUT = 124;
const DEFAULT_GRACE_MS = 5_000;
/** Captured output beyond this is dropped from the front: kubectl's JSON can be large, logs can be endless. */
const MAX_CAPTURE_CHARS = 64 << 20;
/** Directories of system tools (iptables, ip, sysctl) that a non-login root shell may lack on PATH. */
const SYSTEM_DIRS = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

function childEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const pathDirs = (process.env.PATH ?? "").split(path.delimiter).filter(Boolean);
  const PATH = [...pathDirs, ...SYSTEM_DIRS.filter((d) => !pathDirs.includes(d))].join(path.delimiter);
  return { ...process.env, PATH, ...extra };
}

/** A program that is not there: exit 4, saying what to install. */
function notFound(argv0: string, argv: readonly string[]): EnvironmentError {
  return new EnvironmentError(`${argv0} is not installed (needed to run: ${argv.join(" ")})`, installHintFor(argv0));
}

function lineSplitter(emit: (line: string) => void) {
  let rest = "";
  return {
    push(chunk: string) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) emit(line);
    },
    flush() {
      if (rest.trim()) emit(rest);
      rest = "";
    },
  };
}

/** Run argv (no shell) to its end; a non-zero exit is a result, not an exception. */
export function run(argv: readonly string[], opts: RunOptions): Promise<RunResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error("empty command");
  opts.signal?.throwIfAborted();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: childEnv(opts.env), stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    // Both output streams are pipes (the stdio above), whatever stdin is.
    const childOut = child.stdout!;
    const childErr = child.stderr!;
    let stdout = "";
    let stderr = "";
    const outLines = lineSplitter((l) => opts.onLine?.(l, "stdout"));
    const errLines = lineSplitter((l) => opts.onLine?.(l, "stderr"));
    childErr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_CAPTURE_CHARS);
      errLines.push(chunk);
    });
    // A file target is flushed (or has failed) before the command counts as finished.
    let stdoutWritten: Promise<Error | undefined> = Promise.resolve(undefined);
    if (opts.stdoutFile) {
      const sink = createWriteStream(opts.stdoutFile);
      childOut.pipe(sink);
      stdoutWritten = new Promise((done) => {
        sink.once("finish", () => done(undefined));
        sink.once("error", (error) => done(error));
      });
    } else {
      childOut.setEncoding("utf8").on("data", (chunk: string) => {
        stdout = (stdout + chunk).slice(-MAX_CAPTURE_CHARS);
        outLines.push(chunk);
      });
    }
    if (opts.input !== undefined) {
      // A process that exits without reading its input must not crash us with EPIPE.
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(opts.input);
    }

    let timedOut = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      child.kill(opts.stopWith ?? "SIGTERM");
      killTimer = setTimeout(() => child.kill("SIGKILL"), opts.graceMs ?? DEFAULT_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener("abort", onAbort);
    };

    child.once("error", (error: NodeJS.ErrnoException) => {
      settle();
      reject(error.code === "ENOENT" ? notFound(file, argv) : new EnvironmentError(`could not start ${file}: ${error.message}`, installHintFor(file)));
    });
    child.once("close", (code, signal) => {
      settle();
      void stdoutWritten.then((writeError) => {
        outLines.flush();
        errLines.flush();
        if (writeError) return reject(new EnvironmentError(`could not write ${opts.stdoutFile}: ${writeError.message}`));
        const exitCode = timedOut ? EXIT_TIMED_OUT : (code ?? 128 + signalNumber(signal));
        if (timedOut) stderr += `${stderr.endsWith("\n") || !stderr ? "" : "\n"}timed out after ${formatMs(opts.timeoutMs)}`;
        resolve({ argv, exitCode, signal, stdout, stderr, durationMs: performance.now() - started, timedOut, aborted });
      });
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 };
  return (signal && numbers[signal]) ?? 1;
}

/** The last lines of a command's output, for messages that show what the tool said. */
export function tail(text: string, lines = 8): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

/** What an exit code means, in the words of the tools meshproof runs. */
export function exitMeaning(result: Pick<RunResult, "exitCode" | "timedOut" | "aborted" | "signal">): string {
  if (result.timedOut) return "timed out";
  if (result.aborted) return "stopped (interrupted)";
  if (result.signal) return `killed by ${result.signal}`;
  if (result.exitCode === 126) return "not executable (exit code 126)";
  return `exit code ${result.exitCode}`;
}

/** A command that failed: its argv, the step it ran for, what its exit code means, and its stderr tail. */
export class CommandError extends MeshproofError {
  constructor(
    readonly result: RunResult,
    /** What the command was for: "building the pause binary", a plan step's name. */
    readonly step: string,
    exitCode: number = EXIT.environment,
  ) {
    const said = tail(result.stderr || result.stdout);
    super(`${step} failed (${exitMeaning(result)}): ${result.argv.join(" ")}${said ? `\n${said}` : ""}`, exitCode);
  }
}

/** Run argv and return its result, or throw a CommandError when it does not exit 0. */
export async function runChecked(argv: readonly string[], opts: RunOptions & { step: string }): Promise<RunResult> {
  const result = await run(argv, opts);
  if (result.exitCode !== 0) throw new CommandError(result, opts.step);
  return result;
}

export interface ServerProcess {
  readonly pid: number;
  /** Last lines the server wrote (stdout and stderr interleaved), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; settles once the process is gone. Safe to call twice. */
  stop(): Promise<void>;
}

/** The server exited, or never answered, before it was ready. */
export class ServerStartError extends Error {
  constructor(
    message: string,
    /** True when the output says the listen address was taken: retry on another port. */
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = "ServerStartError";
  }
}

export interface StartServerOptions {
  /** Human name for messages: "Prometheus". */
  what: string;
  argv: readonly string[];
  readyUrl: string;
  timeoutMs: number;
  cwd?: string;
  env?: Record<string, string>;
  /** Everything the server prints also goes to this file (evidence in the run folder). */
  logFile?: string;
  /** Aborting stops the wait for readiness (and the server). */
  signal?: AbortSignal;
}

/** How much of a server's output an error message quotes. */
const OUTPUT_TAIL_CHARS = 4000;
const READY_POLL_INTERVAL_MS = 100;
/** A single readiness probe may hang on a half-started server; it never blocks the whole wait. */
const READY_PROBE_TIMEOUT_MS = 2_000;

export async function startServer(opts: StartServerOptions): Promise<ServerProcess> {
  const [command, ...args] = opts.argv;
  if (!command) throw new Error(`no command for ${opts.what}`);
  if (opts.logFile) await mkdir(path.dirname(opts.logFile), { recursive: true });
  const child = spawn(command, args, { cwd: opts.cwd, env: childEnv(opts.env), stdio: ["ignore", "pipe", "pipe"] });
  const log = opts.logFile ? createWriteStream(opts.logFile) : undefined;
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
    log?.write(chunk);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
  });
  void exited.then(() => log?.end());

  const server: ServerProcess = { pid: child.pid ?? -1, output: () => output, stop: () => stopChild(child, exited) };
  const stopPolling = new AbortController();
  const pollSignal = opts.signal ? AbortSignal.any([opts.signal, stopPolling.signal]) : stopPolling.signal;
  const ready = await Promise.race([
    waitForHttpOk(opts.readyUrl, opts.timeoutMs, pollSignal).then((ok) => ({ kind: "ready" as const, ok })),
    exited.then((exit) => ({ kind: "exited" as const, exit })),
  ]);
  stopPolling.abort();

  const where = opts.logFile ? ` (log: ${opts.logFile})` : "";
  if (ready.kind === "exited") {
    const { code, signal, error } = ready.exit;
    if (error?.code === "ENOENT") throw notFound(command, opts.argv);
    const how = error ? `could not start (${error.message})` : `exited with ${signal ?? `code ${code}`}`;
    throw new ServerStartError(`${opts.what} ${how} before ${opts.readyUrl} answered${where}.\ncommand: ${opts.argv.join(" ")}\noutput:\n${output || "(none)"}`, /address already in use/i.test(output));
  }
  if (!ready.ok) {
    await server.stop();
    opts.signal?.throwIfAborted();
    throw new ServerStartError(
      `${opts.what} did not answer ${opts.readyUrl} with 2xx within ${formatMs(opts.timeoutMs)} (timeout "${opts.what} ready"); it was stopped${where}.\ncommand: ${opts.argv.join(" ")}\noutput:\n${output || "(none)"}`,
      /address already in use/i.test(output),
    );
  }
  return server;
}

/** Poll until `url` answers 2xx (true), or the deadline passes or the signal fires (false). Refused connections are "not yet". */
async function waitForHttpOk(url: string, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal.aborted) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(READY_PROBE_TIMEOUT_MS) });
      await res.body?.cancel();
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(READY_POLL_INTERVAL_MS, undefined, { signal }).catch(() => undefined);
  }
  return false;
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs = DEFAULT_GRACE_MS): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const grace = new AbortController();
  const graceful = await Promise.race([exited.then(() => true), sleep(graceMs, false, { signal: grace.signal }).catch(() => false)]);
  // Cancel the grace timer, or it would keep the caller's event loop alive for its full length.
  grace.abort();
  if (!graceful) {
    child.kill("SIGKILL");
    await exited;
  }
}

/**
 * Start argv detached in its own session, output appended to logFile: it outlives meshproof
 * and a Ctrl-C aimed at meshproof does not reach it; whoever started it stops it by pid.
 */
export function startDaemon(argv: readonly string[], opts: { logFile: string; env?: Record<string, string> }): number {
  const [bin, ...args] = argv;
  if (!bin) throw new Error("empty command");
  const out = openSync(opts.logFile, "a");
  try {
    const child = spawn(bin, args, { detached: true, stdio: ["ignore", out, out], env: childEnv(opts.env) });
    child.once("error", () => undefined);
    if (child.pid === undefined) throw notFound(bin, argv);
    child.unref();
    return child.pid;
  } finally {
    closeSync(out);
  }
}
