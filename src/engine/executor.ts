/**
 * Walks a RunPlan. Each created thing registers its undo the moment it is created; cleanup runs
 * LIFO per scenario, per target and per run, and keeps going after errors. Evidence is collected
 * before anything is destroyed. Verdicts come only from the analysis module's sequential checks.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { startEvaluation, evaluateWindow, independenceVerdicts, ConvergenceTracker, type ConvergenceDiagnosis } from "../analysis/index.js";
import type { CheckSpec, Verdict } from "../analysis/verdict.js";
import type { KubeClient } from "../cluster/kube.js";
import type { LoadProfile, LoadResult } from "../load/profile.js";
import type { ConvergenceRecord, MutantRunRecord, ScenarioRecord, StepRecord, TargetRecord } from "../report/results.js";
import { familyWiseBounds, scenarioStatus } from "../report/results.js";
import { CleanupStack } from "../core/cleanup.js";
import { tail, type CommandRunner } from "../core/commands.js";
import { MeshproofError, TimeoutError, errorMessage, formatMs, isBug } from "../core/errors.js";
import { mergeLoadResults } from "./merge-load.js";
import { walkSteps } from "../plan/steps.js";
import { judgeMutant } from "./mutant.js";
import type { ConvergeStep, GateStep, KubeObject, LoadClient, MeasureStep, MutantPlan, ScenarioPlan, Step, TargetPlan } from "../plan/steps.js";
import { writeStepFiles, type ProcessLauncher } from "./processes.js";
import type { RunPlanWithCluster } from "./run-plan.js";
import { pollUntil, withTimeout, MUTANT_CONVERGENCE, TIMEOUTS } from "../core/timeouts.js";

/** Sends load for one target and returns what the load generator measured. */
export interface LoadRunner {
  run(profile: LoadProfile, opts: { signal: AbortSignal; label: string }): Promise<LoadResult>;
}

export interface ProgressSink {
  stepStarted(where: string, step: Step): void;
  stepFinished(where: string, step: Step, record: StepRecord): void;
  note(message: string): void;
}

export interface ExecutionEnv {
  runDir: string;
  signal: AbortSignal;
  keep: boolean;
  progress: ProgressSink;
  commands: CommandRunner;
  processes: ProcessLauncher;
  /** undefined for `local`: no Kubernetes API. */
  kube: KubeClient | undefined;
  /** The load runner of a target's step, sending from the client the plan names (undefined: a plan built by hand, e.g. in tests). */
  loadFor(mesh: string, client: LoadClient | undefined): LoadRunner;
  /** Milliseconds since some origin for convergence tracking; Date.now by default (tests inject a fake one). */
  clock?: () => number;
}

/** A converge step's limit other than its plan's, and why (a mutant's, derived on the install). */
export interface ConvergenceLimit {
  ms: number;
  reason: string;
}

export interface ExecutionResult {
  clusterSetup: StepRecord[];
  targets: TargetRecord[];
  /** First error that ended the run early (environment, interrupt), if any. */
  aborted?: MeshproofError | Error;
  /** Errors of meshproof's own code (isBug) that failed a step: the run exits 70, not 1. */
  bugs: Error[];
  /** Every undo that failed, as "<where>: <what>: <why>": something this run created may be left behind. */
  cleanupFailures: string[];
}

/** Checks an unsupported step named, by id: why the mesh cannot do it, and the claim it stands for. */
type UnsupportedChecks = Map<string, { reason: string; claim: string }>;

/** Steps that failed end their phase; this marks the failure so callers can stop walking. */
class StepFailed extends Error {
  constructor(readonly record: StepRecord, override readonly cause: unknown) {
    super(record.error ?? "step failed");
  }
}

export async function executePlan(plan: RunPlanWithCluster, env: ExecutionEnv): Promise<ExecutionResult> {
  const runCleanup = new CleanupStack();
  const walker = new Walker(env);
  const result: ExecutionResult = { clusterSetup: [], targets: [], bugs: walker.bugs, cleanupFailures: walker.cleanupFailures };
  try {
    await walker.runAll(plan.cluster.setup, "cluster", runCleanup, result.clusterSetup);
    for (const target of plan.targets) {
      const record = await walker.runTarget(target);
      result.targets.push(record);
      if (walker.stopWith) throw walker.stopWith;
      if (env.signal.aborted) break;
    }
  } catch (err) {
    result.aborted = err instanceof StepFailed ? toError(err.cause) : toError(err);
    if (!(err instanceof StepFailed) && isBug(err)) walker.bugs.push(result.aborted);
  } finally {
    await walker.cleanUp(runCleanup, "cluster");
  }
  if (env.signal.aborted && !result.aborted) result.aborted = new Error("interrupted");
  return result;
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Identity of an object on the API server. */
function keyOf(o: KubeObject): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
}

