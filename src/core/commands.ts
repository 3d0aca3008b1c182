/**
 * Runs the CLIs a plan names (kind, kubectl, istioctl, linkerd, helm, gcloud, ctr, tsx). Each
 * argv[0] is resolved like every other tool (env var, setup cache, PATH) so a user can point
 * meshproof at a specific istioctl, and a missing CLI becomes an EnvironmentError (exit 4)
 * naming what to install instead of a shell's "command not found".
 */
import { existsSync } from "node:fs";
import { run } from "./process.js";
import { repoPath } from "./repo.js";
import { toolNamed, tryFindTool } from "./tools.js";

export { tail } from "./process.js";

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CommandRunner {
  run(argv: readonly string[], opts: { timeoutMs: number; input?: string; env?: Record<string, string>; signal?: AbortSignal }): Promise<CommandResult>;
}

/** meshproof's own TypeScript commands (the host cluster's) run with this repository's tsx. */
const REPO_TSX = repoPath("node_modules", ".bin", "tsx");

export function resolveArgv0(argv0: string): string {
  if (argv0 === "tsx") return existsSync(REPO_TSX) ? REPO_TSX : argv0;
  const tool = toolNamed(argv0);
  if (!tool || argv0.includes("/")) return argv0;
  return tryFindTool(tool)?.path ?? argv0;
}

/** The runner a real run uses: argv[0] resolved through the tool table, then run to its end. */
export const processCommandRunner: CommandRunner = {
  async run(argv, opts) {
    const [argv0, ...args] = argv;
    if (!argv0) throw new Error("empty command");
    const result = await run([resolveArgv0(argv0), ...args], opts);
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, durationMs: result.durationMs };
  },
};
