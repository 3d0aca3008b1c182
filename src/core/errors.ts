/**
 * Errors the CLI turns into exit codes and one-line messages instead of stack traces.
 * Each carries what to do next.
 */
import { EXIT } from "../analysis/verdict.js";

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
