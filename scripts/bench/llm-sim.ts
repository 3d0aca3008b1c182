/**
 * How much the reference server serves on this machine, measured from the client side:
 *   (a) the highest rate of plain completions (no generation time) it answers with p99 < 50 ms,
 *   (b) the most concurrent streams it holds with the inter-token gap's p99 within 1 ms of its
 *       configured value.
 * The sim runs as its own process (spawnSim); every load step runs in a fresh client process,
 * so neither shares an event loop with the other or with this orchestrator. Prints figures;
 * never fails on a number. Run: npx tsx scripts/bench/llm-sim.ts
 */
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import { TSX_LOADER, spawnSim } from "../../fixtures/llm-sim/src/index.js";
import { LatencyRecorder } from "../../src/analysis/hdr.js";
import type { LatencySummary } from "../../src/load/profile.js";

/** (a) passes while the client-observed p99 stays under this. */
const P99_LIMIT_MS = 50;
/** (b) the configured gap, and how far above it the observed p99 gap may be. */
const ITL_MS = 20;
const ITL_TOLERANCE_MS = 1;
/** A streams step this close still tries the next one up: at low load, wake-ups from idle are
 * slower on some machines, so precision need not fall as streams rise. */
const NEAR_MISS_MS = 5;
const STREAM_TTFT_MS = 20;
const STREAM_TOKENS = 50;
/** Each step: a warm-up (JIT, connection pool) that is not recorded, then the measured window. */
const WARMUP_SECONDS = 1;
const STEP_SECONDS = 3;
/** Bisection rounds between the last passing and the first failing step. */
const REFINE_ROUNDS = 3;
/** Stop stepping once this much time has gone, so the whole run stays within ~3 minutes. */
const BUDGET_SECONDS = 150;
/** A client process that has not reported by then is killed and its step counts as failed. */
const CLIENT_SLACK_MS = 30_000;
/** Rate steps: past this many requests in flight the client stops sending (counted as dropped). */
const MAX_IN_FLIGHT = 2000;
const RATE_START = 250;
const RATE_CEILING = 64_000;
const STREAMS_START = 10;
/**
 * Streams against a fresh sim before any step counts: JIT warm-up, and the one-off "memory
 * reducer" collections V8 runs in a new isolate several seconds after it starts.
 */
const STREAMS_WARMUP_SECONDS = 8;
const STREAMS_CEILING = 6400;

const SCRIPT = fileURLToPath(import.meta.url);

type ClientJob =
  | { kind: "rate"; url: string; rate: number }
  | { kind: "streams"; url: string; streams: number; seconds: number };

interface RateResult {
  kind: "rate";
  offered: number;
  achieved: number;
  ok: number;
  failed: number;
  dropped: number;
  latency: LatencySummary;
}

interface StreamsResult {
  kind: "streams";
  streams: number;
  completed: number;
  failed: number;
  gaps: LatencySummary;
  ttft: LatencySummary;
}

type ClientResult = RateResult | StreamsResult;

// ---------------------------------------------------------------- client side (child process)

/** Open model: request i leaves at start + i / rate whatever happened to the others, and its
 * latency counts from that intended time, so a stalled server cannot hide its queue. */
