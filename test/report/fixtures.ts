/**
 * Realistic results.json records for the reporter tests: a rate-sweep benchmark (on the
 * baseline by default, or on a mesh with added latency, for compare) and a canary run on
 * Istio and Linkerd with every verdict status. Latency summaries come from real HDR
 * histograms filled from a seeded generator, so merges and quantiles behave as in a run.
 */
import { LatencyRecorder } from "../../src/analysis/hdr.js";
import { exitCodeFor, type Verdict } from "../../src/analysis/verdict.js";
import { LoadProfile, type LatencySummary, type LoadResult } from "../../src/load/profile.js";
import {
  RESULTS_SCHEMA_VERSION,
  allVerdicts,
  scenarioStatus,
  summarize,
  type RunResults,
  type ScenarioRecord,
  type StepRecord,
  type TargetRecord,
} from "../../src/report/results.js";

/** mulberry32: a tiny seeded generator, so fixtures are identical on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal latencies around `medianMs`: long right tail, as real generations have. */
function latencies(count: number, medianMs: number, spread: number, rand: () => number): LatencySummary {
  const recorder = new LatencyRecorder();
  for (let i = 0; i < count; i++) {
    const u1 = Math.max(rand(), 1e-12);
    const u2 = rand();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    recorder.record(medianMs * Math.exp(spread * normal));
  }
  return recorder.summary();
}

const START = Date.parse("2026-03-14T02:00:00.000Z");

function at(offsetMs: number): string {
  return new Date(START + offsetMs).toISOString();
}

interface LoadShape {
  name: string;
  rate: number;
  seconds: number;
  /** Added to every latency: what a mesh proxy costs. */
  overheadMs: number;
  errorRate: number;
  seed: number;
  stream?: boolean;
}

export function loadResult(shape: LoadShape): LoadResult {
  const rand = seeded(shape.seed);
  const stream = shape.stream ?? true;
  const profile = LoadProfile.parse({
    name: shape.name,
    executor: "constant-arrival-rate",
    rate: shape.rate,
    durationSeconds: shape.seconds,
    mode: stream ? "stream" : "plain",
  });
  const offered = shape.rate * shape.seconds;
  // Past ~25 rps the simulated backend saturates: achieved falls behind offered.
  const achievedRps = shape.rate <= 25 ? shape.rate * 0.998 : 25 + (shape.rate - 25) * 0.4;
  const requests = Math.round(achievedRps * shape.seconds);
  const failed = Math.round(requests * shape.errorRate);
  const saturation = shape.rate > 25 ? 3 : 1;
  const e2e = latencies(requests, 420 * saturation + shape.overheadMs, 0.25, rand);
  const result: LoadResult = {
    profile,
    startedAt: at(0),
    endedAt: at(shape.seconds * 1000),
    durationSeconds: shape.seconds,
    offeredRps: shape.rate,
    achievedRps,
    errorRate: requests > 0 ? failed / requests : 0,
    requests,
    failed,
    droppedIterations: Math.max(0, Math.round(offered - requests)),
    outcomes: [{ version: "v1", status: 200, count: requests - failed }, ...(failed > 0 ? [{ version: "unknown", status: 503, count: failed }] : [])],
    latency: { e2e },
    evidence: [`evidence/${shape.name}/k6-summary.json`],
  };
  if (stream) {
    result.latency.ttft = latencies(requests, 85 * saturation + shape.overheadMs, 0.3, rand);
    result.latency.itl = latencies(requests * 31, 11 + shape.overheadMs / 20, 0.2, rand);
    result.outputTokensPerSecond = latencies(requests, 88 / saturation, 0.1, rand);
  }
  return result;
}

function step(partial: Partial<StepRecord> & Pick<StepRecord, "id" | "name" | "kind">, offsetMs = 0): StepRecord {
  return { status: "ok", startedAt: at(offsetMs), durationMs: 1500, ...partial };
}