class Walker {
  /** The mesh whose target is being walked: load goes to that target's runner. */
  private mesh = "cluster";
  /**
   * Objects the target's setup applied (the stack). A scenario policy may re-render one of them
   * (Linkerd's circuit breaking annotates the stack's Service): undoing that policy restores the
   * stack's copy instead of deleting an object the rest of the run needs.
   */
  private readonly owned = new Map<string, KubeObject>();
  readonly bugs: Error[] = [];
  /** An environment or usage error a scenario's step raised: the run stops after that scenario's cleanup. */
  stopWith: MeshproofError | undefined;
  readonly cleanupFailures: string[] = [];

  constructor(private readonly env: ExecutionEnv) {}

  async runTarget(target: TargetPlan): Promise<TargetRecord> {
    this.mesh = target.mesh;
    this.owned.clear();
    const cleanup = new CleanupStack();
    const record: TargetRecord = { mesh: target.mesh, meshVersion: target.meshVersion, routing: target.routing, setup: [], scenarios: [], teardown: [] };
    let setupDone = false;
    try {
      await this.runAll(target.setup, target.mesh, cleanup, record.setup);
      setupDone = true;
      for (const step of target.setup) if (step.kind === "apply") for (const m of step.manifests) this.owned.set(keyOf(m), m);
      if (target.mutants) record.mutants = [];
      for (const scenario of target.scenarios) {
        const correct = await this.runScenario(target.mesh, scenario);
        record.scenarios.push(correct);
        if (this.stopWith) throw this.stopWith;
        if (this.env.signal.aborted) break;
        for (const mutant of (target.mutants ?? []).filter((m) => m.mutant.scenario === scenario.scenario)) {
          record.mutants!.push(await this.runMutant(target.mesh, mutant, correct));
          if (this.stopWith) throw this.stopWith;
          if (this.env.signal.aborted) break;
        }
        if (this.env.signal.aborted) break;
      }
    } catch (err) {
      // A failed setup leaves the target's scenarios unjudged: say so instead of judging them.
      const reason = errorMessage(err instanceof StepFailed ? err.cause : err);
      for (const scenario of target.scenarios.slice(record.scenarios.length)) {
        record.scenarios.push({ name: scenario.scenario, description: scenario.description, claims: scenario.claims, requires: scenario.requires, status: "error", steps: [], verdicts: [] });
      }
      for (const mutant of (target.mutants ?? []).filter((m) => !record.mutants?.some((r) => r.name === m.mutant.name))) {
        (record.mutants ??= []).push(unrunMutant(mutant, setupDone ? `the run stopped before this mutant ran: ${reason}` : `the target's set-up failed, so the mutant never ran: ${reason}`));
      }
      const unrun = target.scenarios.length - record.scenarios.filter((s) => s.steps.length > 0).length;
      this.env.progress.note(setupDone ? `${target.mesh}: the run stopped (${reason}); ${unrun} of its scenarios did not run` : `${target.mesh}: setup failed, its scenarios did not run: ${reason}`);
      const cause = err instanceof StepFailed ? err.cause : err;
      // Ends the run once this target is cleaned up and recorded (executePlan).
      if (cause instanceof MeshproofError) this.stopWith ??= cause;
    } finally {
      // An interrupt leaves the rest of the mutants unrun: say so rather than drop them.
      if (target.mutants && this.env.signal.aborted) {
        for (const mutant of target.mutants.filter((m) => !record.mutants?.some((r) => r.name === m.mutant.name))) (record.mutants ??= []).push(unrunMutant(mutant, "the run was interrupted before this mutant ran"));
      }
      // Evidence first, then destroy.
      for (const step of target.teardown) record.teardown.push(await this.runStep(step, `${target.mesh} teardown`, cleanup).catch((e: StepFailed) => e.record));
      await this.cleanUp(cleanup, target.mesh, record.teardown);
    }
    // Last, where results.json has always had it: the plan's capability table for this target.
    if (target.capabilities) record.capabilities = target.capabilities;
    return record;
  }