function rateClient(job: Extract<ClientJob, { kind: "rate" }>): Promise<RateResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const body = JSON.stringify({ model: "llm-sim", prompt: "ping", max_tokens: 1 });
  const headers = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
  const target = `${job.url}/v1/completions`;
  const latency = new LatencyRecorder();
  const interval = 1000 / job.rate;
  const warmupCount = Math.round(job.rate * WARMUP_SECONDS);
  const total = warmupCount + Math.round(job.rate * STEP_SECONDS);
  const t0 = performance.now() + 20;
  const measuredFrom = t0 + warmupCount * interval;
  let next = 0;
  let inFlight = 0;
  let settled = 0;
  let ok = 0;
  let failed = 0;
  let dropped = 0;
  let lastDone = measuredFrom;

  return new Promise((resolve) => {
    const maybeDone = () => {
      if (settled + dropped < total) return;
      agent.destroy();
      const seconds = (lastDone - measuredFrom) / 1000;
      resolve({ kind: "rate", offered: job.rate, achieved: seconds > 0 ? latency.count / seconds : 0, ok, failed, dropped, latency: latency.summary() });
    };
    const settle = (index: number, intended: number, success: boolean) => {
      inFlight--;
      settled++;
      const now = performance.now();
      if (success) {
        ok++;
        if (index >= warmupCount) {
          latency.record(now - intended);
          lastDone = now;
        }
      } else failed++;
      maybeDone();
    };
    const fire = (index: number, intended: number) => {
      inFlight++;
      const req = request(target, { method: "POST", agent, headers }, (res) => {
        res.resume();
        res.once("end", () => settle(index, intended, res.statusCode === 200));
        res.once("error", () => settle(index, intended, false));
      });
      req.once("error", () => settle(index, intended, false));
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      for (; next < total && t0 + next * interval <= now; next++) {
        if (inFlight >= MAX_IN_FLIGHT) dropped++;
        else fire(next, t0 + next * interval);
      }
      if (next < total) setTimeout(tick, 1);
      else maybeDone();
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
}

/** Closed model: `streams` users, each opening one streamed chat after another. Gaps are taken
 * between consecutive token events of one stream, as they arrive. */
async function streamsClient(job: Extract<ClientJob, { kind: "streams" }>): Promise<StreamsResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.streams });
  const body = JSON.stringify({ model: "llm-sim", messages: [{ role: "user", content: "ping" }], max_tokens: STREAM_TOKENS, stream: true });
  const headers = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
  const target = `${job.url}/v1/chat/completions`;
  const gaps = new LatencyRecorder();
  const ttft = new LatencyRecorder();
  const start = performance.now();
  const measuredFrom = start + WARMUP_SECONDS * 1000;
  const end = measuredFrom + job.seconds * 1000;
  let completed = 0;
  let failed = 0;

  const oneStream = () =>
    new Promise<void>((resolve) => {
      const sent = performance.now();
      let previous: number | undefined;
      let sawDone = false;
      // Events are counted, not parsed: each ends with a blank line, and the client's own
      // garbage collections would otherwise show up as jitter in the gaps it measures.
      let lastChar = "";
      const finish = (success: boolean) => {
        if (success && sawDone) completed++;
        else failed++;
        resolve();
      };
      const req = request(target, { method: "POST", agent, headers }, (res) => {
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          const at = performance.now();
          let events = lastChar === "\n" && chunk.startsWith("\n") ? 1 : 0;
          for (let i = chunk.indexOf("\n\n"); i >= 0; i = chunk.indexOf("\n\n", i + 2)) events++;
          lastChar = chunk.at(-1) ?? lastChar;
          if (chunk.includes("[DONE]")) {
            sawDone = true;
            events--;
          }
          for (let e = 0; e < events; e++) {
            if (at >= measuredFrom) {
              if (previous === undefined) ttft.record(at - sent);
              else gaps.record(at - previous);
            }
            previous = at;
          }
        });
        res.once("end", () => finish(res.statusCode === 200));
        res.once("error", () => finish(false));
      });
      req.once("error", () => finish(false));
      req.end(body);
    });

  const user = async (index: number) => {
    // Spread the first requests over one second, so token deadlines start out of phase, as
    // independent clients would be.
    await new Promise((resolve) => setTimeout(resolve, (index / job.streams) * 1000));
    while (performance.now() < end) await oneStream();
  };
  await Promise.all(Array.from({ length: job.streams }, (_, i) => user(i)));
  agent.destroy();
  return { kind: "streams", streams: job.streams, completed, failed, gaps: gaps.summary(), ttft: ttft.summary() };
}

async function clientMain(jobText: string): Promise<void> {
  const job = JSON.parse(jobText) as ClientJob;
  const result = job.kind === "rate" ? await rateClient(job) : await streamsClient(job);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// ---------------------------------------------------------------- orchestrator (parent process)

function runClient<T extends ClientResult>(job: ClientJob): Promise<T> {
  const child = spawn(process.execPath, ["--import", TSX_LOADER, SCRIPT, "--client", JSON.stringify(job)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  let result: T | undefined;
  createInterface({ input: child.stdout }).on("line", (line) => {
    if (line.startsWith("{")) result = JSON.parse(line) as T;
  });
  const limitMs = (WARMUP_SECONDS + (job.kind === "streams" ? job.seconds : STEP_SECONDS)) * 1000 + CLIENT_SLACK_MS;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`bench client (${job.kind}) exited with ${code} and no result: ${stderr.trim() || "(no stderr)"}`));
    });
  });
}

