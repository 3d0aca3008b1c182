/**
 * The timeouts scenario's checks judged on what a mesh would answer: the past-the-limit step's
 * planned checks and batches, fed with loadgen summaries (the generator's JSON, read by the
 * harness's reader) of a mesh that enforces the route timeout the plan rendered. The correct
 * policy passes; the wrong twins of the mutant catalog (a timeout ten times longer, none at all)
 * and a cut at 30 s fail, each on a check aimed at it, every check decided in the step's first
 * batch (none left drawing minute-long batches for want of samples); summaries of a
 * loadgen that did not time failed requests leave the timing checks unsupported, never passed.
 */
import { describe, expect, it } from "vitest";
import { evaluateWindow, startEvaluation } from "../../src/analysis/checks.js";
import { LatencyRecorder } from "../../src/analysis/hdr.js";
import type { Verdict } from "../../src/analysis/verdict.js";
import type { MeasureStep } from "../../src/plan/steps.js";
import { mutatingDriver } from "../../src/engine/mutant.js";
import type { IntentOf } from "../../src/mesh/intent.js";
import { loadResultOf, type LoadgenSummary } from "../../src/load/loadgen.js";
import { LoadProfile, type LoadResult } from "../../src/load/profile.js";
import { scheduledSeconds } from "../../src/load/schedule.js";
import { MUTANTS } from "../../scenarios/mutants.js";
import { INFERENCE_TIMEOUT_MS } from "../../scenarios/policies.js";
import { CUT_SLACK_MS, PAST_TIMEOUT_DELAY_MS, timeouts } from "../../scenarios/timeouts.js";
import { allSteps, contextFor, fakeDriver, plan, step } from "./helpers.js";

const mutant = (name: string) => MUTANTS.find((m) => m.name === name)!;

/** The inference route's timeout the plan applies (the fake driver keeps each intent as data); undefined when there is none. */
function inferenceTimeoutOf(mutantName?: string): { timeoutMs: number | undefined; past: MeasureStep; probe: LoadProfile; convergeChecks: Parameters<typeof evaluateWindow>[0] } {
  const driver = mutantName ? mutatingDriver(fakeDriver("linkerd"), mutant(mutantName)) : fakeDriver("linkerd");
  const p = plan(timeouts, contextFor("linkerd", driver));
  const apply = allSteps(p).find((s) => s.id === "route-timeouts");
  if (apply?.kind !== "apply") throw new Error("no route-timeouts apply step");
  const intents = apply.manifests.map((m) => JSON.parse((m as unknown as { data: { intent: string } }).data.intent) as IntentOf<"timeout">);
  const inference = intents.find((i) => i.kind === "timeout" && i.match?.path?.value === "/v1");
  const converge = step(p, "timeouts-converge", "converge");
  return { timeoutMs: inference?.ms, past: step(p, "past-the-limit", "measure"), probe: LoadProfile.parse(converge.probe), convergeChecks: converge.checks };
}

interface Answer {
  status: number;
  /** From the send. */
  ms: number;
}

/**
 * What a mesh answers a request the server holds `heldMs`: its route timeout cuts it with 504
 * (the proxy's timer firing a little late, up to `lateMs`), else the server's 200 arrives, else
 * the client's own timeout ends it without a response.
 */
function meshAnswer(i: number, routeTimeoutMs: number | undefined, heldMs: number, clientTimeoutMs: number, lateMs = 250): Answer {
  const late = (i % 26) * (lateMs / 25);
  if (routeTimeoutMs !== undefined && routeTimeoutMs < Math.min(heldMs, clientTimeoutMs)) return { status: 504, ms: routeTimeoutMs + late };
  if (heldMs < clientTimeoutMs) return { status: 200, ms: heldMs + 5 + (i % 7) };
  return { status: 0, ms: clientTimeoutMs };
}

const START_DELAY_MS = 3;

/** A summary as tools/loadgen writes it (schema meshproof-loadgen/1), failures timed or, as an older loadgen did, not. */
function summaryOf(profile: LoadProfile, answers: Answer[], timesFailures = true): LoadgenSummary {
  const ok = { e2e: new LatencyRecorder(), e2eFromSend: new LatencyRecorder() };
  const failed = new Map<number, { e2e: LatencyRecorder; e2eFromSend: LatencyRecorder }>();
  const counts = new Map<number, number>();
  for (const a of answers) {
    counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
    const into = a.status === 200 ? ok : (failed.get(a.status) ?? failed.set(a.status, { e2e: new LatencyRecorder(), e2eFromSend: new LatencyRecorder() }).get(a.status)!);
    into.e2eFromSend.record(a.ms);
    into.e2e.record(a.ms + START_DELAY_MS);
  }
  const encoded = (r: LatencyRecorder) => ({ count: r.count, encoded: r.summary().hdr });
  const failures = answers.filter((a) => a.status !== 200).length;
  return {
    schema: "meshproof-loadgen/1",
    loadgenVersion: "v0.1.0",
    profile: profile.name,
    startedAt: "2026-12-06T22:00:00.000Z",
    endedAt: "2026-12-06T22:03:00.000Z",
    scheduled: answers.length,
    started: answers.length,
    dropped: 0,
    notStarted: 0,
    requests: answers.length,
    failed: failures,
    peakInFlight: 150,
    outcomes: [...counts].map(([status, count]) => ({ version: status === 0 ? "unknown" : status === 504 ? "unknown" : "stable", status, ok: status === 200, peer: "none", attempt: status === 200 ? 1 : 0, count })),
    histograms: { e2e: encoded(ok.e2e), e2eFromSend: encoded(ok.e2eFromSend), startDelay: { count: 0, encoded: "" } },
    ...(timesFailures ? { failedLatency: [...failed].sort(([a], [b]) => a - b).map(([status, r]) => ({ status, histograms: { e2e: encoded(r.e2e), e2eFromSend: encoded(r.e2eFromSend) } })) } : {}),
    errors: [],
  };
}

