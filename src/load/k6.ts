/**
 * The optional k6 engine (`--load-engine k6`), for users who bring their own k6: found by K6_BIN
 * or on PATH, never built by meshproof. On the host (cluster `local`), or exec'd inside the
 * loadgen pod, whose image is then the user's K6_IMAGE. Plain profiles run llm-load.ts, which a
 * stock k6 runs; streamed profiles run llm-stream.ts, which needs a k6 extension providing
 * k6/x/llmstream. k6Argv is pure so the dry-run plan shows the exact commands; runK6 runs
 * them, then parses k6's JSON output into a LoadResult.
 */
import { mkdir } from "node:fs/promises";
import { join, relative } from "node:path";
import { repoPath } from "../core/repo.js";
import { ToolMissingError, type ResolvedTool } from "../core/tools.js";
import type { LoadRunner } from "./loadgen.js";
import { LoadProfile, type LoadResult } from "./profile.js";
import { parseK6Output } from "./ndjson.js";
import { LoadRunError } from "./errors.js";
import { runCommand, type CommandResult, type LoadCommand } from "./process.js";
import { scheduledSeconds } from "./schedule.js";

/** The folder of k6 scripts in this repository; the loadgen image copies it to /scripts. */
export const K6_SCRIPT_DIR = `${repoPath("fixtures", "k6")}/`;
/** The script per mode: plain runs on a stock k6; stream needs the k6/x/llmstream extension. */
export const K6_SCRIPT_FOR_MODE = { plain: "llm-load.ts", stream: "llm-stream.ts" } as const satisfies Record<LoadProfile["mode"], string>;
/**
 * Files the scripts need at run time, for the ConfigMap the stack mounts at /scripts. A
 * ConfigMap has no subfolders, which is why these modules sit flat beside each other.
 */
export const K6_SCRIPT_MODULES = [...Object.values(K6_SCRIPT_FOR_MODE), "llm-request.ts", "load-options.ts", "llm-metrics.ts", "openai-stream.ts", "summary.ts"];
/** Where the loadgen pod has the scripts (ConfigMap mount) and k6 writes its output. */
export const POD_SCRIPT_DIR = "/scripts";
const POD_OUTPUT_DIR = "/tmp";

/** k6's exit code when only thresholds failed: the run itself is fine, the harness judges. */
const K6_THRESHOLDS_FAILED = 99;
const K6_EXIT_MEANINGS: Readonly<Record<number, string>> = {
  104: "invalid configuration",
  105: "aborted from outside",
  107: "the script threw an exception",
  108: "the script called test.abort()",
  109: "k6 panicked",
};
/** Beyond schedule and graceful stop: k6 start-up, VU initialisation, handleSummary. */
const TIMEOUT_MARGIN_MS = 60_000;
/** The script's gracefulStop (GRACEFUL_STOP_SECONDS in fixtures/k6/load-options.ts). */
const GRACEFUL_STOP_MS = 30_000;

export type { LoadCommand };

export type K6Runner = LoadRunner;

export interface K6Invocation {
  /** The k6 run itself. */
  run: LoadCommand;
  /** Then, in order: bringing output files back to the host (pod runner only). */
  collect: LoadCommand[];
  /** Host paths of the files the run leaves. */
  ndjsonPath: string;
  summaryPath: string;
}

export interface K6ArgvOptions {
  /** k6 executable on the host; the pod runner uses the K6_IMAGE's `k6` instead. */
  k6Path: string;
  profile: LoadProfile;
  targetUrl: string;
  outDir: string;
  runner?: K6Runner;
  /** Extra script environment: MESHPROOF_SLO, MESHPROOF_MODEL, MESHPROOF_RUN_ID. */
  env?: Record<string, string>;
  /** Host runner only; defaults to fixtures/k6/ and the script for the profile's mode. */
  scriptPath?: string;
}

export function k6OutputNames(profile: Pick<LoadProfile, "name">): { ndjson: string; summary: string } {
  return { ndjson: `k6-${profile.name}.ndjson`, summary: `k6-${profile.name}-summary.json` };
}