  /**
   * A mutant right after its correct twin, on the same install: its plan runs like a scenario,
   * with its aimed convergence step limited by what the correct twin took there (see
   * mutantConvergenceLimit), and is judged on whether the aimed check failed.
   */
  async runMutant(mesh: string, mutant: MutantPlan, correct: ScenarioRecord): Promise<MutantRunRecord> {
    // A check that failed on the right configuration too says nothing by failing on the wrong one.
    const twinFailed = twinDidNotPass(mutant, correct);
    if (twinFailed) {
      const reason = `not run: its correct twin did not pass ${mutant.mutant.aimedAt} on this install (${twinFailed}), so a failure here would prove nothing`;
      this.env.progress.note(`${mesh} / mutant ${mutant.mutant.name}: ${reason}`);
      return unrunMutant(mutant, reason);
    }
    const started = performance.now();
    const limit = mutantConvergenceLimit(mutant, correct);
    const limits = new Map<string, ConvergenceLimit>(limit ? [[mutant.aimedStep, limit]] : []);
    const run = await this.runScenario(mesh, mutant.plan, { limits, where: `${mesh} / mutant ${mutant.mutant.name}` });
    const outcome = judgeMutant(mutant.mutant, run, mesh, mutant.aimedStep);
    this.env.progress.note(`${mesh} / mutant ${mutant.mutant.name}: ${outcome.status}: ${outcome.reason}`);
    return { ...mutant.mutant, aimedStep: mutant.aimedStep, status: outcome.status, reason: outcome.reason, durationMs: performance.now() - started, run };
  }

  async runScenario(mesh: string, plan: ScenarioPlan, opts: { limits?: ReadonlyMap<string, ConvergenceLimit>; where?: string } = {}): Promise<ScenarioRecord> {
    const cleanup = new CleanupStack();
    const where = opts.where ?? `${mesh} / ${plan.scenario}`;
    const steps: StepRecord[] = [];
    const verdicts: Verdict[] = [];
    const unsupportedChecks: UnsupportedChecks = new Map();
    // The policy before each change, as its own convergence checks: a window that still matches
    // it means the mesh never applied the change, rather than applied it wrongly.
    let previousPolicy: ConvergeStep | undefined;
    let error: string | undefined;
    try {
      for (const phase of plan.phases) {
        if (phase.name === "teardown") continue;
        for (const step of phase.steps) {
          if (this.env.signal.aborted) throw new Error("interrupted");
          if (step.kind === "unsupported") {
            for (const id of step.checks) unsupportedChecks.set(id, { reason: step.reason, claim: step.claims?.[id] ?? step.name });
          }
          if (step.kind === "gate") {
            const breach = gateBreach(step, steps.find((s) => s.id === step.after));
            const breached = breach !== undefined;
            const record = this.skipped(step, breach ? `${breach}: running the failure branch` : "no breach");
            steps.push(record);
            if (breached) {
              this.env.progress.note(`${where}: ${step.action}`);
              await this.runAll(step.onFail, where, cleanup, steps);
              throw new GateClosed(step.action);
            }
            continue;
          }
          const record = await this.runStep(step, where, cleanup, unsupportedChecks, previousPolicy, opts.limits?.get(step.id));
          steps.push(record);
          verdicts.push(...(record.verdicts ?? []));
          if (step.kind === "converge") {
            previousPolicy = step;
            // Later steps would measure a policy that is not in force: stop here, verdict recorded.
            if (record.convergence && !record.convergence.converged) throw new GateClosed("did not converge");
          }
        }
      }
    } catch (err) {
      if (err instanceof GateClosed) {
        // The gate did its job; the scenario ends with the verdicts gathered so far.
      } else {
        const cause = err instanceof StepFailed ? err.cause : err;
        // A missing tool or another environment problem ends the run with its own exit code
        // (as in setup), instead of passing for this scenario's failure.
        if (cause instanceof MeshproofError) this.stopWith = cause;
        error = errorMessage(cause);
        if (err instanceof StepFailed && !steps.includes(err.record)) steps.push(err.record);
      }
    } finally {
      const teardown = plan.phases.find((p) => p.name === "teardown")?.steps ?? [];
      for (const step of teardown) steps.push(await this.runStep(step, where, cleanup).catch((e: StepFailed) => e.record));
      await this.cleanUp(cleanup, where, steps);
    }
    // A check an unsupported step names that no later step judged still gets its verdict, so a
    // scenario whose driver could do nothing reads "not supported" with the reason, never a
    // pass of zero verdicts.
    const judged = new Set(verdicts.map((v) => v.checkId));
    for (const [checkId, { reason, claim }] of unsupportedChecks) {
      if (!judged.has(checkId)) verdicts.push(unsupportedVerdict(checkId, claim, reason));
    }
    const status = error ? "error" : scenarioStatus(verdicts);
    const familyWise = familyWiseBounds(verdicts);
    return { name: plan.scenario, description: plan.description, claims: plan.claims, requires: plan.requires, status, steps, verdicts, ...(familyWise ? { familyWise } : {}) };
  }

