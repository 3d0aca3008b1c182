/** Errors of the load driver. */

/** The load generator (built-in or k6) failed; carries its last words. */
export class LoadRunError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(stderrTail ? `${message}\n--- last lines the load generator printed ---\n${stderrTail}` : message);
    this.name = "LoadRunError";
  }
}
