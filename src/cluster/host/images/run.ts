/**
 * The CLIs the image builder drives (tar, go, debootstrap, ctr), run through the engine's
 * command runner (a missing program is exit 4 there); a failure says which command, what it
 * was for, its exit code and the tail of stderr.
 */
import { processCommandRunner, type CommandRunner } from "../../../core/commands.js";
import { EXIT_TIMED_OUT, tail } from "../../../core/process.js";

export interface RunOptions {
  /** What the command is for, as the start of an error message: "building the pause binary". */
  what: string;
  timeoutMs: number;
  env?: Record<string, string>;
  runner?: CommandRunner;
}

export class ImageBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ImageBuildError";
  }
}

/** Run argv; its stdout, or an ImageBuildError naming the command, exit code and stderr. */
export async function runChecked(argv: readonly string[], opts: RunOptions): Promise<string> {
  const runner = opts.runner ?? processCommandRunner;
  const result = await runner.run(argv, { timeoutMs: opts.timeoutMs, ...(opts.env ? { env: opts.env } : {}) });
  if (result.exitCode !== 0) {
    const meaning = result.exitCode === EXIT_TIMED_OUT ? "timed out" : `exit code ${result.exitCode}`;
    throw new ImageBuildError(`${opts.what} failed (${meaning}): ${argv.join(" ")}\n${tail(result.stderr || result.stdout)}`);
  }
  return result.stdout;
}