/** Cumulative bucket counts of the sim's llmsim_token_lateness_seconds, by upper bound (s). */
async function latenessBuckets(url: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const buckets = new Map<number, number>();
  for (const line of text.split("\n")) {
    const match = /^llmsim_token_lateness_seconds_bucket\{.*le="([^"]+)".*\} (\S+)$/.exec(line);
    if (!match) continue;
    const bound = match[1] === "+Inf" ? Infinity : Number(match[1]);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]));
  }
  return buckets;
}

/** The sim's own p99 lateness over a step, as the bucket bound it falls under ("<= 0.5 ms"). */
function latenessP99(before: Map<number, number>, after: Map<number, number>): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return "-";
  const bound = bounds.find((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0) >= 0.99 * total);
  return bound === undefined || !Number.isFinite(bound) ? "> 100" : `<= ${+(bound * 1000).toFixed(2)}`;
}

const ms = (x: number) => x.toFixed(2);
const int = (x: number) => Math.round(x).toLocaleString("en-US");

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)) + 2);
  return rows.map((r) => "  " + r.map((cell, c) => cell.padEnd(widths[c]!)).join("").trimEnd()).join("\n");
}

/** One step's outcome: whether it met the bar, and whether a larger step still might. */
interface StepOutcome {
  pass: boolean;
  /** A failing step that is still close (e.g. wake-ups from idle are slower at low load). */
  tryHigher: boolean;
}

/**
 * Doubles from `start` until a step fails after some step passed (or until a failing step says
 * higher is hopeless, or the ceiling or the time budget is reached), then bisects between the
 * highest pass and the failure above it.
 */
async function highestPassing(start: number, ceiling: number, deadline: number, step: (x: number) => Promise<StepOutcome>): Promise<number | undefined> {
  let good: number | undefined;
  let bad: number | undefined;
  for (let x = start; x <= ceiling && performance.now() < deadline; x *= 2) {
    const outcome = await step(x);
    if (outcome.pass) good = x;
    else {
      bad = x;
      if (good !== undefined || !outcome.tryHigher) break;
    }
  }
  if (good === undefined || bad === undefined || bad < good) return good;
  for (let round = 0; round < REFINE_ROUNDS && performance.now() < deadline; round++) {
    const middle = Math.round((good + bad) / 2);
    if (middle === good || middle === bad) break;
    if ((await step(middle)).pass) good = middle;
    else bad = middle;
  }
  return good;
}