function scenario(partial: Omit<ScenarioRecord, "status" | "verdicts"> & { status?: ScenarioRecord["status"] }): ScenarioRecord {
  const verdicts = partial.steps.flatMap((s) => s.verdicts ?? []);
  return { ...partial, status: partial.status ?? scenarioStatus(verdicts), verdicts };
}

function run(partial: Pick<RunResults, "runId" | "command" | "name" | "targets"> & Partial<RunResults>): RunResults {
  const verdicts = allVerdicts(partial as RunResults);
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    startedAt: at(0),
    endedAt: at(754_000),
    durationMs: 754_000,
    dryRun: false,
    cluster: { name: "kind", description: "kind cluster meshproof-7f3a (Kubernetes v1.34.0)" },
    options: { mesh: "both", cluster: "kind", seed: 42, keep: false, rate: 10 },
    tools: [
      { name: "kubectl", path: "/usr/local/bin/kubectl", source: "PATH", version: "v1.34.1" },
      { name: "loadgen", path: "tools/loadgen/loadgen", source: "meshproof setup", version: "meshproof loadgen v0.1.0" },
      { name: "istioctl", path: "tools/istio-1.30.3/bin/istioctl", source: "meshproof setup", version: "1.30.3" },
    ],
    versions: { meshproof: "0.1.0", kubernetes: "v1.34.0", "gateway-api": "v1.5.1", node: "v20.20.2" },
    host: { platform: "linux x64", cpus: 8, node: "v20.20.2" },
    ...partial,
    summary: { ...summarize(verdicts), exitCode: exitCodeFor(verdicts) },
  };
}

function latencyVerdict(id: string, claim: string, observed: number, maxMs: number, n: number, stepEvidence: string): Verdict {
  const pass = observed <= maxMs;
  return {
    checkId: id,
    claim,
    status: pass ? "pass" : "fail",
    reason: pass ? `the quantile is within the ${maxMs} ms objective` : `the quantile exceeds the ${maxMs} ms objective`,
    observed,
    expected: maxMs,
    // As the latency check records it: the two-sided distribution-free interval of the quantile.
    interval: { low: Math.round(observed * 0.93 * 1000) / 1000, high: Math.round(observed * 1.08 * 1000) / 1000, confidence: 0.9998 },
    sampleSize: n,
    errorProbabilities: { falseFailure: 1e-4, falsePass: 1e-2 },
    unit: "ms",
    evidence: [stepEvidence],
  };
}

export interface BenchmarkOptions {
  mesh?: "none" | "istio" | "linkerd";
  meshVersion?: string;
  /** Latency a mesh proxy adds to every request. */
  overheadMs?: number;
  seed?: number;
  runId?: string;
  rates?: number[];
  /** Seconds per step: shorter keeps histograms, and so tests, small. */
  seconds?: number;
}

const benchmarkCache = new Map<string, RunResults>();

/** A rate sweep on one mesh: one measure step per rate, each with a TTFT objective. */
export function benchmarkRun(opts: BenchmarkOptions = {}): RunResults {
  const key = JSON.stringify(opts);
  let cached = benchmarkCache.get(key);
  if (!cached) {
    cached = buildBenchmarkRun(opts);
    benchmarkCache.set(key, cached);
  }
  return structuredClone(cached);
}