/** The exact commands a run executes, for runK6 and for the dry-run plan. */
export function k6Argv(options: K6ArgvOptions): K6Invocation {
  const profile = LoadProfile.parse(options.profile);
  const runner = options.runner ?? { type: "host" };
  const names = k6OutputNames(profile);
  const ndjsonPath = join(options.outDir, names.ndjson);
  const summaryPath = join(options.outDir, names.summary);
  const scriptEnv = (summary: string): Record<string, string> => ({
    // A k6 without the stream extension would otherwise ask a remote build service for one over
    // the network; we want it to fail at once with "unknown modules" so runK6 can say what to do.
    K6_AUTO_EXTENSION_RESOLUTION: "false",
    // Load tests of a private stack do not phone home.
    K6_NO_USAGE_REPORT: "true",
    ...options.env,
    MESHPROOF_PROFILE: JSON.stringify(profile),
    MESHPROOF_TARGET: options.targetUrl,
    MESHPROOF_SUMMARY: summary,
  });

  if (runner.type === "host") {
    const script = options.scriptPath ?? join(K6_SCRIPT_DIR, K6_SCRIPT_FOR_MODE[profile.mode]);
    return {
      run: {
        argv: [options.k6Path, "run", "--quiet", "--out", `json=${ndjsonPath}`, script],
        env: scriptEnv(summaryPath),
      },
      collect: [],
      ndjsonPath,
      summaryPath,
    };
  }

  // In the pod, the environment travels as `env NAME=value` arguments of the exec, since
  // kubectl exec cannot set a process environment. Cannot be exercised without a cluster.
  const kubectl = [
    runner.kubectl ?? "kubectl",
    ...(runner.context ? ["--context", runner.context] : []),
    "--namespace",
    runner.namespace,
  ];
  const podNdjson = `${POD_OUTPUT_DIR}/${names.ndjson}`;
  const podSummary = `${POD_OUTPUT_DIR}/${names.summary}`;
  const envArgs = Object.entries(scriptEnv(podSummary)).map(([name, value]) => `${name}=${value}`);
  // kubectl cp takes only a pod name; for a reference like deploy/loadgen (which kubectl exec
  // resolves to one of its pods) the file is read back through exec and cat instead.
  const copyBack = (from: string, to: string): LoadCommand =>
    runner.pod.includes("/")
      ? { argv: [...kubectl, "exec", runner.pod, "--container", runner.container, "--", "cat", from], stdoutFile: to }
      : { argv: [...kubectl, "cp", "--container", runner.container, `${runner.pod}:${from}`, to] };
  return {
    run: {
      argv: [
        ...kubectl,
        "exec",
        runner.pod,
        "--container",
        runner.container,
        "--",
        "env",
        ...envArgs,
        "k6",
        "run",
        "--quiet",
        "--out",
        `json=${podNdjson}`,
        `${POD_SCRIPT_DIR}/${K6_SCRIPT_FOR_MODE[profile.mode]}`,
      ],
    },
    collect: [copyBack(podNdjson, ndjsonPath), copyBack(podSummary, summaryPath)],
    ndjsonPath,
    summaryPath,
  };
}

export interface RunK6Options {
  k6: ResolvedTool;
  profile: LoadProfile;
  targetUrl: string;
  /** Where k6-<profile>.ndjson and k6-<profile>-summary.json go; created if missing. */
  outDir: string;
  runner?: K6Runner;
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Default: the schedule, plus k6's graceful stop, plus a minute. */
  timeoutMs?: number;
  /** Every line k6 prints (warnings, console output of the script). */
  onProgress?: (line: string) => void;
  /** Evidence paths are relative to this folder (the run folder); default outDir. */
  runDir?: string;
}

export async function runK6(options: RunK6Options): Promise<LoadResult> {
  const profile = LoadProfile.parse(options.profile);
  await mkdir(options.outDir, { recursive: true });
  const invocation = k6Argv({
    k6Path: options.k6.path,
    profile,
    targetUrl: options.targetUrl,
    outDir: options.outDir,
    runner: options.runner,
    env: options.env,
  });
  const timeoutMs =
    options.timeoutMs ?? scheduledSeconds(profile) * 1000 + GRACEFUL_STOP_MS + TIMEOUT_MARGIN_MS;

  const startedAt = new Date();
  const run = await runCommand(invocation.run, { signal: options.signal, timeoutMs, onLine: options.onProgress });
  const endedAt = new Date();
  if (run.code !== 0 && run.code !== K6_THRESHOLDS_FAILED) {
    throw explainFailure(options.k6, run);
  }
  for (const copy of invocation.collect) {
    const result = await runCommand(copy, { signal: options.signal, timeoutMs: 120_000 });
    if (result.code !== 0) {
      throw new LoadRunError(`copying k6 output out of the loadgen pod failed: ${copy.argv.join(" ")}`, result.code, result.tail);
    }
  }

  const base = options.runDir ?? options.outDir;
  const evidence = [invocation.ndjsonPath, invocation.summaryPath].map((path) => relative(base, path));
  let parsed: Awaited<ReturnType<typeof parseK6Output>>;
  try {
    parsed = await parseK6Output(invocation.ndjsonPath, profile, evidence, { startedAt, endedAt });
  } catch (error) {
    throw new LoadRunError(
      `k6 exited ${run.code} but its output ${invocation.ndjsonPath} could not be read: ${(error as Error).message}`,
      run.code,
      run.tail,
    );
  }
  if (parsed.malformedLines > 0) {
    options.onProgress?.(`k6 output had ${parsed.malformedLines} unreadable line(s); they were skipped`);
  }
  return parsed.result;
}

function explainFailure(k6: ResolvedTool, run: CommandResult): Error {
  if (/k6\/x\/llmstream/.test(run.tail) && /unknown module|Cannot find module|not found/i.test(run.tail)) {
    return new ToolMissingError(
      "k6",
      "use the built-in engine (--load-engine builtin, the default), or set K6_BIN to a k6 built with an extension providing k6/x/llmstream",
      `${k6.path} has no k6/x/llmstream, which streamed profiles need`,
    );
  }
  const meaning = run.code === null ? `was stopped by ${run.signal}` : `exited ${run.code}`;
  const why = run.code !== null ? K6_EXIT_MEANINGS[run.code] : undefined;
  return new LoadRunError(`k6 ${meaning}${why ? ` (${why})` : ""}`, run.code, run.tail);
}