/** One batch of the profile's size, as the load step would draw it. */
function batch(profile: LoadProfile, routeTimeoutMs: number | undefined, n: number, offset: number, timesFailures = true): LoadResult {
  const answers = Array.from({ length: n }, (_, i) => meshAnswer(offset + i, routeTimeoutMs, PAST_TIMEOUT_DELAY_MS, profile.requestTimeoutMs));
  return loadResultOf(summaryOf(profile, answers, timesFailures), profile, [`loadgen-${profile.name}-${offset}.json`]);
}

/** The step's checks over batches of its planned size until they decide or its batches run out, as the executor draws them. */
function judgePastTheLimit(routeTimeoutMs: number | undefined, past: MeasureStep, timesFailures = true): { verdicts: Map<string, Verdict>; batches: number; firstBatch: number } {
  const profile = LoadProfile.parse(past.load);
  const evaluation = startEvaluation(past.checks);
  const firstBatch = Math.round(profile.rate * scheduledSeconds(profile));
  let sent = 0;
  let batches = 0;
  while (batches < past.maxBatches && !evaluation.decided()) {
    const n = batches === 0 ? firstBatch : Math.max(1, Math.min(evaluation.samplesNeeded(), 10 * firstBatch));
    evaluation.observe(batch(profile, routeTimeoutMs, n, sent, timesFailures));
    sent += n;
    batches += 1;
  }
  return { verdicts: new Map(evaluation.verdicts(true).map((v) => [v.checkId, v])), batches, firstBatch };
}

describe("timeouts: the cut is timed on the failed responses", () => {
  it("the claimed 60 s policy passes every check of the past-the-limit step, timed on the 504s, in one batch", () => {
    const { timeoutMs, past } = inferenceTimeoutOf();
    expect(timeoutMs).toBe(INFERENCE_TIMEOUT_MS);
    const { verdicts, batches, firstBatch } = judgePastTheLimit(timeoutMs, past);
    expect([...verdicts.values()].map((v) => [v.checkId, v.status])).toEqual([
      ["cut-with-504", "pass"],
      ["not-cut-early", "pass"],
      ["not-cut-late", "pass"],
    ]);
    expect(batches).toBe(1);
    // Every request was cut, so both timing checks were judged on the 504s alone.
    for (const id of ["not-cut-early", "not-cut-late"]) {
      expect(verdicts.get(id)!.reason).toMatch(/e2eFromSend samples of every response/);
      expect(verdicts.get(id)!.sampleSize).toBe(firstBatch);
    }
  });

  it("a cut at 30 s fails 'not cut early', decided rather than inconclusive", () => {
    const { past } = inferenceTimeoutOf();
    const { verdicts, batches } = judgePastTheLimit(INFERENCE_TIMEOUT_MS / 2, past);
    expect(verdicts.get("not-cut-early")).toMatchObject({ status: "fail", observed: 0 });
    // What the 30 s cut does not break still holds: every request is cut, none runs late.
    expect(verdicts.get("cut-with-504")!.status).toBe("pass");
    expect(verdicts.get("not-cut-late")!.status).toBe("pass");
    expect(batches).toBe(1);
  });

  it("a cut a little past the slack fails 'not cut late'", () => {
    const { past } = inferenceTimeoutOf();
    const { verdicts } = judgePastTheLimit(INFERENCE_TIMEOUT_MS + CUT_SLACK_MS + 500, past);
    expect(verdicts.get("not-cut-late")).toMatchObject({ status: "fail", observed: 1 });
    expect(verdicts.get("not-cut-early")!.status).toBe("pass");
  });

  for (const name of ["timeouts-ten-times-longer", "timeouts-missing"]) {
    it(`mutant ${name}: the aimed convergence check fails, and in the measure step the cut and 'not cut late', in one batch`, () => {
      const { timeoutMs, past, probe, convergeChecks } = inferenceTimeoutOf(name);
      expect(timeoutMs === undefined || timeoutMs > PAST_TIMEOUT_DELAY_MS).toBe(true);
      const window = evaluateWindow(convergeChecks, batch(probe, timeoutMs, Math.round(probe.rate * scheduledSeconds(probe)), 0));
      expect(window.find((v) => v.checkId === mutant(name).aimedAt)?.status).toBe("fail");
      const { verdicts, batches } = judgePastTheLimit(timeoutMs, past);
      expect(verdicts.get("cut-with-504")!.status).toBe("fail");
      // Requests run to the server's 65 s and end in 200: "left running past 62 s", decided.
      expect(verdicts.get("not-cut-late")).toMatchObject({ status: "fail", observed: 1 });
      // Nothing ended before 58 s, which is all "not cut early" claims.
      expect(verdicts.get("not-cut-early")!.status).toBe("pass");
      expect(batches).toBe(1);
    });
  }

  it("summaries of a loadgen that did not time failures leave the timing checks unsupported, never passed", () => {
    const { timeoutMs, past } = inferenceTimeoutOf();
    const { verdicts } = judgePastTheLimit(timeoutMs, past, false);
    expect(verdicts.get("cut-with-504")!.status).toBe("pass");
    for (const id of ["not-cut-early", "not-cut-late"]) {
      expect(verdicts.get(id)!.status).toBe("unsupported");
      expect(verdicts.get(id)!.reason).toMatch(/did not time failed requests/);
    }
  });
});