function buildBenchmarkRun(opts: BenchmarkOptions): RunResults {
  const mesh = opts.mesh ?? "none";
  const seed = opts.seed ?? 1;
  const rates = opts.rates ?? [5, 10, 20, 40];
  const steps = rates.map((rate, i) => {
    const id = `rate-${rate}`;
    const load = loadResult({ name: id, rate, seconds: opts.seconds ?? 60, overheadMs: opts.overheadMs ?? 0, errorRate: rate > 25 ? 0.012 : 0, seed: seed * 100 + i });
    const ttft = load.latency.ttft as LatencySummary;
    return step(
      {
        id,
        name: `measure latency at ${rate} requests per second`,
        kind: "measure",
        durationMs: (opts.seconds ?? 60) * 1000 + 1200,
        load,
        batches: 1,
        verdicts: [latencyVerdict(`${id}-ttft-p99`, `p99 time to first token at ${rate} rps stays under 400 ms`, ttft.p99, 400, ttft.count, load.evidence[0] as string)],
        evidence: load.evidence,
      },
      i * 62_000,
    );
  });
  const target: TargetRecord = {
    mesh,
    meshVersion: opts.meshVersion ?? (mesh === "istio" ? "1.30.3" : mesh === "linkerd" ? "version-2.20" : "n/a"),
    routing: "native",
    setup: [step({ id: "deploy-stack", name: "deploy the reference LLM stack", kind: "apply" })],
    scenarios: [
      scenario({
        name: "benchmark",
        description: "Latency and throughput of streamed chat completions across a rate sweep.",
        claims: ["p99 time to first token stays under 400 ms up to the backend's capacity"],
        requires: [],
        steps,
      }),
    ],
    teardown: [step({ id: "remove-stack", name: "remove the reference LLM stack", kind: "delete" })],
  };
  return run({ runId: opts.runId ?? `20260314-020000-bench-${mesh}-${seed}`, command: "scenario", name: "benchmark", targets: [target] });
}

/** As the analysis module writes them: unit "proportion", the planned error probabilities. */
function proportionVerdict(v: Omit<Verdict, "evidence" | "errorProbabilities" | "unit"> & { evidence?: string[] }): Verdict {
  return { errorProbabilities: { falseFailure: 1e-5, falsePass: 1e-3 }, unit: "proportion", evidence: v.evidence ?? ["evidence/split/outcomes.json"], ...v };
}

