/**
 * Test doubles for the executor's services (unit tests only): they record what the executor
 * asked for and answer from a script, so plan-walking logic is tested without a cluster.
 */
import type { KubeClient } from "../../src/cluster/kube.js";
import type { CommandRunner, CommandResult } from "../../src/core/commands.js";
import type { ExecutionEnv, LoadRunner, ProgressSink } from "../../src/engine/executor.js";
import type { KubeObject } from "../../src/plan/steps.js";
import type { ProcessLauncher } from "../../src/engine/processes.js";
import { LatencyRecorder } from "../../src/analysis/hdr.js";
import type { LoadProfile, LoadResult, OutcomeCount } from "../../src/load/profile.js";

export function fakeCommands(answer: (argv: readonly string[]) => Partial<CommandResult> = () => ({})): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async run(argv) {
      calls.push(argv.join(" "));
      return { exitCode: 0, stdout: "", stderr: "", durationMs: 1, ...answer(argv) };
    },
  };
}

export function fakeKube(): KubeClient & { applied: string[]; deleted: string[] } {
  const applied: string[] = [];
  const deleted: string[] = [];
  const name = (o: KubeObject) => `${o.kind}/${o.metadata.name}`;
  return {
    applied,
    deleted,
    async apply(objects) {
      applied.push(...objects.map(name));
    },
    async delete(objects) {
      deleted.push(...objects.map(name));
    },
    async ready() {
      return true;
    },
  };
}

export function fakeProcesses(): ProcessLauncher & { started: string[]; stopped: string[] } {
  const started: string[] = [];
  const stopped: string[] = [];
  return {
    started,
    stopped,
    async start(opts) {
      started.push(opts.role);
      return { pid: 1000 + started.length, logFile: `${opts.logDir}/${opts.role}.log`, stop: async () => void stopped.push(opts.role) };
    },
  };
}

/** A load result with the given outcome counts and a flat 100 ms latency. */
export function loadResult(profile: LoadProfile, outcomes: OutcomeCount[]): LoadResult {
  const e2e = new LatencyRecorder();
  const requests = outcomes.reduce((a, o) => a + o.count, 0);
  for (let i = 0; i < requests; i++) e2e.record(100);
  return {
    profile,
    startedAt: new Date().toISOString(),
    endedAt: new Date().toISOString(),
    durationSeconds: profile.durationSeconds,
    offeredRps: profile.rate,
    achievedRps: requests / profile.durationSeconds,
    requests,
    failed: outcomes.filter((o) => o.status >= 400).reduce((a, o) => a + o.count, 0),
    errorRate: requests > 0 ? outcomes.filter((o) => o.status >= 400).reduce((a, o) => a + o.count, 0) / requests : 0,
    droppedIterations: 0,
    outcomes,
    latency: { e2e: e2e.summary() },
    evidence: [`load/${profile.name}.ndjson`],
  };
}

export function fakeLoad(respond: (profile: LoadProfile) => OutcomeCount[]): LoadRunner & { runs: string[] } {
  const runs: string[] = [];
  return {
    runs,
    async run(profile) {
      runs.push(profile.name);
      return loadResult(profile, respond(profile));
    },
  };
}

export function silentProgress(): ProgressSink & { notes: string[]; finished: string[] } {
  const notes: string[] = [];
  const finished: string[] = [];
  return {
    notes,
    finished,
    stepStarted() {},
    stepFinished(_, step, record) {
      finished.push(`${step.id}:${record.status}`);
    },
    note(message) {
      notes.push(message);
    },
  };
}

export function fakeEnv(overrides: Partial<ExecutionEnv> & { load?: LoadRunner }): ExecutionEnv {
  const load = overrides.load ?? fakeLoad(() => []);
  return {
    runDir: overrides.runDir ?? "/tmp/meshproof-test",
    signal: overrides.signal ?? new AbortController().signal,
    keep: overrides.keep ?? false,
    progress: overrides.progress ?? silentProgress(),
    commands: overrides.commands ?? fakeCommands(),
    processes: overrides.processes ?? fakeProcesses(),
    kube: overrides.kube ?? fakeKube(),
    loadFor: overrides.loadFor ?? (() => load),
    ...(overrides.clock ? { clock: overrides.clock } : {}),
  };
}