  async runAll(steps: readonly Step[], where: string, cleanup: CleanupStack, records: StepRecord[]): Promise<void> {
    for (const step of steps) {
      if (this.env.signal.aborted) throw new Error("interrupted");
      records.push(await this.runStep(step, where, cleanup));
    }
  }

  /** Run one step; throws StepFailed (carrying its record) when the step could not do its job. */
  async runStep(step: Step, where: string, cleanup: CleanupStack, unsupportedChecks: UnsupportedChecks = new Map(), previousPolicy?: ConvergeStep, limit?: ConvergenceLimit): Promise<StepRecord> {
    const startedAt = new Date().toISOString();
    const started = performance.now();
    this.env.progress.stepStarted(where, step);
    const record: StepRecord = { id: step.id, name: step.name, kind: step.kind, status: "ok", startedAt, durationMs: 0 };
    try {
      await this.perform(step, where, cleanup, record, unsupportedChecks, previousPolicy, limit);
    } catch (err) {
      record.status = this.env.signal.aborted ? "interrupted" : "failed";
      record.error = errorMessage(err);
      if (isBug(err)) this.bugs.push(err as Error);
      record.durationMs = performance.now() - started;
      this.env.progress.stepFinished(where, step, record);
      throw new StepFailed(record, err);
    }
    record.durationMs = performance.now() - started;
    this.env.progress.stepFinished(where, step, record);
    return record;
  }

