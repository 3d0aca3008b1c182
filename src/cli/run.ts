/**
 * `scenario` and `suite`: validate, plan, then either write the plan (--dry-run) or execute it
 * and write results.json and the reports. Returns the exit code of the contract.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { exitCodeFor, EXIT } from "../analysis/verdict.js";
import { loadPlanCache, savePlanCache } from "../analysis/plan-cache.js";
import { writeDryRun } from "../engine/dry-run.js";
import { MeshproofError, bugLines, errorMessage, formatMs } from "../core/errors.js";
import type { ExecutionResult } from "../engine/executor.js";
import { buildRunPlan } from "../engine/run-plan.js";
import type { ScenarioDefinition } from "../engine/scenario.js";
import { RESULTS_SCHEMA_VERSION, summarize, summarizeMutants, type RunResults } from "../report/results.js";
import type { RunOptions } from "./options.js";
import { parseRunOptions } from "./options.js";
import { mutantFor } from "./catalog.js";
import { resolveScenario, resolveSuite } from "./definitions.js";
import { judgeMutantRun, mutantExitCode, mutantRecord, type MutantOutcome, type MutantRecord } from "../engine/mutant.js";
import { aimedSteps, attachMutants, combinedExitCode, describeOutcome, mutantRunPlan, mutatedDrivers } from "./mutant.js";
import { markBackendGaps } from "../stack/backend.js";
import { MESHES, type MeshRegistry } from "../mesh/registry.js";
import { backendOf } from "./options.js";
import { annotateLoadCommands, driversFor, executionEnvFor, hostSimImage, installOptions, meshVariantsFor, preflight, providerFor, stackPlannerFor } from "./wiring.js";

export interface Output {
  /** Human lines (stderr), or nothing with --json. */
  info(line: string): void;
  /** The one machine-readable result with --json (stdout). */
  json(value: unknown): void;
}

export function consoleOutput(json: boolean): Output {
  return {
    info: (line) => {
      if (!json) process.stderr.write(`${line}\n`);
    },
    json: (value) => {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
    },
  };
}

/** Sortable, label-safe, unique enough for concurrent CI jobs: 20261122-031502-a1b2. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

/**
 * The rate on the host cluster when --rate is not given. Its backend is always llm-sim on one
 * 2-core node, where the scenarios' own rates (10-20 requests/s, sized for a model server)
 * stretch the nightly suite to about 150 min of load for both meshes; the sequential checks draw
 * the same requests at 100/s, sooner (the nightly passed this way: see the README). Scenarios
 * with their own caps (timeouts, retries, rate-limit) keep them.
 */
export const HOST_DEFAULT_RATE = 100;

/**
 * The plan of a run, with the exact sample-size plans cached on disk between runs. Shared by
 * `scenario`/`suite` and by setup, which plans the nightly suite once to fill that cache.
 */
export async function planRun(command: "scenario" | "suite", requested: string, opts: RunOptions, runId: string, runDir: string, registry: MeshRegistry = MESHES, info?: (line: string) => void) {
  const { mutant, scenario: name } = mutantFor(command, requested, opts.mutant);
  const scenarios: ScenarioDefinition[] = command === "scenario" ? [resolveScenario(name)] : resolveSuite(name);
  const seed = opts.seed ?? randomBytes(4).readUInt32BE() % 2 ** 31;
  loadPlanCache();
  const provider = await providerFor(opts, runId, registry);
  const drivers = await driversFor(opts, provider, runDir, provider.name === "host" ? await hostSimImage(opts, registry) : undefined, registry);
  const stack = await stackPlannerFor(opts, runId, provider, runDir, mutant?.backend, registry);
  const hostDefault = opts.rate === undefined && provider.name === "host";
  const rate = hostDefault ? HOST_DEFAULT_RATE : opts.rate;
  if (hostDefault) info?.(`--cluster host: every scenario at ${rate} requests/s (the host cluster serves llm-sim, not a model; the scenarios' own rates are for real model servers); --rate sets another`);
  const request = {
    command,
    name,
    runId,
    createdAt: new Date().toISOString(),
    scenarios,
    mesh: opts.mesh,
    registry,
    provider,
    drivers,
    stack,
    routing: opts.routing,
    install: installOptions(opts, registry),
    scenarioOptions: { seed, ...(rate !== undefined ? { rate } : {}), ...(opts.duration !== undefined ? { durationSeconds: opts.duration } : {}) },
    options: { ...recordedOptions(opts), seed, ...(hostDefault ? { rate, rateFrom: `--cluster ${provider.name}'s default` } : {}) },
  };
  const correct = buildRunPlan(request);
  let plan = mutant ? mutantRunPlan(buildRunPlan({ ...request, drivers: mutatedDrivers(drivers, mutant) }), correct, mutant) : correct;
  if (opts.mutants) plan = await attachMutants(correct, request, (sim) => stackPlannerFor(opts, runId, provider, runDir, sim), info ?? (() => {}));
  savePlanCache();
  annotateLoadCommands(plan, runDir);
  markBackendGaps(plan, backendOf(opts));
  return { plan, drivers, mutant };
}

