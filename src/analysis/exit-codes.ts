/**
 * The exit codes of the CLI contract (DESIGN section 7) and their meanings, in a module that
 * imports nothing: `--help` and every error path need them before anything heavy is loaded.
 */

export const EXIT = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  inconclusive: 3,
  environment: 4,
  /** Stopped by Ctrl-C or SIGTERM (128 + SIGINT), as shells report it. */
  interrupted: 130,
  /** An unexpected error: a defect of meshproof, not of the mesh (EX_SOFTWARE of sysexits.h). */
  bug: 70,
} as const;

/** The order a reader meets them in: outcomes of checks first, then problems with the run. */
const LEGEND_ORDER = [EXIT.ok, EXIT.checkFailed, EXIT.inconclusive, EXIT.usage, EXIT.environment, EXIT.interrupted, EXIT.bug] as const;

/** Each code's meaning in full (error messages) and in short (the one-line legend under every report and in the CLI's help). */
const EXIT_TEXT: Record<(typeof LEGEND_ORDER)[number], { meaning: string; legend: string }> = {
  [EXIT.ok]: { meaning: "every verdict passed or is not supported", legend: "every verdict passed or is not supported" },
  [EXIT.checkFailed]: { meaning: "a check failed", legend: "a check failed" },
  [EXIT.inconclusive]: { meaning: "a check was inconclusive: its sample budget ran out before it could decide", legend: "a check was inconclusive" },
  [EXIT.usage]: { meaning: "bad usage or input", legend: "bad usage or input" },
  [EXIT.environment]: { meaning: "the environment is missing something (a tool, Docker, a cluster)", legend: "environment missing (tool, Docker, cluster)" },
  [EXIT.interrupted]: { meaning: "interrupted: the run was stopped early (cleanup ran first)", legend: "interrupted (cleanup ran first)" },
  [EXIT.bug]: { meaning: "an internal error: a meshproof bug, not a check result", legend: "meshproof bug (please report it)" },
};

/** "Exit codes: 0 every verdict passed ...; 70 meshproof bug (please report it)." The one legend every output uses. */
export const EXIT_LEGEND = `Exit codes: ${LEGEND_ORDER.map((code) => `${code} ${EXIT_TEXT[code].legend}`).join("; ")}.`;

export function exitCodeMeaning(code: number): string {
  return EXIT_TEXT[code as keyof typeof EXIT_TEXT]?.meaning ?? "unknown exit code";
}