  private async perform(step: Step, where: string, cleanup: CleanupStack, record: StepRecord, unsupportedChecks: UnsupportedChecks, previousPolicy?: ConvergeStep, limit?: ConvergenceLimit): Promise<void> {
    const { env } = this;
    switch (step.kind) {
      case "command": {
        if (step.skipIf) {
          const probe = await env.commands.run(step.skipIf, { timeoutMs: TIMEOUTS.command, signal: env.signal });
          if (probe.exitCode === 0) {
            record.status = "skipped";
            record.error = "already there";
            return;
          }
        }
        // Registered before running: a half-created cluster is still removed on interrupt.
        if (step.undo) {
          const undo = step.undo;
          // Undo runs after an interrupt too: on a signal of its own, each step bounded by its timeout.
          cleanup.push(`undo: ${step.name}`, () => new Walker({ ...env, signal: new AbortController().signal }).runAll(undo, `${where} cleanup`, new CleanupStack(), []));
        }
        const input = step.stdinFrom === "previous" ? this.lastStdout : undefined;
        const out = await env.commands.run(step.argv, { timeoutMs: step.timeoutMs, signal: env.signal, ...(input !== undefined ? { input } : {}), ...(step.env ? { env: step.env } : {}) });
        this.lastStdout = out.stdout;
        if (out.exitCode !== 0 && !step.allowFailure) {
          throw new Error(`\`${step.argv.join(" ")}\` exited ${out.exitCode}:\n${tail(out.stderr || out.stdout)}`);
        }
        return;
      }
      case "apply": {
        const kube = this.requireKube(step.name);
        if (!step.keep) {
          const { fresh, restore } = this.splitOwned(step.manifests);
          cleanup.push(`undo "${step.name}"`, async () => {
            if (fresh.length > 0) await withTimeout(kube.delete(fresh), TIMEOUTS.delete, `deleting ${fresh.length} objects`);
            if (restore.length > 0) await withTimeout(kube.apply(restore), TIMEOUTS.apply, `restoring ${restore.length} stack objects`);
          });
        }
        await withTimeout(kube.apply(step.manifests), step.timeoutMs, step.name);
        return;
      }
      case "delete": {
        const kube = this.requireKube(step.name);
        const { fresh, restore } = this.splitOwned(step.manifests);
        await withTimeout(kube.delete(fresh), step.timeoutMs, step.name);
        if (restore.length > 0) await withTimeout(kube.apply(restore), step.timeoutMs, `${step.name} (restoring stack objects)`);
        return;
      }
      case "process": {
        await writeStepFiles(step.files);
        const proc = await env.processes.start({ role: step.role, argv: step.argv, readyUrl: step.readyUrl, timeoutMs: step.timeoutMs, logDir: path.join(env.runDir, "evidence", "processes"), signal: env.signal, ...(step.env ? { env: step.env } : {}) });
        cleanup.push(`stop ${step.role} (pid ${proc.pid})`, () => proc.stop(), { always: true });
        record.evidence = [path.relative(env.runDir, proc.logFile)];
        return;
      }
      case "wait": {
        const condition = step.condition;
        const polled = await pollUntil(
          async () => {
            if (condition.type === "http") {
              const res = await fetch(condition.url, { signal: AbortSignal.timeout(5000) });
              return res.status === condition.status || `HTTP ${res.status}`;
            }
            if (condition.type === "command") {
              const out = await env.commands.run(condition.argv, { timeoutMs: Math.min(step.timeoutMs, TIMEOUTS.command), signal: env.signal });
              return out.exitCode === 0 || tail(out.stderr, 1) || `exit ${out.exitCode}`;
            }
            return this.requireKube(step.name).ready(condition);
          },
          { what: step.name, timeoutMs: step.timeoutMs, intervalMs: step.intervalMs, consecutive: step.consecutive, signal: env.signal },
        );
        if (polled.misses > 0) record.error = `ready after ${polled.misses} misses, ${formatMs(polled.elapsedMs)}`;
        return;
      }
      case "measure":
        return this.measure(step, where, record, unsupportedChecks);
      case "converge":
        return this.converge(step, where, record, unsupportedChecks, previousPolicy, limit);
      case "unsupported":
        record.status = "unsupported";
        record.unsupported = { intent: step.intent, reason: step.reason };
        return;
      case "collect": {
        const out = await env.commands.run(step.argv, { timeoutMs: step.timeoutMs, signal: env.signal });
        const file = path.join(env.runDir, step.file);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, out.exitCode === 0 ? out.stdout : `# \`${step.argv.join(" ")}\` exited ${out.exitCode}\n${out.stderr}`);
        record.evidence = [step.file];
        return;
      }
      case "gate":
        // Gates are handled by runScenario, which knows the verdicts of earlier steps.
        return;
    }
  }

  private lastStdout: string | undefined;

  /** Sequential measurement: more batches until every check decides or the budget is spent. */
  private async measure(step: MeasureStep, where: string, record: StepRecord, unsupportedChecks: UnsupportedChecks): Promise<void> {
    const checks = step.checks.filter((c) => !unsupportedChecks.has(c.id));
    const verdicts: Verdict[] = step.checks.flatMap((c) => {
      const unsupported = unsupportedChecks.get(c.id);
      return unsupported ? [unsupportedVerdict(c.id, c.claim, unsupported.reason)] : [];
    });
    if (checks.length === 0) {
      record.status = "unsupported";
      record.verdicts = verdicts;
      return;
    }
    const evaluation = startEvaluation(checks);
    const runner = this.env.loadFor(this.mesh, step.runsIn);
    const batches: LoadResult[] = [];
    // The plan's limit for the whole step (sizing derived it from every batch the step may draw):
    // past it the load in flight is interrupted and the step fails naming the limit, keeping the
    // batches it finished as evidence.
    const limit = AbortSignal.timeout(step.timeoutMs);
    const signal = AbortSignal.any([this.env.signal, limit]);
    for (let batch = 0; batch < step.maxBatches; batch += 1) {
      const profile = batch === 0 ? step.load : nextBatch(step.load, evaluation.samplesNeeded(), batches);
      let result: LoadResult;
      try {
        result = await runner.run({ ...profile, name: `${step.load.name}-${batch + 1}` }, { signal, label: `${where}: ${step.name}` });
      } catch (err) {
        if (!limit.aborted || this.env.signal.aborted) throw err;
        record.batches = batches.length;
        record.evidence = batches.flatMap((b) => b.evidence);
        throw new TimeoutError(`${step.name} (batch ${batch + 1} of at most ${step.maxBatches})`, step.timeoutMs);
      }
      batches.push(result);
      evaluation.observe(result);
      if (evaluation.decided()) break;
      this.env.progress.note(`${where}: ${step.name}: undecided after batch ${batch + 1}, drawing more (${evaluation.samplesNeeded()} more requests wanted)`);
    }
    verdicts.push(...evaluation.verdicts(true), ...independenceVerdicts(checks, batches));
    record.batches = batches.length;
    record.load = mergeLoadResults(batches);
    record.verdicts = verdicts;
    record.evidence = batches.flatMap((b) => b.evidence);
  }

  /** After a policy change: N consecutive probe windows must agree with the new policy. */
  private async converge(step: ConvergeStep, where: string, record: StepRecord, unsupportedChecks: UnsupportedChecks, previousPolicy?: ConvergeStep, shorter?: ConvergenceLimit): Promise<void> {
    const checks = step.checks.filter((c) => !unsupportedChecks.has(c.id));
    if (checks.length === 0) {
      record.status = "unsupported";
      return;
    }
    // A shorter limit (a mutant's) ends the wait only on a window that disagrees past it: windows
    // that agree keep going to the plan's limit, so a right but slow configuration still converges.
    const early = shorter && shorter.ms < step.timeoutMs ? shorter : undefined;
    const tracker = new ConvergenceTracker({ windows: step.windows, maxMs: step.timeoutMs, ...(early ? { stopDisagreeingAfterMs: early.ms } : {}), ...(this.env.clock ? { clock: this.env.clock } : {}) });
    const runner = this.env.loadFor(this.mesh, step.runsIn);
    let last: LoadResult | undefined;
    // Bounded in count as well as in time: as many windows as the limit holds, plus the run that must agree.
    const maxWindows = Math.ceil(step.timeoutMs / (step.probe.durationSeconds * 1000)) + step.windows;
    // The tracker stops starting windows at the plan's limit; a window begun just before it may
    // run its full length plus the load's grace (never more than the limit itself), and nothing
    // runs past that.
    const hardLimitMs = step.timeoutMs + step.probe.durationSeconds * 1000 + Math.min(TIMEOUTS.loadGrace, step.timeoutMs);
    const limit = AbortSignal.timeout(hardLimitMs);
    const signal = AbortSignal.any([this.env.signal, limit]);
    for (let window = 1; ; window += 1) {
      try {
        last = await runner.run({ ...step.probe, name: `${step.probe.name}-${window}` }, { signal, label: `${where}: ${step.name}` });
      } catch (err) {
        if (!limit.aborted || this.env.signal.aborted) throw err;
        throw new TimeoutError(`${step.name} (probe window ${window})`, hardLimitMs);
      }
      const state = tracker.observe(judgeWindow(checks, last), previousPolicy ? judgeWindow(previousPolicy.checks, last).every((v) => v.status === "pass") : undefined);
      if (state !== "waiting") break;
      if (window >= maxWindows) {
        tracker.stop();
        break;
      }
    }
    const report = tracker.report();
    const stoppedEarly = early !== undefined && !report.converged && report.maxMs === early.ms;
    const convergence: ConvergenceRecord = {
      converged: report.converged,
      timeToConvergeMs: report.timeToConvergeMs,
      windows: step.windows,
      misses: report.misses,
      diagnosis: report.converged ? "converged" : report.diagnosis,
      ...(early
        ? {
            limitMs: stoppedEarly ? early.ms : step.timeoutMs,
            limitReason: stoppedEarly || (report.converged && (report.timeToConvergeMs ?? Infinity) <= early.ms) ? early.reason : `${early.reason}; windows agreed at that limit, so the wait went on to the plan's ${formatMs(step.timeoutMs)}`,
          }
        : {}),
    };
    record.convergence = convergence;
    record.load = last;
    if (!report.converged) {
      // The mesh did not do what was asked in time: that is a verdict on the mesh, not a harness error.
      record.status = "failed";
      const within = stoppedEarly ? early.ms : step.timeoutMs;
      record.verdicts = [
        {
          checkId: `${step.id}-converged`,
          claim: `${step.name}: the change shows in traffic within ${formatMs(within)}`,
          status: "fail",
          reason: `${stoppedEarly ? `did not converge within ${early.reason}: ` : ""}${DIAGNOSIS_HEADLINE[report.diagnosis]}: ${report.explanation}; ${report.misses.length} windows missed`,
          evidence: last?.evidence ?? [],
        },
      ];
    }
  }

  /** Objects a step may delete, and the stack's own copies of the ones it must restore instead. */
  private splitOwned(manifests: readonly KubeObject[]): { fresh: KubeObject[]; restore: KubeObject[] } {
    const fresh: KubeObject[] = [];
    const restore: KubeObject[] = [];
    for (const m of manifests) {
      const original = this.owned.get(keyOf(m));
      if (original) restore.push(original);
      else fresh.push(m);
    }
    return { fresh, restore };
  }

  private requireKube(what: string): KubeClient {
    if (!this.env.kube) throw new Error(`"${what}" needs a Kubernetes API, and this run has none (--cluster local)`);
    return this.env.kube;
  }

  private skipped(step: Step, why: string): StepRecord {
    return { id: step.id, name: step.name, kind: step.kind, status: "skipped", startedAt: new Date().toISOString(), durationMs: 0, error: why };
  }

  /**
   * Run the cleanup stack; each undo it ran (or --keep left in place) is recorded in `records`
   * as a teardown step, so results.json says what was removed, what failed to be, and what was kept.
   */
  async cleanUp(stack: CleanupStack, where: string, records?: StepRecord[]): Promise<void> {
    const kept = this.env.keep ? stack.pending({ keepable: true }) : [];
    // Registered all the same, so --keep can say exactly what it left behind.
    if (kept.length > 0) this.env.progress.note(`${where}: --keep: left in place: ${kept.join("; ")} (remove later with \`npm run clean\`)`);
    const now = () => new Date().toISOString();
    for (const name of kept) records?.push({ id: `cleanup-${records.length + 1}`, name, kind: "cleanup", status: "skipped", startedAt: now(), durationMs: 0, error: "kept (--keep)" });
    try {
      await stack.runAll(
        (r) => {
          this.env.progress.note(`${where}: cleanup ${r.ok ? "done" : "FAILED"}: ${r.name}${r.error ? ` (${r.error})` : ""}`);
          if (!r.ok) this.cleanupFailures.push(`${where}: ${r.name}: ${r.error ?? "failed"}`);
          records?.push({
            id: `cleanup-${records.length + 1}`,
            name: r.name,
            kind: "cleanup",
            status: r.ok ? "ok" : "failed",
            startedAt: new Date(Date.now() - r.ms).toISOString(),
            durationMs: r.ms,
            ...(r.error ? { error: r.error } : {}),
          });
        },
        { onlyAlways: this.env.keep },
      );
    } catch {
      // Each failure was reported above; a failed cleanup must not hide the run's verdicts.
    }
  }
}

