/**
 * Running one command of a load invocation (the generator, kubectl exec, kubectl cp) with a limit:
 * its output lines go to a callback and a short tail is kept for error messages.
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { LoadRunError } from "./errors.js";

/** One command, with the environment it needs beyond the parent's. */
export interface LoadCommand {
  argv: string[];
  env?: Record<string, string>;
  /** Write the command's standard output to this host file (as a shell's `> file`). */
  stdoutFile?: string;
}

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the command printed. */
  tail: string;
}

/** After SIGINT the load generator stops and still writes its output; past this it is killed. */
const KILL_GRACE_MS = 10_000;
const TAIL_LINES = 30;

/**
 * Run a command to its end. On abort or timeout it gets SIGINT and, after a grace period,
 * SIGKILL; the promise settles only once the process is gone, so nothing outlives the call.
 * For the pod runner this stops kubectl; the generator in the pod notices the closed exec stream,
 * but that can only be confirmed on a real cluster.
 */
export function runCommand(
  command: LoadCommand,
  options: { signal?: AbortSignal; timeoutMs: number; onLine?: (line: string) => void },
): Promise<CommandResult> {
  const [file, ...args] = command.argv;
  if (!file) throw new Error("empty command");
  options.signal?.throwIfAborted();

  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, ...command.env }, stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const emit = (line: string) => {
      if (!line.trim()) return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      options.onLine?.(line);
    };
    const lineSplitter = () => {
      let rest = "";
      return {
        push: (chunk: Buffer) => {
          const lines = (rest + chunk.toString("utf8")).split("\n");
          rest = lines.pop() ?? "";
          for (const line of lines) emit(line);
        },
        flush: () => emit(rest),
      };
    };

    const stdoutLines = lineSplitter();
    const stderrLines = lineSplitter();
    child.stderr.on("data", stderrLines.push);
    // A file target settles (flushed, or failed) before the command counts as finished.
    let stdoutWritten: Promise<Error | undefined> = Promise.resolve(undefined);
    if (command.stdoutFile) {
      stdoutWritten = pipeline(child.stdout, createWriteStream(command.stdoutFile)).then(
        () => undefined,
        (error: Error) => error,
      );
    } else {
      child.stdout.on("data", stdoutLines.push);
    }

    let stopReason: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (reason: Error) => {
      if (stopReason) return;
      stopReason = reason;
      child.kill("SIGINT");
      killTimer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
    };
    const timer = setTimeout(
      () => stop(new LoadRunError(`${file} did not finish within ${Math.round(options.timeoutMs / 1000)} s`, null, "")),
      options.timeoutMs,
    );
    const onAbort = () => stop(options.signal?.reason instanceof Error ? options.signal.reason : new Error("aborted"));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const cleanUp = () => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener("abort", onAbort);
    };

    child.on("error", (error) => {
      cleanUp();
      reject(new LoadRunError(`could not start ${file}: ${error.message}`, null, ""));
    });
    child.on("close", (code, signal) => {
      cleanUp();
      void stdoutWritten.then((writeError) => {
        stdoutLines.flush();
        stderrLines.flush();
        if (stopReason instanceof LoadRunError) return reject(new LoadRunError(stopReason.message, code, tail.join("\n")));
        if (stopReason) return reject(stopReason);
        if (writeError) {
          return reject(new LoadRunError(`could not write ${command.stdoutFile}: ${writeError.message}`, code, tail.join("\n")));
        }
        resolve({ code, signal, tail: tail.join("\n") });
      });
    });
  });
}