function canaryTarget(mesh: "istio" | "linkerd"): TargetRecord {
  const istio = mesh === "istio";
  const splitVerdict: Verdict = istio
    ? proportionVerdict({
        checkId: "split-canary-share",
        claim: "10% of requests reach the canary",
        status: "pass",
        reason: "the 99.999% interval lies inside 10% ± 2 pts",
        observed: 0.1012,
        expected: 0.1,
        interval: { low: 0.0902, high: 0.1131, confidence: 0.99999 },
        tolerance: 0.02,
        sampleSize: 4800,
      })
    : proportionVerdict({
        checkId: "split-canary-share",
        claim: "10% of requests reach the canary",
        status: "inconclusive",
        reason: "the interval straddles the tolerance edge after 4 batches (the sample budget)",
        observed: 0.1178,
        expected: 0.1,
        interval: { low: 0.1004, high: 0.1371, confidence: 0.99999 },
        tolerance: 0.02,
        sampleSize: 1600,
      });
  const headerVerdict = proportionVerdict({
    checkId: "header-route-canary",
    claim: "requests with x-canary: true all reach the canary",
    status: "pass",
    reason: "every request with the header reached the canary",
    observed: 1,
    expected: 1,
    interval: { low: 0.9962, high: 1, confidence: 0.99999 },
    tolerance: 0.005,
    sampleSize: 3000,
  });
  const delayVerdict: Verdict = istio
    ? proportionVerdict({
        checkId: "chaos-delay-share",
        claim: "10% of chaos-tagged requests are delayed by 500 ms",
        status: "fail",
        reason: "the 99.999% interval lies wholly below 10% - 2 pts: the delay reached far fewer requests",
        observed: 0.0412,
        expected: 0.1,
        interval: { low: 0.0311, high: 0.0534, confidence: 0.99999 },
        tolerance: 0.02,
        sampleSize: 2400,
      })
    : {
        checkId: "chaos-delay-share",
        claim: "10% of chaos-tagged requests are delayed by 500 ms",
        status: "unsupported",
        reason: "linkerd cannot express the fault intent (delay)",
        evidence: [],
      };
  const steps: StepRecord[] = [
    step({ id: "shift-10", name: "shift 10% of traffic to the canary", kind: "apply" }, 0),
    step(
      {
        id: "await-shift-10",
        name: "wait until traffic follows the 90/10 split",
        kind: "converge",
        durationMs: istio ? 16_400 : 31_900,
        load: loadResult({ name: "await-shift-10-probe", rate: 20, seconds: 5, overheadMs: 2, errorRate: 0, seed: istio ? 7 : 8 }),
        convergence: {
          converged: true,
          timeToConvergeMs: istio ? 12_300 : 27_800,
          windows: 3,
          misses: istio
            ? [{ atMs: 5_100, reason: "canary share 0.0% (the new route was not yet programmed)" }]
            : [
                { atMs: 5_200, reason: "canary share 0.0% (HTTPRoute not yet accepted)" },
                { atMs: 10_400, reason: "canary share 4.1%" },
                { atMs: 15_600, reason: "canary share 7.2%" },
              ],
          diagnosis: "converged",
        },
      },
      2_000,
    ),
    step(
      {
        id: "measure-split",
        name: "measure the canary share under load",
        kind: "measure",
        durationMs: istio ? 60_800 : 121_000,
        load: loadResult({ name: "measure-split", rate: 20, seconds: istio ? 60 : 120, overheadMs: istio ? 3.1 : 1.4, errorRate: 0.001, seed: istio ? 11 : 12 }),
        batches: istio ? 1 : 4,
        verdicts: [splitVerdict, headerVerdict],
      },
      20_000,
    ),
  ];
  if (istio) {
    steps.push(
      step({ id: "inject-delay", name: "delay 10% of chaos-tagged requests by 500 ms", kind: "apply" }, 90_000),
      step(
        {
          id: "measure-delay",
          name: "measure the share of delayed requests",
          kind: "measure",
          durationMs: 61_000,
          load: loadResult({ name: "measure-delay", rate: 20, seconds: 60, overheadMs: 3.2, errorRate: 0, seed: 13 }),
          batches: 1,
          verdicts: [delayVerdict],
        },
        92_000,
      ),
    );
  } else {
    steps.push(
      step(
        {
          id: "inject-delay-unsupported-fault",
          name: "fault is not supported by linkerd",
          kind: "unsupported",
          status: "unsupported",
          durationMs: 0,
          unsupported: { intent: "fault", reason: "Linkerd has no delay injection: faults are emulated by a backend that serves errors, which cannot delay" },
          verdicts: [delayVerdict],
        },
        250_000,
      ),
    );
  }
  return {
    mesh,
    meshVersion: istio ? "1.30.3" : "version-2.20",
    routing: istio ? "native" : "gamma",
    capabilities: {
      split: { support: "native", note: istio ? "VirtualService weights" : "HTTPRoute backendRefs weights" },
      route: { support: "native", note: istio ? "VirtualService match" : "HTTPRoute matches" },
      fault: istio ? { support: "native", note: "VirtualService fault" } : { support: "unsupported", note: "no delay injection" },
      retry: istio ? { support: "native", note: "VirtualService retries" } : { support: "emulated", note: "retry annotations with a budget" },
      timeout: { support: "native", note: istio ? "VirtualService timeout" : "HTTPRoute timeouts" },
      outlier: istio ? { support: "native", note: "DestinationRule outlierDetection" } : { support: "emulated", note: "failure accrual" },
      mtls: { support: "native", note: istio ? "PeerAuthentication" : "automatic mTLS" },
      authz: { support: "native", note: istio ? "AuthorizationPolicy" : "AuthorizationPolicy (policy.linkerd.io)" },
      rateLimit: istio ? { support: "native", note: "local rate limit EnvoyFilter" } : { support: "native", note: "HTTPLocalRateLimitPolicy" },
    },
    setup: [
      step({ id: `install-${mesh}`, name: `install ${mesh}`, kind: "command", durationMs: 48_000 }),
      step({ id: "deploy-stack", name: "deploy the reference LLM stack", kind: "apply" }),
    ],
    scenarios: [
      scenario({
        name: "canary",
        description: "A 90/10 canary with a header override, then a chaos delay on tagged requests.",
        claims: ["10% of requests reach the canary", "x-canary: true always reaches the canary", "a chaos header delays 10% of requests"],
        requires: ["split", "route", "fault"],
        steps,
      }),
    ],
    teardown: [step({ id: "remove-stack", name: "remove the reference LLM stack", kind: "delete" })],
  };
}