class GateClosed extends Error {}

/**
 * The limit of a mutant's aimed convergence step, from evidence on the same install: the time
 * its correct twin took to converge at the same step just before, times the factor, never less
 * than the floor nor more than the plan's limit. None (the plan's limit) when the aimed step is
 * not a convergence step or the correct twin did not converge there: no evidence, no shortcut.
 */
export function mutantConvergenceLimit(mutant: MutantPlan, correct: ScenarioRecord): ConvergenceLimit | undefined {
  const aimed = [...walkPlan(mutant.plan)].find((s) => s.id === mutant.aimedStep);
  if (!aimed || aimed.kind !== "converge") return undefined;
  const twin = correct.steps.find((s) => s.id === mutant.aimedStep && s.kind === "converge");
  const took = twin?.convergence?.converged ? twin.convergence.timeToConvergeMs : null;
  if (took === null || took === undefined) return undefined;
  const ms = Math.min(aimed.timeoutMs, Math.max(MUTANT_CONVERGENCE.floorMs, Math.ceil(MUTANT_CONVERGENCE.factor * took)));
  if (ms >= aimed.timeoutMs) return undefined;
  const derived = MUTANT_CONVERGENCE.factor * took >= MUTANT_CONVERGENCE.floorMs
    ? `${MUTANT_CONVERGENCE.factor} x the ${formatMs(took)} the correct configuration took at this step on this install`
    : `the floor, as ${MUTANT_CONVERGENCE.factor} x the ${formatMs(took)} the correct configuration took at this step on this install is less`;
  return { ms, reason: `${formatMs(ms)}, ${derived} (the plan's limit is ${formatMs(aimed.timeoutMs)})` };
}