export async function runCommand(command: "scenario" | "suite", name: string, raw: Record<string, unknown>, registry: MeshRegistry = MESHES): Promise<number> {
  const opts = parseRunOptions(raw, registry);
  const out = consoleOutput(opts.json);
  const runId = newRunId();
  const runDir = path.resolve(opts.out, runId);
  const { plan, drivers, mutant } = await planRun(command, name, opts, runId, runDir, registry, (line) => out.info(line));

  if (opts.dryRun) {
    await mkdir(runDir, { recursive: true });
    const summary = await writeDryRun(plan, runDir);
    if (mutant) out.info(`Mutant ${mutant.name} of ${mutant.scenario}: ${mutant.wrong}; ${mutant.aimedAt} must fail`);
    out.info(`Plan for ${command} ${plan.name}: ${plan.targets.map((t) => `${t.mesh} (${t.scenarios.length} scenarios)`).join(", ")} on ${plan.cluster.description}`);
    out.info(`  ${summary.steps} steps, ${summary.manifestFiles} manifests`);
    for (const gap of summary.unsupported) out.info(`  not supported on ${gap.mesh} (${gap.scenario}): ${gap.intent}: ${gap.reason}`);
    for (const t of plan.targets.filter((x) => x.mutants)) out.info(`  ${t.mesh}: ${t.mutants!.length} mutants on the same install: ${t.mutants!.map((m) => m.mutant.name).join(", ")}`);
    out.info(`Wrote ${summary.planFile}`);
    out.info(`Nothing was run (--dry-run).`);
    out.json({ runId, dryRun: true, plan: summary.planFile, runDir, steps: summary.steps, manifests: summary.manifestFiles, unsupported: summary.unsupported });
    return EXIT.ok;
  }

  // Preflight first: a run that cannot start (exit 4) leaves no run folder behind.
  const tools = await preflight(plan).catch(async (err: unknown) => {
    await rm(runDir, { recursive: true, force: true });
    throw err;
  });
  // Loaded only for a real run: a dry-run needs neither the executor nor the report renderers.
  const [{ executePlan }, { pushRun, writeReports }, { progressFor }] = await Promise.all([import("../engine/executor.js"), import("../report/index.js"), import("./progress.js")]);
  await mkdir(runDir, { recursive: true });
  for (const tool of tools) out.info(`using ${tool.name} ${tool.version} from ${tool.source} (${tool.path})`);
  out.info(`Run ${runId}: ${command} ${name} on ${plan.cluster.description}; evidence in ${runDir}`);

  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (abort.signal.aborted) return;
    out.info(`\n${sig}: stopping; cleaning up what this run created (send again to leave it as is)`);
    abort.abort(new Error(`interrupted by ${sig}`));
    process.once(sig, () => process.exit(EXIT.interrupted));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const startedAt = new Date();
  const env = await executionEnvFor(plan, opts, runDir, abort.signal, progressFor(opts.json));
  let execution;
  try {
    execution = await executePlan(plan, env);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const endedAt = new Date();

  const verdictList = execution.targets.flatMap((t) => t.scenarios.flatMap((s) => s.verdicts));
  const outcomes = mutant ? judgeMutantRun(mutant, execution.targets, aimedSteps(plan, mutant)) : undefined;
  const exitCode = runExitCode(execution, abort.signal.aborted, outcomes, opts.mutants);
  const mutantSummary = opts.mutants ? summarizeMutants(execution.targets) : undefined;

  const results: RunResults = {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    runId,
    command,
    name: plan.name,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    dryRun: false,
    cluster: { name: plan.cluster.name, description: plan.cluster.description },
    options: plan.options,
    tools,
    versions: Object.fromEntries(plan.targets.map((t) => [t.mesh, t.meshVersion])),
    ...variantsOf(opts, plan.targets.map((t) => t.mesh), registry),
    host: { platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, node: process.version },
    targets: execution.targets,
    summary: { ...summarize(verdictList), exitCode, ...(mutantSummary ? { mutants: mutantSummary } : {}) },
    ...(execution.aborted ? { aborted: execution.aborted.message } : {}),
    ...(execution.cleanupFailures.length > 0 ? { cleanupFailures: execution.cleanupFailures } : {}),
    ...(plan.skippedScenarios ? { skippedScenarios: plan.skippedScenarios } : {}),
    ...(mutant && outcomes ? { mutant: { ...mutantRecord(mutant), outcomes } } : {}),
  };
  const written = await writeReports(results, runDir);
  printSummary(out, results, written);
  if (mutant && outcomes) for (const o of outcomes) out.info(describeOutcome(mutant, o));
  for (const t of results.targets) for (const m of t.mutants ?? []) out.info(describeOutcome(m, { mesh: t.mesh, status: m.status, reason: m.reason }) + ` (${formatMs(m.durationMs)})`);
  if (mutantSummary) out.info(`mutants: ${mutantSummary.killed} killed, ${mutantSummary.unsupported} not supported, ${mutantSummary.survived} survived, ${mutantSummary.notJudged} not judged, ${mutantSummary.inconclusive} inconclusive — exit ${exitCode}`);
  // Said last, where it is seen: the run's figures are in the reports, but they may be wrong.
  for (const bug of execution.bugs) out.info(bugLines(bug).join("\n"));
  if (opts.pushgateway) {
    // The reports are written: a Pushgateway that is down costs the dashboard a point, not the verdict.
    await pushRun(opts.pushgateway, results).then(
      (groups) => out.info(`Pushed ${groups} result groups to ${opts.pushgateway}`),
      (err) => out.info(`warning: ${errorMessage(err)}`),
    );
  }
  out.json({ runId, runDir, summary: results.summary, files: written, aborted: results.aborted });
  if (execution.aborted instanceof MeshproofError) throw execution.aborted;
  return exitCode;
}

/**
 * The exit code of a run that executed: an environment or usage error that stopped it, then an
 * interrupt, then a meshproof bug; otherwise its verdicts (or a mutant's outcomes), where an
 * errored scenario or a failed cleanup turns a pass into 1; with `--mutants` (mutantsOnInstall)
 * combined with every mutant's outcome.
 */
export function runExitCode(execution: Pick<ExecutionResult, "targets" | "aborted" | "bugs" | "cleanupFailures">, interrupted: boolean, outcomes?: MutantOutcome[], mutantsOnInstall = false): number {
  if (execution.aborted instanceof MeshproofError) return execution.aborted.exitCode;
  if (interrupted) return EXIT.interrupted;
  if (execution.bugs.length > 0) return EXIT.bug;
  // A mutant run succeeds when its aimed check failed: the verdicts' exit code does not apply.
  let exitCode = outcomes ? mutantExitCode(outcomes) : exitCodeFor(execution.targets.flatMap((t) => t.scenarios.flatMap((s) => s.verdicts)));
  const errored = execution.targets.some((t) => t.scenarios.some((s) => s.status === "error"));
  if (!outcomes && (errored || execution.aborted) && exitCode === EXIT.ok) exitCode = EXIT.checkFailed;
  // A run that leaves something behind did not pass, whatever its verdicts.
  if (execution.cleanupFailures.length > 0 && exitCode === EXIT.ok) exitCode = EXIT.checkFailed;
  // --mutants: the scenarios' verdicts and every mutant's outcome together (DESIGN section 7).
  if (mutantsOnInstall) exitCode = combinedExitCode(exitCode, mutantExitCode(execution.targets.flatMap((t) => t.mutants ?? [])));
  return exitCode;
}

function printSummary(out: Output, results: RunResults, files: string[]): void {
  const s = results.summary;
  out.info("");
  for (const target of results.targets) {
    for (const scenario of target.scenarios) {
      out.info(`${target.mesh.padEnd(8)} ${scenario.name.padEnd(18)} ${scenario.status}`);
      for (const v of scenario.verdicts.filter((x) => x.status !== "pass")) out.info(`           ${v.status}: ${v.claim}: ${v.reason}`);
    }
  }
  out.info(`\n${s.pass} pass, ${s.fail} fail, ${s.inconclusive} inconclusive, ${s.unsupported} not supported — exit ${s.exitCode}`);
  if (results.aborted) out.info(`The run ended early: ${results.aborted}`);
  if (results.skippedScenarios?.length) out.info(`Not run on this cluster:\n${results.skippedScenarios.map((s) => `  ${s.scenario}: ${s.reason}`).join("\n")}`);
  if (results.cleanupFailures?.length) out.info(`Cleanup failed, so what this run created may still be there (npm run clean removes it):\n${results.cleanupFailures.map((f) => `  ${f}`).join("\n")}`);
  out.info(`Reports: ${files.filter((f) => /report\.(md|html)$/.test(f)).join(", ")}`);
}

/** The variants of the meshes this run installed, when any is not the official release. */
function variantsOf(opts: RunOptions, meshes: readonly string[], registry: MeshRegistry): Pick<RunResults, "variants"> {
  const known = meshVariantsFor(opts, registry);
  const variants = Object.fromEntries(meshes.flatMap((m) => (known[m] ? [[m, known[m]]] : [])));
  return Object.keys(variants).length > 0 ? { variants } : {};
}

function recordedOptions(opts: RunOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
}
