/**
 * The load engines: meshproof's own generator (tools/loadgen, the default) and k6 for users who
 * bring one. Both take the same LoadProfile and give the same LoadResult; the plan shows each
 * engine's exact command line.
 */
import type { ResolvedTool, ToolName } from "../core/tools.js";
import { k6Argv, runK6 } from "./k6.js";
import { loadgenArgv, runLoadgen, type LoadRunner } from "./loadgen.js";
import type { LoadProfile, LoadResult } from "./profile.js";
import type { LoadEngine } from "./engine-options.js";

export { DEFAULT_LOAD_ENGINE, LOAD_ENGINES, type LoadEngine } from "./engine-options.js";

/** The host executable each engine needs (found by LOADGEN_BIN / K6_BIN, the setup cache, PATH). */
export const ENGINE_TOOL = { builtin: "loadgen", k6: "k6" } as const satisfies Record<LoadEngine, ToolName>;

/** The environment variable naming the user's k6 image for cluster runs with --load-engine k6. */
export const K6_IMAGE_VAR = "K6_IMAGE";

/** What a load step will execute, as plan.json shows it. */
export interface LoadCommandPreview {
  engine: LoadEngine;
  argv: string[];
  /** Extra environment of the command (k6 reads its inputs from it). */
  env?: Record<string, string>;
  /** The command's standard output is saved to this file. */
  stdoutFile?: string;
  /** Commands that bring output back from the pod afterwards (k6 only). */
  collect?: string[][];
}

export interface LoadOptions {
  engine: LoadEngine;
  tool: ResolvedTool;
  profile: LoadProfile;
  targetUrl: string;
  outDir: string;
  runner?: LoadRunner;
  /** Prefix of every x-request-id. */
  runId?: string;
}

export function loadCommand(options: LoadOptions): LoadCommandPreview {
  if (options.engine === "builtin") {
    const { run } = loadgenArgv({ loadgenPath: options.tool.path, profile: options.profile, targetUrl: options.targetUrl, outDir: options.outDir, ...(options.runner ? { runner: options.runner } : {}), ...(options.runId ? { runId: options.runId } : {}) });
    return { engine: "builtin", argv: run.argv, ...(run.stdoutFile ? { stdoutFile: run.stdoutFile } : {}) };
  }
  const k6 = k6Argv({ k6Path: options.tool.path, profile: options.profile, targetUrl: options.targetUrl, outDir: options.outDir, ...(options.runner ? { runner: options.runner } : {}), ...(options.runId ? { env: { MESHPROOF_RUN_ID: options.runId } } : {}) });
  return { engine: "k6", argv: k6.run.argv, ...(k6.run.env ? { env: k6.run.env } : {}), ...(k6.collect.length > 0 ? { collect: k6.collect.map((c) => c.argv) } : {}) };
}

export function runLoad(
  options: LoadOptions & { signal?: AbortSignal; timeoutMs?: number; onProgress?: (line: string) => void; runDir?: string },
): Promise<LoadResult> {
  const common = {
    profile: options.profile,
    targetUrl: options.targetUrl,
    outDir: options.outDir,
    ...(options.runner ? { runner: options.runner } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.runDir ? { runDir: options.runDir } : {}),
  };
  if (options.engine === "builtin") return runLoadgen({ ...common, loadgen: options.tool, ...(options.runId ? { runId: options.runId } : {}) });
  return runK6({ ...common, k6: options.tool, ...(options.runId ? { env: { MESHPROOF_RUN_ID: options.runId } } : {}) });
}