/**
 * Why the correct twin gives no ground to judge the mutant on, or undefined when it passed the
 * aimed check (or its step is not supported, which the mutant's own plan reports): a converge
 * step must have converged, a measure step's aimed verdict must be a pass.
 */
function twinDidNotPass(mutant: MutantPlan, correct: ScenarioRecord): string | undefined {
  const aimed = [...walkPlan(mutant.plan)].find((s) => s.id === mutant.aimedStep);
  if (!aimed || aimed.kind === "unsupported") return undefined;
  const step = correct.steps.find((s) => s.id === mutant.aimedStep);
  if (!step) return `${mutant.aimedStep} never ran (scenario ${correct.status})`;
  if (step.status === "unsupported") return undefined;
  if (aimed.kind === "converge") return step.convergence?.converged ? undefined : `${mutant.aimedStep} did not converge${step.error ? `: ${step.error}` : ""}`;
  const verdict = correct.verdicts.find((v) => v.checkId === mutant.mutant.aimedAt);
  if (verdict?.status === "pass" || verdict?.status === "unsupported") return undefined;
  return verdict ? `${verdict.checkId} ${verdict.status}: ${verdict.reason}` : `${mutant.mutant.aimedAt} was never judged (scenario ${correct.status})`;
}

function* walkPlan(plan: ScenarioPlan): Generator<Step> {
  for (const phase of plan.phases) yield* walkSteps(phase.steps);
}