export async function main(): Promise<void> {
  const started = performance.now();
  const deadline = started + BUDGET_SECONDS * 1000;
  const cores = os.availableParallelism();
  console.log(`llm-sim benchmark: ${cores} cores (${os.cpus()[0]?.model ?? "unknown cpu"}), Node ${process.version}`);
  console.log("server and each load step run in separate processes; figures are client-observed\n");

  // (a) plain completions with no generation time: the cost of HTTP, JSON and bookkeeping.
  const plainSim = await spawnSim(["--port", "0", "--ttft-ms", "0", "--itl-ms", "0", "--output-tokens", "1", "--max-running", "100000", "--max-waiting", "100000"]);
  const rateRows: string[][] = [["offered/s", "achieved/s", "p50 ms", "p99 ms", "p99.9 ms", "errors", "dropped", "p99 < 50 ms"]];
  let bestRate: RateResult | undefined;
  let highestRate: number | undefined;
  try {
    highestRate = await highestPassing(RATE_START, RATE_CEILING, started + (BUDGET_SECONDS / 2) * 1000, async (rate) => {
      const r = await runClient<RateResult>({ kind: "rate", url: plainSim.url, rate });
      const pass = r.failed === 0 && r.dropped === 0 && r.latency.count > 0 && r.latency.p99 < P99_LIMIT_MS;
      rateRows.push([int(rate), int(r.achieved), ms(r.latency.p50), ms(r.latency.p99), ms(r.latency.p999), String(r.failed), String(r.dropped), pass ? "yes" : "no"]);
      if (pass && (!bestRate || rate > bestRate.offered)) bestRate = r;
      return { pass, tryHigher: false };
    });
  } finally {
    await plainSim.stop();
  }
  console.log(`(a) plain completions (ttft 0, itl 0, 1 token), open-model client, keep-alive`);
  console.log(table(rateRows));
  console.log(`  highest rate with p99 < ${P99_LIMIT_MS} ms: ${highestRate === undefined ? "none of the steps" : `${int(highestRate)} req/s`}\n`);

  // (b) concurrent streams: does the token clock hold its precision as streams pile up?
  const streamSim = await spawnSim([
    "--port", "0", "--ttft-ms", String(STREAM_TTFT_MS), "--itl-ms", String(ITL_MS), "--output-tokens", String(STREAM_TOKENS),
    "--max-running", "100000", "--max-waiting", "100000",
  ]);
  const streamRows: string[][] = [
    ["streams", "gaps", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "sim late p99 ms", "ttft p99 ms", "errors", `p99 <= ${ITL_MS + ITL_TOLERANCE_MS} ms`],
  ];
  let highestStreams: number | undefined;
  let bestStreams: StreamsResult | undefined;
  let closest: StreamsResult | undefined;
  try {
    await runClient<StreamsResult>({ kind: "streams", url: streamSim.url, streams: STREAMS_START, seconds: STREAMS_WARMUP_SECONDS });
    highestStreams = await highestPassing(STREAMS_START, STREAMS_CEILING, deadline, async (streams) => {
      const before = await latenessBuckets(streamSim.url);
      const r = await runClient<StreamsResult>({ kind: "streams", url: streamSim.url, streams, seconds: STEP_SECONDS });
      const simLate = latenessP99(before, await latenessBuckets(streamSim.url));
      const pass = r.failed === 0 && r.gaps.count > 0 && r.gaps.p99 <= ITL_MS + ITL_TOLERANCE_MS;
      streamRows.push([int(streams), int(r.gaps.count), ms(r.gaps.p50), ms(r.gaps.p99), ms(r.gaps.p999), ms(r.gaps.max), simLate, ms(r.ttft.p99), String(r.failed), pass ? "yes" : "no"]);
      if (pass && (!bestStreams || streams > bestStreams.streams)) bestStreams = r;
      if (r.failed === 0 && (!closest || r.gaps.p99 < closest.gaps.p99)) closest = r;
      return { pass, tryHigher: r.failed === 0 && r.gaps.p99 <= ITL_MS + NEAR_MISS_MS };
    });
  } finally {
    await streamSim.stop();
  }
  console.log(`(b) concurrent streams (ttft ${STREAM_TTFT_MS} ms, itl ${ITL_MS} ms, ${STREAM_TOKENS} tokens each), one client process`);
  console.log(table(streamRows));
  console.log(`  most streams with the p99 gap within ${ITL_TOLERANCE_MS} ms of ${ITL_MS} ms: ${highestStreams === undefined ? "none of the steps" : int(highestStreams)}`);
  if (highestStreams === undefined && closest) {
    console.log(`  closest: ${int(closest.streams)} streams, p99 gap ${ms(closest.gaps.p99)} ms`);
  }
  console.log("  (sim late: how late the sim itself sent tokens, from its llmsim_token_lateness_seconds buckets)\n");

  console.log("summary");
  console.log(
    table([
      ["figure", "value", "at that step"],
      ["cores", String(cores), ""],
      [`plain req/s with p99 < ${P99_LIMIT_MS} ms`, highestRate === undefined ? "-" : int(highestRate), bestRate ? `p99 ${ms(bestRate.latency.p99)} ms` : ""],
      [
        `streams with p99 gap <= ${ITL_MS + ITL_TOLERANCE_MS} ms`,
        highestStreams === undefined ? "none" : int(highestStreams),
        bestStreams ? `p99 gap ${ms(bestStreams.gaps.p99)} ms` : closest ? `closest: ${int(closest.streams)} streams, p99 gap ${ms(closest.gaps.p99)} ms` : "",
      ],
    ]),
  );
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const clientIndex = process.argv.indexOf("--client");
  const run = clientIndex >= 0 ? clientMain(process.argv[clientIndex + 1] ?? "{}") : main();
  run.catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
