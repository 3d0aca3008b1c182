/**
 * Running one command of a load invocation (the generator, kubectl exec, kubectl cp) with a limit,
 * through the engine's process layer: its output lines go to a callback and a short tail is kept
 * for error messages. A timeout or an abort interrupts it with SIGINT, on which the generator
 * still writes its summary, and kills it after a grace period.
 */
import { run } from "../core/process.js";
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
 * Run a command to its end; the promise settles only once the process is gone, so nothing
 * outlives the call. For the pod runner this stops kubectl; the generator in the pod notices
 * the closed exec stream.
 */
export async function runCommand(
  command: LoadCommand,
  options: { signal?: AbortSignal; timeoutMs: number; onLine?: (line: string) => void },
): Promise<CommandResult> {
  const [file] = command.argv;
  if (!file) throw new Error("empty command");
  const tail: string[] = [];
  const result = await run(command.argv, {
    timeoutMs: options.timeoutMs,
    stopWith: "SIGINT",
    graceMs: KILL_GRACE_MS,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(command.env ? { env: command.env } : {}),
    ...(command.stdoutFile ? { stdoutFile: command.stdoutFile } : {}),
    onLine: (line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      options.onLine?.(line);
    },
  }).catch((error: Error) => {
    throw new LoadRunError(`could not start ${file}: ${error.message}`, null, "");
  });
  if (result.timedOut) throw new LoadRunError(`${file} did not finish within ${Math.round(options.timeoutMs / 1000)} s`, result.exitCode, tail.join("\n"));
  if (result.aborted) {
    const reason: unknown = options.signal?.reason;
    throw reason instanceof Error ? reason : new Error("aborted");
  }
  return { code: result.signal ? null : result.exitCode, signal: result.signal, tail: tail.join("\n") };
}
