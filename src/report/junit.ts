/**
 * junit.xml for CI: one testsuite per mesh and scenario, one testcase per verdict. Inconclusive
 * is an <error>, not a pass, so a CI that only reads JUnit still stops; not supported is
 * <skipped>, so it never reads as a failure. A scenario that errored, a failed set-up or teardown
 * step and an aborted run each get an error testcase: otherwise CI would see fewer tests and green.
 */
import type { Verdict } from "../analysis/verdict.js";
import { formatErrorProbabilities, verdictSummary } from "./format.js";
import type { RunResults, StepRecord } from "./results.js";
import { mutantRows, phaseProblems, scenarioSections, type ScenarioSection } from "./sections.js";
import { block, element, xmlText } from "./xml.js";

interface Testcase {
  name: string;
  classname: string;
  timeMs: number;
  outcome:
    | { kind: "pass" }
    | { kind: "failure"; message: string; body: string }
    | { kind: "error"; type: string; message: string; body: string }
    | { kind: "skipped"; message: string };
  systemOut?: string;
}

interface Testsuite {
  name: string;
  timestamp: string;
  timeMs: number;
  properties: Record<string, string>;
  cases: Testcase[];
}

export function renderJunit(results: RunResults): string {
  const suites = [...scenarioSections(results).map((s) => scenarioSuite(s, results)), ...mutantSuites(results), ...phaseSuites(results)];
  if (results.aborted) suites.push(abortedSuite(results));
  if (results.cleanupFailures?.length) suites.push(cleanupSuite(results.cleanupFailures, results));
  const all = suites.flatMap((s) => s.cases);
  const totals = counts(all);
  const root = block(
    "testsuites",
    {
      name: `meshproof ${results.command} ${results.name}`,
      tests: all.length,
      failures: totals.failures,
      errors: totals.errors,
      skipped: totals.skipped,
      time: seconds(results.durationMs),
      timestamp: results.startedAt,
    },
    suites.map((s) => renderSuite(s, results)),
    "",
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}

function counts(cases: Testcase[]): { failures: number; errors: number; skipped: number } {
  return {
    failures: cases.filter((c) => c.outcome.kind === "failure").length,
    errors: cases.filter((c) => c.outcome.kind === "error").length,
    skipped: cases.filter((c) => c.outcome.kind === "skipped").length,
  };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function renderSuite(suite: Testsuite, results: RunResults): string {
  const c = counts(suite.cases);
  const properties = block(
    "properties",
    {},
    Object.entries({ runId: results.runId, cluster: results.cluster.description, ...suite.properties }).map(([name, value]) =>
      `      ${element("property", { name, value })}`,
    ),
    "    ",
  );
  return block(
    "testsuite",
    {
      name: suite.name,
      tests: suite.cases.length,
      failures: c.failures,
      errors: c.errors,
      skipped: c.skipped,
      time: seconds(suite.timeMs),
      timestamp: suite.timestamp,
    },
    [properties, ...suite.cases.map(renderCase)],
    "  ",
  );
}

function renderCase(tc: Testcase): string {
  const children: string[] = [];
  const o = tc.outcome;
  if (o.kind === "failure") children.push(element("failure", { message: o.message, type: "fail" }, [xmlText(o.body)]));
  if (o.kind === "error") children.push(element("error", { message: o.message, type: o.type }, [xmlText(o.body)]));
  if (o.kind === "skipped") children.push(element("skipped", { message: o.message }));
  if (tc.systemOut) children.push(element("system-out", {}, [xmlText(tc.systemOut)]));
  return `    ${element("testcase", { name: tc.name, classname: tc.classname, time: seconds(tc.timeMs) }, children)}`;
}

/** The lines a developer needs under a failed testcase, without opening the HTML report. */
function verdictDetails(v: Verdict, step: StepRecord | undefined): string {
  const lines = [v.reason, verdictSummary(v)];
  if (v.errorProbabilities) lines.push(`false-failure / false-pass probability: ${formatErrorProbabilities(v)}`);
  if (step) lines.push(`step: ${step.name}`);
  if (v.evidence.length > 0) lines.push(`evidence: ${v.evidence.join(", ")}`);
  return lines.filter(Boolean).join("\n");
}

/**
 * A case's own time: the step that judged it, shared evenly among the checks that step judged,
 * so the cases of a suite add up to its steps' time instead of counting a step once per check.
 */
function caseTimeMs(step: StepRecord | undefined): number {
  if (!step) return 0;
  return step.durationMs / Math.max(1, step.verdicts?.length ?? 1);
}

function verdictCase(v: Verdict, step: StepRecord | undefined, classname: string): Testcase {
  const base = { name: `${v.checkId}: ${v.claim}`, classname, timeMs: caseTimeMs(step) };
  const summary = verdictSummary(v);
  const message = summary ? `${v.reason} (${summary})` : v.reason;
  switch (v.status) {
    case "pass":
      return { ...base, outcome: { kind: "pass" }, systemOut: verdictDetails(v, step) };
    case "fail":
      return { ...base, outcome: { kind: "failure", message, body: verdictDetails(v, step) } };
    case "inconclusive":
      return { ...base, outcome: { kind: "error", type: "inconclusive", message: `inconclusive: ${message}`, body: verdictDetails(v, step) } };
    case "unsupported":
      // The engine's reasons already start with "not supported:"; do not say it twice.
      return { ...base, outcome: { kind: "skipped", message: /^not supported\b/i.test(v.reason) ? v.reason : `not supported: ${v.reason}` } };
  }
}

function scenarioSuite(section: ScenarioSection, results: RunResults): Testsuite {
  const { target, scenario } = section;
  const classname = `meshproof.${target.mesh}.${scenario.name}`;
  const cases = section.checks.map(({ verdict, step }) => verdictCase(verdict, step, classname));
  if (scenario.status === "error") {
    const errors = section.problems.map((s) => `${s.name} (${s.status}): ${s.error ?? "no error recorded"}`);
    cases.push({
      name: "scenario ran to completion",
      classname,
      timeMs: 0,
      outcome: {
        kind: "error",
        type: "error",
        message: errors[0] ?? "the scenario ended with an error",
        body: errors.join("\n") || "the scenario ended with an error; see report.md",
      },
    });
  }
  return {
    name: `${target.mesh}/${scenario.name}`,
    timestamp: scenario.steps[0]?.startedAt ?? results.startedAt,
    timeMs: scenario.steps.reduce((sum, s) => sum + s.durationMs, 0),
    properties: { mesh: target.mesh, meshVersion: target.meshVersion, routing: target.routing },
    cases,
  };
}

/** One suite per mesh for its mutants: killed passes, a survivor or an unjudged mutant fails, inconclusive errs, not supported skips. */
function mutantSuites(results: RunResults): Testsuite[] {
  const byMesh = new Map<string, Testsuite>();
  for (const { target, mutant } of mutantRows(results)) {
    let suite = byMesh.get(target.mesh);
    if (!suite) {
      suite = { name: `${target.mesh}/mutants`, timestamp: mutant.run.steps[0]?.startedAt ?? results.startedAt, timeMs: 0, properties: { mesh: target.mesh, meshVersion: target.meshVersion }, cases: [] };
      byMesh.set(target.mesh, suite);
    }
    suite.timeMs += mutant.durationMs;
    const body = [`${mutant.scenario}: ${mutant.wrong}`, `must fail: ${mutant.aimedAt}`, mutant.reason].join("\n");
    const outcome: Testcase["outcome"] =
      mutant.status === "killed"
        ? { kind: "pass" }
        : mutant.status === "unsupported"
          ? { kind: "skipped", message: `not supported: ${mutant.reason}` }
          : mutant.status === "inconclusive"
            ? { kind: "error", type: "inconclusive", message: `mutant not killed (inconclusive): ${mutant.reason}`, body }
            : { kind: "failure", message: `mutant ${mutant.status === "survived" ? "survived" : "never judged"}: ${mutant.reason}`, body };
    suite.cases.push({ name: `mutant ${mutant.name} is killed (${mutant.aimedAt} fails)`, classname: `meshproof.${target.mesh}.mutants`, timeMs: mutant.durationMs, outcome, ...(outcome.kind === "pass" ? { systemOut: body } : {}) });
  }
  return [...byMesh.values()];
}

function phaseSuites(results: RunResults): Testsuite[] {
  const byKey = new Map<string, Testsuite>();
  for (const p of phaseProblems(results)) {
    const name = `${p.target.mesh}/${p.phase}`;
    let suite = byKey.get(name);
    if (!suite) {
      suite = { name, timestamp: p.step.startedAt, timeMs: 0, properties: { mesh: p.target.mesh, meshVersion: p.target.meshVersion }, cases: [] };
      byKey.set(name, suite);
    }
    suite.timeMs += p.step.durationMs;
    suite.cases.push({
      name: p.step.name,
      classname: `meshproof.${p.target.mesh}.${p.phase}`,
      timeMs: p.step.durationMs,
      outcome: { kind: "error", type: p.step.status, message: p.step.error ?? `${p.phase} step ${p.step.status}`, body: p.step.error ?? "" },
    });
  }
  return [...byKey.values()];
}

/** One error test case per failed undo: CI sees a run that left something behind. */
function cleanupSuite(failures: string[], results: RunResults): Testsuite {
  return {
    name: "meshproof/cleanup",
    timestamp: results.endedAt,
    timeMs: 0,
    properties: {},
    cases: failures.map((failure) => ({ name: failure, classname: "meshproof.cleanup", timeMs: 0, outcome: { kind: "error" as const, type: "cleanup-failed", message: `cleanup failed: ${failure}`, body: failure } })),
  };
}

function abortedSuite(results: RunResults): Testsuite {
  return {
    name: "meshproof/run",
    timestamp: results.startedAt,
    timeMs: results.durationMs,
    properties: {},
    cases: [
      {
        name: "run completed",
        classname: "meshproof.run",
        timeMs: results.durationMs,
        outcome: { kind: "error", type: "aborted", message: `the run ended early: ${results.aborted ?? ""}`, body: results.aborted ?? "" },
      },
    ],
  };
}
