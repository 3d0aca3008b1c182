/** Errors of the load driver. */

/** k6 failed for a reason other than thresholds; carries k6's last words. */
export class K6RunError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stderrTail: string,
  ) {
    super(stderrTail ? `${message}\n--- last lines k6 printed ---\n${stderrTail}` : message);
    this.name = "K6RunError";
  }
}
