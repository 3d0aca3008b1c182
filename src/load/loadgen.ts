/**
 * Driving meshproof's own load generator (tools/loadgen): on the host (cluster `local`), or
 * exec'd inside the meshed loadgen pod so the client-side proxy is on the path. loadgenArgv is
 * pure so the dry-run plan shows the exact command; runLoadgen runs it and reads the JSON
 * summary it writes into a LoadResult.
 */
import { mkdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { ResolvedTool } from "../core/tools.js";
import { LatencyRecorder } from "../analysis/hdr.js";
import { LoadRunError } from "./errors.js";
import { runCommand, type LoadCommand, type CommandResult } from "./process.js";
import { byVersionThenStatus, LoadProfile, mergeOutcomes, type FailedLatency, type LatencySummary, type LoadResult } from "./profile.js";
import { offeredRps, scheduledSeconds } from "./schedule.js";

/** The generator's version (`version` in tools/loadgen/main.go; a test keeps them equal). */
export const LOADGEN_VERSION = "v0.1.0";
/** The cluster image (tools/loadgen/Dockerfile): the static binary at /loadgen, nothing else. */
export const LOADGEN_IMAGE = `meshproof/loadgen:${LOADGEN_VERSION}`;
/** Where the image holds the binary; the pod's own process is `/loadgen idle`. */
export const LOADGEN_POD_BINARY = "/loadgen";
/** Requests still running when the schedule ends may finish for this long (k6's default too). */
export const LOADGEN_GRACEFUL_STOP_SECONDS = 30;

/**
 * How long requests in flight may finish after the schedule ends: at least the default, and as
 * long as one request may run (its timeout), so a deliberately slow request (a timeout scenario
 * holds them 65 s) ends on its own instead of being cut by the stop and counted as failed.
 */
export function gracefulStopSeconds(profile: LoadProfile): number {
  return Math.max(LOADGEN_GRACEFUL_STOP_SECONDS, Math.ceil(profile.requestTimeoutMs / 1000));
}
/** Schema of the summary the generator writes (Summary in tools/loadgen/run.go). */
const SUMMARY_SCHEMA = "meshproof-loadgen/1";
/** The generator's exit after SIGINT/SIGTERM: it still wrote what it measured. */
const EXIT_INTERRUPTED = 130;
const EXIT_USAGE = 2;
/** Beyond schedule and graceful stop: start-up, writing the summary, kubectl exec. */
const TIMEOUT_MARGIN_MS = 60_000;
const PROGRESS_EVERY = "10s";

/** Where the generator runs: on this host, or exec'd in a pod through kubectl. */
export type LoadRunner =
  | { type: "host" }
  | {
      type: "pod";
      /** kube context; omitted means kubectl's current context. */
      context?: string;
      namespace: string;
      pod: string;
      container: string;
      /** kubectl executable; defaults to "kubectl" on PATH. */
      kubectl?: string;
    };

export interface LoadgenArgvOptions {
  /** The binary on the host; the pod runner uses the image's /loadgen instead. */
  loadgenPath: string;
  profile: LoadProfile;
  targetUrl: string;
  outDir: string;
  runner?: LoadRunner;
  /** {"ttftMs": n, "tpotMs": n} as JSON: also count goodput. */
  slo?: string;
  model?: string;
  /** Prefix of every x-request-id. */
  runId?: string;
}

export interface LoadgenInvocation {
  run: LoadCommand;
  /** Host path of the JSON summary the run leaves. */
  summaryPath: string;
  /** In a pod: what copies the summary the run wrote there to summaryPath. */
  fetch?: LoadCommand;
}

export function loadgenOutputName(profile: Pick<LoadProfile, "name">): string {
  return `loadgen-${profile.name}.json`;
}

/**
 * The exact command a run executes. On the host the generator writes its summary to a file.
 * In a pod it writes the summary to the pod's /tmp, and `loadgen cat` (a scratch image has no
 * shell, cat or tar for kubectl cp) copies it to the same host file: a summary sent over the
 * run's own exec stdout once arrived empty with exit 0 on a loaded node (kubectl exec can cut
 * stdout without an error, kubernetes/kubernetes#124571), and a run cannot be sent again, but
 * a copy can.
 */
export function loadgenArgv(options: LoadgenArgvOptions): LoadgenInvocation {
  const profile = LoadProfile.parse(options.profile);
  const runner = options.runner ?? { type: "host" };
  const summaryPath = join(options.outDir, loadgenOutputName(profile));
  const args = (out: string) => [
    "run",
    "--target",
    options.targetUrl,
    "--profile",
    JSON.stringify(profile),
    ...(options.slo ? ["--slo", options.slo] : []),
    ...(options.model ? ["--model", options.model] : []),
    "--run-id",
    options.runId ?? "meshproof",
    "--graceful-stop",
    `${gracefulStopSeconds(profile)}s`,
    "--progress",
    PROGRESS_EVERY,
    "--out",
    out,
  ];
  if (runner.type === "host") {
    return { run: { argv: [options.loadgenPath, ...args(summaryPath)] }, summaryPath };
  }
  const kubectl = [runner.kubectl ?? "kubectl", ...(runner.context ? ["--context", runner.context] : []), "--namespace", runner.namespace];
  const exec = [...kubectl, "exec", runner.pod, "--container", runner.container, "--", LOADGEN_POD_BINARY];
  // Run ids and profile names are unique per step, so runs in one pod never share a file.
  const inPod = `/tmp/${options.runId ?? "meshproof"}-${loadgenOutputName(profile)}`;
  return {
    run: { argv: [...exec, ...args(inPod)] },
    summaryPath,
    fetch: { argv: [...exec, "cat", inPod], stdoutFile: summaryPath },
  };
}

/** A histogram as the generator writes it: base64 of the compressed V2 encoding, microseconds. */
interface EncodedHistogram {
  count: number;
  encoded: string;
}

/** The generator's summary (tools/loadgen/run.go, Summary). */
export interface LoadgenSummary {
  schema: string;
  loadgenVersion: string;
  profile: string;
  startedAt: string;
  endedAt: string;
  scheduled: number;
  started: number;
  dropped: number;
  notStarted: number;
  requests: number;
  failed: number;
  peakInFlight: number;
  interrupted?: string;
  outcomes: Array<{ version: string; status: number; ok: boolean; peer: string; attempt: number; count: number }>;
  histograms: Record<string, EncodedHistogram | undefined>;
  /** Failed requests' latency per status; absent in summaries of a loadgen that did not time failures. */
  failedLatency?: Array<{ status: number; histograms: Record<string, EncodedHistogram | undefined> }> | null;
  slo?: { met: number; total: number };
  errors: Array<{ message: string; count: number }>;
}

function summaryOf(encoded: EncodedHistogram | undefined): LatencySummary {
  const recorder = new LatencyRecorder();
  if (encoded?.encoded) recorder.addEncoded(encoded.encoded);
  return recorder.summary();
}

/** Absent (an older loadgen) stays absent: "not timed" must not read as "nothing failed". */
function failedLatencyOf(summary: LoadgenSummary): FailedLatency[] | undefined {
  if (!Array.isArray(summary.failedLatency)) return undefined;
  return summary.failedLatency.map(({ status, histograms }) => ({ status, e2e: summaryOf(histograms.e2e), e2eFromSend: summaryOf(histograms.e2eFromSend) }));
}

/** The generator's summary as a LoadResult, the same shape the k6 engine gives. */
export function loadResultOf(summary: LoadgenSummary, profile: LoadProfile, evidence: string[]): LoadResult {
  if (summary.schema !== SUMMARY_SCHEMA) throw new Error(`not a loadgen summary (schema ${JSON.stringify(summary.schema)}, want ${SUMMARY_SCHEMA})`);
  const seconds = scheduledSeconds(profile);
  const streamed = profile.mode === "stream";
  // The generator also splits by `ok`; a LoadResult's outcomes are keyed without it.
  const outcomes = mergeOutcomes(summary.outcomes.map(({ version, status, count, peer, attempt }) => ({ version, status, count, peer, attempt }))).sort(byVersionThenStatus);
  const h = summary.histograms;
  const failedLatency = failedLatencyOf(summary);
  return {
    profile,
    startedAt: summary.startedAt,
    endedAt: summary.endedAt,
    durationSeconds: seconds,
    offeredRps: offeredRps(profile),
    achievedRps: seconds > 0 ? summary.requests / seconds : 0,
    requests: summary.requests,
    failed: summary.failed,
    errorRate: summary.requests > 0 ? summary.failed / summary.requests : 0,
    droppedIterations: summary.dropped,
    outcomes,
    latency: {
      e2e: summaryOf(h.e2e),
      ...(streamed ? { ttft: summaryOf(h.ttft), itl: summaryOf(h.itl) } : {}),
      e2eFromSend: summaryOf(h.e2eFromSend),
      ...(streamed ? { ttftFromSend: summaryOf(h.ttftFromSend) } : {}),
    },
    ...(failedLatency ? { failedLatency } : {}),
    ...(streamed ? { outputTokensPerSecond: summaryOf(h.outputTps) } : {}),
    ...(summary.slo && summary.slo.total > 0 ? { sloMet: { met: summary.slo.met, total: summary.slo.total } } : {}),
    startDelay: summaryOf(h.startDelay),
    evidence,
  };
}

/** What loadgenArgv takes (outDir: where loadgen-<profile>.json goes; created if missing), with the binary as found. */
export interface RunLoadgenOptions extends Omit<LoadgenArgvOptions, "loadgenPath"> {
  loadgen: ResolvedTool;
  signal?: AbortSignal;
  /** Default: the schedule, plus the graceful stop, plus a minute. */
  timeoutMs?: number;
  /** Every line the generator prints (progress, the closing count). */
  onProgress?: (line: string) => void;
  /** Evidence paths are relative to this folder (the run folder); default outDir. */
  runDir?: string;
}

export async function runLoadgen(options: RunLoadgenOptions): Promise<LoadResult> {
  const profile = LoadProfile.parse(options.profile);
  await mkdir(options.outDir, { recursive: true });
  const invocation = loadgenArgv({ ...options, loadgenPath: options.loadgen.path, profile });
  const timeoutMs = options.timeoutMs ?? (scheduledSeconds(profile) + gracefulStopSeconds(profile)) * 1000 + TIMEOUT_MARGIN_MS;
  const run = await runCommand(invocation.run, { ...(options.signal ? { signal: options.signal } : {}), timeoutMs, ...(options.onProgress ? { onLine: options.onProgress } : {}) });
  if (run.code !== 0) throw explainFailure(run);
  const summary = await readSummary(invocation, options.signal, run);
  const evidence = [relative(options.runDir ?? options.outDir, invocation.summaryPath)];
  return loadResultOf(summary, profile, evidence);
}

/** Copies a pod's summary up to this many times: a cut copy fails to parse, and is copied again. */
const FETCH_ATTEMPTS = 3;
const FETCH_TIMEOUT_MS = 60_000;

async function readSummary(invocation: LoadgenInvocation, signal: AbortSignal | undefined, run: CommandResult): Promise<LoadgenSummary> {
  let lastError = "";
  for (let attempt = 1; attempt <= (invocation.fetch ? FETCH_ATTEMPTS : 1); attempt++) {
    if (invocation.fetch) {
      const copy = await runCommand(invocation.fetch, { ...(signal ? { signal } : {}), timeoutMs: FETCH_TIMEOUT_MS });
      if (copy.code !== 0) {
        lastError = `copying it from the pod exited ${copy.code}: ${copy.tail.slice(-300)}`;
        continue;
      }
    }
    try {
      return JSON.parse(await readFile(invocation.summaryPath, "utf8")) as LoadgenSummary;
    } catch (error) {
      lastError = (error as Error).message;
    }
  }
  throw new LoadRunError(`loadgen exited 0 but its summary ${invocation.summaryPath} could not be read: ${lastError}`, run.code, run.tail);
}

function explainFailure(run: CommandResult): Error {
  const meaning = run.code === null ? `was stopped by ${run.signal}` : `exited ${run.code}`;
  const why = run.code === EXIT_USAGE ? " (it refused its arguments)" : run.code === EXIT_INTERRUPTED ? " (it was interrupted from outside)" : "";
  return new LoadRunError(`loadgen ${meaning}${why}`, run.code, run.tail);
}