/** A mutant that never ran (set-up failed, interrupt): not judged, which fails the run. */
function unrunMutant(mutant: MutantPlan, reason: string): MutantRunRecord {
  return {
    ...mutant.mutant,
    aimedStep: mutant.aimedStep,
    status: "not-judged",
    reason,
    durationMs: 0,
    run: { name: mutant.plan.scenario, description: mutant.plan.description, claims: mutant.plan.claims, requires: mutant.plan.requires, status: "error", steps: [], verdicts: [] },
  };
}

const DIAGNOSIS_HEADLINE: Record<ConvergenceDiagnosis, string> = {
  converged: "converged",
  "never-applied": "the mesh never applied the change (windows kept matching the previous policy)",
  "applied-but-wrong": "the change applied but traffic matches neither the old nor the new policy",
  "too-slow": "the change applied correctly but later than the limit",
  "timed-out": "no run of agreeing windows in time",
};

/**
 * Why a gate closes, or undefined when it may advance. A step that never ran (its record is
 * missing) or recorded no verdicts gives no evidence, so the gate closes on it too.
 */
export function gateBreach(gate: GateStep, after: StepRecord | undefined): string | undefined {
  const verdicts = after?.verdicts;
  if (!after || !verdicts || verdicts.length === 0) return `no verdicts from "${gate.after}"`;
  const failed = verdicts.filter((v) => v.status === "fail").map((v) => v.checkId);
  if (failed.length > 0) return `breach (${failed.join(", ")} failed)`;
  const undecided = verdicts.filter((v) => v.status === "inconclusive").map((v) => v.checkId);
  if (undecided.length > 0 && !gate.advanceOnInconclusive) return `no decision (${undecided.join(", ")} inconclusive; a gate advances only on pass)`;
  return undefined;
}

/**
 * One probe window judged on its own, with a single look that spends the check's whole error
 * budget (scenarios/sizing.ts plans windows for exactly this design).
 */
function judgeWindow(checks: readonly CheckSpec[], window: LoadResult): Verdict[] {
  return evaluateWindow(checks, window);
}

function unsupportedVerdict(checkId: string, claim: string, reason: string): Verdict {
  return { checkId, claim, status: "unsupported", reason: `not supported: ${reason}`, evidence: [] };
}

/** Shortest later batch: below this a load generator's start and drain outweigh the load. */
export const MIN_LATER_BATCH_SECONDS = 1;
/** Later batches aim this far past the next look, so a rate a little short of offered still reaches it. */
const LOOK_MARGIN = 1.02;

/**
 * Size the next batch to reach the open checks' next look, at the rate achieved so far. Each
 * later batch reaches at least one more look, so a step needs at most one batch per planned
 * look (scenarios/sizing.ts allows that many, plus spares): the executor cannot run out of
 * batches before the checks' budgets are spent. It never draws more than the looks need.
 */
export function nextBatch(load: LoadProfile, samplesNeeded: number, done: readonly LoadResult[]): LoadProfile {
  const sent = done.reduce((a, b) => a + b.requests, 0);
  const seconds = done.reduce((a, b) => a + b.durationSeconds, 0);
  const achieved = seconds > 0 ? sent / seconds : 0;
  const rate = achieved > 0 ? Math.min(achieved, load.rate) : load.rate;
  const wanted = Math.max((samplesNeeded * LOOK_MARGIN) / rate, MIN_LATER_BATCH_SECONDS);
  return { ...load, executor: "constant-arrival-rate", stages: [], durationSeconds: Math.ceil(wanted * 10) / 10 };
}