let canaryCache: RunResults | undefined;

/**
 * Canary on both meshes: Istio passes and fails a check, Linkerd is inconclusive and
 * unsupported. Built once (filling the histograms is the slow part), a fresh copy per call so
 * a test may change it.
 */
export function canaryRun(): RunResults {
  canaryCache ??= run({ runId: "20260314-020000-canary", command: "scenario", name: "canary", targets: [canaryTarget("istio"), canaryTarget("linkerd")] });
  return structuredClone(canaryCache);
}

/** A string built to break HTML, XML, YAML and Markdown if any renderer forgets to escape. */
export const HOSTILE = `</script><script>alert("x")</script><img src=x onerror=alert(1)> & ]]> | *bold* \u0001 'q' "dq"`;

/** The canary run with hostile text in every free-text field a renderer prints. */
export function hostileRun(): RunResults {
  const results = canaryRun();
  const target = results.targets[0] as TargetRecord;
  const sc = target.scenarios[0] as ScenarioRecord;
  sc.description = HOSTILE;
  sc.claims = [HOSTILE];
  const v = sc.verdicts[0] as Verdict;
  v.claim = HOSTILE;
  v.checkId = `check-${HOSTILE}`;
  v.reason = HOSTILE;
  const measure = sc.steps.find((s) => s.id === "measure-split") as StepRecord;
  measure.name = HOSTILE;
  results.name = HOSTILE;
  results.options = { note: HOSTILE };
  return results;
}

/** The canary run stopped by SIGINT during Linkerd's measure step: exit 130, the step interrupted. */
export function abortedRun(): RunResults {
  const results = canaryRun();
  results.runId = "20260314-020000-canary-aborted";
  const linkerd = results.targets[1] as TargetRecord;
  const sc = linkerd.scenarios[0] as ScenarioRecord;
  const measure = sc.steps.find((s) => s.id === "measure-split") as StepRecord;
  measure.status = "interrupted";
  measure.error = "interrupted by SIGINT";
  delete measure.verdicts;
  sc.steps = sc.steps.slice(0, sc.steps.indexOf(measure) + 1);
  sc.verdicts = [];
  sc.status = "error";
  linkerd.teardown = [step({ id: "remove-stack", name: "remove the reference LLM stack", kind: "delete", durationMs: 2100 }, 300_000)];
  const verdicts = allVerdicts(results);
  results.summary = { ...summarize(verdicts), exitCode: 130 };
  results.aborted = "interrupted by SIGINT";
  return results;
}

export interface SuiteOptions {
  seed: number;
  runId: string;
  /** Latency Istio's proxy adds on top of its usual few ms: a regression to find. */
  istioExtraMs?: number;
  /** Error rate of Linkerd's benchmark steps: a regression to find. */
  linkerdErrorRate?: number;
}

const CANARY_STEPS = [10, 25, 50] as const;
const MESH_COST_MS: Record<string, number> = { none: 0, istio: 3.2, linkerd: 1.6 };

