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

const EXIT_MEANING: Record<number, string> = {
  [EXIT.ok]: "every verdict passed or is not supported",
  [EXIT.checkFailed]: "a check failed",
  [EXIT.usage]: "bad usage or input",
  [EXIT.inconclusive]: "a check was inconclusive: its sample budget ran out before it could decide",
  [EXIT.environment]: "the environment is missing something (a tool, Docker, a cluster)",
  [EXIT.interrupted]: "interrupted: the run was stopped early (cleanup ran first)",
  [EXIT.bug]: "an internal error: a meshproof bug, not a check result",
};

/** The order a reader meets them in: outcomes of checks first, then problems with the run. */
const LEGEND_ORDER = [EXIT.ok, EXIT.checkFailed, EXIT.inconclusive, EXIT.usage, EXIT.environment, EXIT.interrupted, EXIT.bug] as const;

/** Short meanings for the one-line legend under every report and in the CLI's help. */
const LEGEND_TEXT: Record<(typeof LEGEND_ORDER)[number], string> = {
  [EXIT.ok]: "every verdict passed or is not supported",
  [EXIT.checkFailed]: "a check failed",
  [EXIT.inconclusive]: "a check was inconclusive",
  [EXIT.usage]: "bad usage or input",
  [EXIT.environment]: "environment missing (tool, Docker, cluster)",
  [EXIT.interrupted]: "interrupted (cleanup ran first)",
  [EXIT.bug]: "meshproof bug (please report it)",
};

/** "Exit codes: 0 every verdict passed ...; 70 meshproof bug (please report it)." The one legend every output uses. */
export const EXIT_LEGEND = `Exit codes: ${LEGEND_ORDER.map((code) => `${code} ${LEGEND_TEXT[code]}`).join("; ")}.`;

export function exitCodeMeaning(code: number): string {
  return EXIT_MEANING[code] ?? "unknown exit code";
}
