/**
 * Errors the CLI turns into exit codes and one-line messages instead of stack traces.
 * Each carries what to do next.
 */
import { EXIT } from "../analysis/exit-codes.js";

export class MeshproofError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** What the user should do about it, printed under the message. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags, unknown scenario, invalid input: exit 2. */
export class UsageError extends MeshproofError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.usage, hint);
  }
}

/** A tool, cluster or runtime the run needs is missing: exit 4. */
export class EnvironmentError extends MeshproofError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.environment, hint);
  }
}

/** A named wait ran out of time. */
export class TimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastProblem?: string,
  ) {
    super(`timed out after ${formatMs(timeoutMs)} waiting for ${what}${lastProblem ? ` (last: ${lastProblem})` : ""}`);
    this.name = "TimeoutError";
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m${s}s` : `${m}m`;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A defect of meshproof itself rather than of the mesh, the cluster or the input: the errors
 * JavaScript raises for wrong code (a property of undefined, a bad argument, a broken parse),
 * except those carrying an operating-system error (fetch's "fetch failed" is a TypeError).
 */
export function isBug(err: unknown): boolean {
  if (!(err instanceof TypeError || err instanceof ReferenceError || err instanceof RangeError || err instanceof SyntaxError)) return false;
  const cause = (err as { cause?: unknown }).cause;
  return !(cause instanceof Error && typeof (cause as NodeJS.ErrnoException).code === "string");
}

/** What meshproof prints about a bug: that it is one, its message, and how to report it (exit 70). */
export function bugLines(err: unknown, debug = Boolean(process.env.DEBUG)): string[] {
  return [
    `meshproof: internal error (a meshproof bug, not a check result): ${errorMessage(err)}`,
    ...(debug ? [(err as Error)?.stack ?? ""] : []),
    `  please report it in meshproof's issue tracker with the command you ran${debug ? " and the stack above" : " and the output of the same command with DEBUG=1"} (exit ${EXIT.bug})`,
  ];
}