function suiteTarget(mesh: "none" | "istio" | "linkerd", opts: SuiteOptions, index: number): TargetRecord {
  const rand = seeded(opts.seed * 1000 + index);
  const costMs = MESH_COST_MS[mesh]! + (mesh === "istio" ? (opts.istioExtraMs ?? 0) : 0);
  const errorRate = mesh === "linkerd" ? (opts.linkerdErrorRate ?? 0) : 0;
  const benchSteps = [10, 20].map((rate, i) => {
    const id = `rate-${rate}`;
    const load = loadResult({ name: id, rate, seconds: 20, overheadMs: costMs, errorRate, seed: opts.seed * 100 + index * 10 + i });
    const ttft = load.latency.ttft as LatencySummary;
    return step(
      {
        id,
        name: `measure latency at ${rate} requests per second`,
        kind: "measure",
        durationMs: 21_200,
        load,
        batches: 1,
        verdicts: [latencyVerdict(`${id}-ttft-p99`, `p99 time to first token at ${rate} rps stays under 400 ms`, ttft.p99, 400, ttft.count, load.evidence[0] as string)],
        evidence: load.evidence,
      },
      i * 22_000,
    );
  });
  const scenarios: ScenarioRecord[] = [
    scenario({ name: "benchmark", description: "Latency and throughput of streamed chat completions across a rate sweep.", claims: ["p99 time to first token stays under 400 ms"], requires: [], steps: benchSteps }),
  ];
  if (mesh !== "none") {
    const canarySteps: StepRecord[] = [];
    CANARY_STEPS.forEach((percent, i) => {
      const expected = percent / 100;
      const n = 2000;
      const observed = Math.round((expected + (rand() - 0.5) * 0.02) * n) / n;
      const half = 2.6 * Math.sqrt((expected * (1 - expected)) / n);
      canarySteps.push(
        step({ id: `shift-${percent}`, name: `shift ${percent}% of traffic to the canary`, kind: "apply" }, 60_000 + i * 40_000),
        step(
          {
            id: `await-shift-${percent}`,
            name: `wait until traffic follows the ${100 - percent}/${percent} split`,
            kind: "converge",
            durationMs: 9_000 + rand() * 8_000,
            convergence: { converged: true, timeToConvergeMs: Math.round(4_000 + rand() * 9_000), windows: 3, misses: [], diagnosis: "converged" },
          },
          61_000 + i * 40_000,
        ),
        step(
          {
            id: `measure-${percent}`,
            name: `measure the canary share at ${percent}%`,
            kind: "measure",
            durationMs: 20_400,
            batches: 1,
            verdicts: [
              proportionVerdict({
                checkId: `split-${percent}`,
                claim: `${percent}% of requests reach the canary`,
                status: "pass",
                reason: `the 99.999% interval lies inside ${percent}% ± 2 pts`,
                observed,
                expected,
                interval: { low: Math.max(0, observed - half), high: Math.min(1, observed + half), confidence: 0.99999 },
                tolerance: 0.02,
                sampleSize: n,
                evidence: [`evidence/canary/measure-${percent}/outcomes.json`],
              }),
            ],
          },
          75_000 + i * 40_000,
        ),
      );
    });
    scenarios.push(
      scenario({ name: "canary", description: "0 → 10 → 25 → 50% to the canary with SLO gates.", claims: ["each step's share reaches the canary"], requires: ["split"], steps: canarySteps }),
    );
  }
  return {
    mesh,
    meshVersion: mesh === "istio" ? "1.30.3" : mesh === "linkerd" ? "version-2.20" : "n/a",
    routing: "native",
    setup: [step({ id: "deploy-stack", name: "deploy the reference LLM stack", kind: "apply" })],
    scenarios,
    teardown: [step({ id: "collect-evidence", name: "collect events and logs", kind: "command", durationMs: 800 }), step({ id: "remove-stack", name: "remove the reference LLM stack", kind: "delete" })],
  };
}

const suiteCache = new Map<string, RunResults>();

/** The nightly suite on Istio, Linkerd and the baseline: a benchmark everywhere, a canary on the meshes. */
export function suiteRun(opts: SuiteOptions): RunResults {
  const key = JSON.stringify(opts);
  let cached = suiteCache.get(key);
  if (!cached) {
    cached = run({ runId: opts.runId, command: "suite", name: "nightly", targets: [suiteTarget("istio", opts, 1), suiteTarget("linkerd", opts, 2), suiteTarget("none", opts, 3)] });
    suiteCache.set(key, cached);
  }
  return structuredClone(cached);
}
