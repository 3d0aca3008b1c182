/**
 * report.md: what a nightly job or an SRE reads first. The verdict summary and exit code lead,
 * then one section per mesh and scenario, then the details needed to reproduce the run.
 */
import type { LatencySummary } from "../load/profile.js";
import {
  ERROR_PROBABILITY_NOTE,
  EXIT_LEGEND,
  METRIC_LABEL,
  QUANTILES,
  STATUS_SYMBOL,
  errorRate,
  exitCodeMeaning,
  formatConfidence,
  formatSignedLatency,
  formatTokensPerSecond,
  formatFamilyWise,
  formatLatency,
  formatMs,
  formatNumber,
  formatPercent,
  formatRate,
  headline,
  statusText,
  type LatencyMetric,
} from "./format.js";
import { code, md, table } from "./markdown-table.js";
import { CHECK_COLUMNS, type CheckCell } from "./check-columns.js";
import type { VerdictStatus } from "../analysis/verdict.js";
import type { Difference } from "./differences.js";
import { KEY_OVERHEAD_CONFIDENCE, keyFigures, type KeyFigures } from "./key-figures.js";
import type { RunResults } from "./results.js";
import {
  detailRows,
  meshLabel,
  MUTANT_WORDS,
  mutantRows,
  phaseProblems,
  scenarioSections,
  variantRows,
  verdictCounts,
  type LoadRow,
  type ScenarioSection,
} from "./sections.js";

export function renderMarkdown(results: RunResults): string {
  const sections = scenarioSections(results);
  const parts = [
    summaryBlock(results),
    keyFiguresBlock(keyFigures(results)),
    overviewBlock(sections),
    phaseProblemBlock(results),
    mutantsBlock(results),
    ...sections.map(scenarioBlock),
    runDetailsBlock(results),
  ];
  return `${parts.filter((p) => p.length > 0).join("\n\n")}\n`;
}

function summaryBlock(results: RunResults): string {
  const { word, tone } = headline(results.summary.exitCode, results.aborted);
  const s = results.summary;
  const lines = [
    `# meshproof ${md(results.command)} ${md(results.name)}: ${STATUS_SYMBOL[tone]} ${word}`,
    "",
    `**Exit code ${s.exitCode}**: ${exitCodeMeaning(s.exitCode)}.`,
    `Run ${code(results.runId)} on ${md(results.cluster.name)}, started ${md(results.startedAt)}, took ${formatMs(results.durationMs)}.`,
  ];
  if (results.aborted) lines.push("", `> **The run ended early:** ${md(results.aborted)}`);
  if (results.skippedScenarios?.length) lines.push("", `> **Not run on this cluster** (the suite's other scenarios):`, ...results.skippedScenarios.map((s) => `> - ${md(s.scenario)}: ${md(s.reason)}`));
  if (results.cleanupFailures?.length) lines.push("", `> **Cleanup failed**, so what this run created may still be there (\`npm run clean\` removes it):`, ...results.cleanupFailures.map((f) => `> - ${md(f)}`));
  lines.push(
    "",
    table(
      [statusText("pass"), statusText("fail"), statusText("inconclusive"), statusText("unsupported")],
      [[String(s.pass), String(s.fail), String(s.inconclusive), String(s.unsupported)]],
      ["right", "right", "right", "right"],
    ),
    "",
    `${EXIT_LEGEND} A mesh that cannot express an intent is reported as not supported, never as a failure.`,
  );
  return lines.join("\n");
}

function keyFiguresBlock(rows: KeyFigures[]): string {
  if (rows.length === 0) return "";
  const signed = (d: Difference | undefined, unit: "ms" | "fraction") => {
    if (!d || !Number.isFinite(d.diff)) return "–";
    const f = (x: number) => (unit === "ms" ? formatSignedLatency(x) : `${x > 0 ? "+" : ""}${(x * 100).toFixed(2)} pts`);
    return `${f(d.diff)} ${d.interval ? `[${f(d.interval.low)}, ${f(d.interval.high)}]` : "(no interval)"}`;
  };
  const body = rows.map((r) => [
    `${md(r.scenario)} ${code(r.stepId)}`,
    r.mesh === "none" ? "none (baseline)" : md(`${r.mesh} ${r.meshVersion}`),
    md(r.client),
    formatLatency(r.latency.e2e?.p50),
    formatLatency(r.latency.e2e?.p99),
    formatLatency(r.latency.ttft?.p50),
    formatLatency(r.latency.ttft?.p99),
    formatLatency(r.latency.itl?.p50),
    formatLatency(r.latency.itl?.p99),
    formatTokensPerSecond(r.tokensPerSecond?.p50),
    formatPercent(r.errorRate ?? undefined, 2),
    signed(r.overhead?.e2eP99, "ms"),
    signed(r.overhead?.errorRate, "fraction"),
  ]);
  return [
    "## Key figures",
    "",
    `Per load step and mesh. Δ: against the no-mesh baseline's same step in this run, with a ${formatConfidence(KEY_OVERHEAD_CONFIDENCE)} interval from order statistics of each side's requests (run-to-run variation is not in it). tokens/s: the median over streamed requests of each request's output tokens per second. Client: what sent the requests (a host process on --cluster local; on a cluster the loadgen pod, meshed or not, or the outsider pod).`,
    "",
    table(
      ["Scenario / step", "Mesh", "Client", "e2e p50", "e2e p99", "TTFT p50", "TTFT p99", "ITL p50", "ITL p99", "tokens/s (p50)", "Errors", "Δ e2e p99 vs none", "Δ errors vs none"],
      body,
      ["left", "left", "left", "right", "right", "right", "right", "right", "right", "right", "right", "right", "right"],
    ),
  ].join("\n");
}

function overviewBlock(sections: ScenarioSection[]): string {
  if (sections.length === 0) return "## Overview\n\nNo scenario ran.";
  const rows = sections.map((s) => {
    const c = verdictCounts(s.scenario.verdicts);
    return [
      md(meshLabel(s.target)),
      `[${md(s.scenario.name)}](#${s.anchor})`,
      statusText(s.scenario.status),
      String(c.pass),
      String(c.fail),
      String(c.inconclusive),
      String(c.unsupported),
    ];
  });
  return [
    "## Overview",
    "",
    table(
      ["Mesh", "Scenario", "Result", STATUS_SYMBOL.pass, STATUS_SYMBOL.fail, STATUS_SYMBOL.inconclusive, STATUS_SYMBOL.unsupported],
      rows,
      ["left", "left", "left", "right", "right", "right", "right"],
    ),
  ].join("\n");
}

function mutantsBlock(results: RunResults): string {
  const rows = mutantRows(results);
  const m = results.summary.mutants;
  if (rows.length === 0 && !m) return "";
  const body = rows.map(({ target, mutant, tone }) => [
    md(meshLabel(target)),
    code(mutant.name),
    md(mutant.scenario),
    md(mutant.wrong),
    code(mutant.aimedAt),
    `${STATUS_SYMBOL[tone]} ${MUTANT_WORDS[mutant.status]}`,
    formatMs(mutant.durationMs),
    md(mutant.reason),
  ]);
  return [
    "## Mutants",
    "",
    "Each deliberately wrong twin of a scenario ran on the same install right after it; it is killed when the check aimed at it fails. A survivor (or a mutant never judged) fails the run: a check that cannot fail is a defect of the harness.",
    ...(m ? ["", `${m.killed} killed, ${m.unsupported} not supported, ${m.survived} survived, ${m.notJudged} not judged, ${m.inconclusive} inconclusive.`] : []),
    "",
    table(["Mesh", "Mutant", "Scenario", "What is wrong", "Must fail", "Outcome", "Time", "Why"], body),
  ].join("\n");
}

function phaseProblemBlock(results: RunResults): string {
  const problems = phaseProblems(results);
  if (problems.length === 0) return "";
  const rows = problems.map((p) => [md(meshLabel(p.target)), p.phase, md(p.step.name), p.step.status, md(p.step.error ?? "")]);
  return ["## Set-up and teardown problems", "", table(["Mesh", "Phase", "Step", "Status", "Error"], rows)].join("\n");
}

function scenarioBlock(section: ScenarioSection): string {
  const { target, scenario } = section;
  const lines = [
    `## <a id="${section.anchor}"></a>${md(meshLabel(target))}: ${md(scenario.name)} (${statusText(scenario.status)})`,
    "",
    md(scenario.description),
    "",
    `Routing API: ${md(target.routing)}.`,
  ];
  if (scenario.claims.length > 0) lines.push("", "Claims:", "", ...scenario.claims.map((c) => `- ${md(c)}`));
  lines.push("", checksBlock(section));
  if (scenario.familyWise) lines.push("", `${md(formatFamilyWise(scenario.familyWise))}.`);
  if (section.unsupported.length > 0) lines.push("", unsupportedBlock(section));
  if (section.convergence.length > 0) lines.push("", convergenceBlock(section));
  if (section.load.length > 0) lines.push("", loadBlock(section.load));
  if (section.problems.length > 0) {
    lines.push("", "### Step problems", "", ...section.problems.map((s) => `- ${md(s.name)} (${s.status}): ${md(s.error ?? "no error recorded")}`));
  }
  return lines.join("\n");
}

function checksBlock(section: ScenarioSection): string {
  if (section.checks.length === 0) return "### Checks\n\nNo checks were evaluated.";
  const render = (c: CheckCell): string => {
    if (c.kind === "status") return statusText(c.text as VerdictStatus);
    if (c.kind === "links") return (c.links ?? []).map((l) => (l.href ? `[${md(l.path)}](${l.href})` : code(l.path))).join("<br>");
    const main = c.kind === "code" ? code(c.text) : md(c.text);
    return c.sub ? `${main}<br>${md(c.sub)}` : main;
  };
  const rows = section.checks.map(({ verdict: v, step }) => CHECK_COLUMNS.map((col) => render(col.cell(v, step))));
  return [
    "### Checks",
    "",
    table(
      CHECK_COLUMNS.map((c) => c.header),
      rows,
      CHECK_COLUMNS.map((c) => c.align),
    ),
    "",
    ERROR_PROBABILITY_NOTE,
  ].join("\n");
}

function unsupportedBlock(section: ScenarioSection): string {
  const rows = section.unsupported.map((u) => [code(u.intent), md(u.reason)]);
  return [
    `### Not supported by ${md(section.target.mesh)}`,
    "",
    "These intents cannot be expressed by this mesh; the checks that depend on them are reported as not supported, not failed.",
    "",
    table(["Intent", `Reason given by ${md(section.target.mesh)}`], rows),
  ].join("\n");
}

function convergenceBlock(section: ScenarioSection): string {
  const rows = section.convergence.map(({ step, convergence: c }) => [
    md(step.name),
    c.converged ? statusText("pass") : statusText("fail"),
    c.timeToConvergeMs === null ? "–" : formatMs(c.timeToConvergeMs),
    String(c.windows),
    String(c.misses.length),
    c.diagnosis,
  ]);
  const misses = section.convergence
    .filter(({ convergence }) => convergence.misses.length > 0)
    .map(({ step, convergence }) => {
      const each = convergence.misses.map((m) => `at ${formatMs(m.atMs)}: ${md(m.reason)}`).join("; ");
      return `- ${md(step.name)}: ${each}`;
    });
  const lines = [
    "### Convergence",
    "",
    table(["Step", "Converged", "Time to converge", "Windows", "Misses", "Diagnosis"], rows, ["left", "left", "right", "right", "right", "left"]),
  ];
  if (misses.length > 0) lines.push("", "Misses, with the time since the policy was applied:", "", ...misses);
  return lines.join("\n");
}

function loadBlock(rows: LoadRow[]): string {
  const rateRows = rows.map(({ step, load }) => [
    md(step.name),
    formatRate(load.offeredRps),
    formatRate(load.achievedRps),
    formatNumber(load.requests),
    formatNumber(load.failed),
    formatPercent(errorRate(load.requests, load.failed), 2),
    formatNumber(load.droppedIterations),
    step.batches === undefined ? "–" : String(step.batches),
  ]);
  const lines = [
    "### Load",
    "",
    table(
      ["Step", "Offered rps", "Achieved rps", "Requests", "Failed", "Error rate", "Dropped", "Batches"],
      rateRows,
      ["left", "right", "right", "right", "right", "right", "right", "right"],
    ),
  ];
  for (const metric of ["e2e", "ttft", "itl"] as const satisfies readonly LatencyMetric[]) {
    const withMetric = rows.flatMap((r) => {
      const summary = r.load.latency[metric];
      return summary ? [{ name: r.step.name, summary }] : [];
    });
    if (withMetric.length > 0) lines.push("", latencyTable(METRIC_LABEL[metric], withMetric));
  }
  const tokens = rows.flatMap((r) => (r.load.outputTokensPerSecond ? [{ name: r.step.name, summary: r.load.outputTokensPerSecond }] : []));
  if (tokens.length > 0) lines.push("", tokensTable(tokens));
  return lines.join("\n");
}

function latencyTable(title: string, rows: { name: string; summary: LatencySummary }[]): string {
  return [
    `#### ${title}`,
    "",
    table(
      ["Step", "Samples", ...QUANTILES.map((q) => q.label), "max"],
      rows.map(({ name, summary }) => [
        md(name),
        formatNumber(summary.count),
        ...QUANTILES.map((q) => formatLatency(summary[q.key])),
        formatLatency(summary.max),
      ]),
      ["left", "right", "right", "right", "right", "right", "right"],
    ),
  ].join("\n");
}

/** Throughput per request: the slow end (min) matters as much as the median. */
function tokensTable(rows: { name: string; summary: LatencySummary }[]): string {
  return [
    "#### Output tokens per second (per request)",
    "",
    table(
      ["Step", "Samples", "mean", "min", "p50", "p90", "max"],
      rows.map(({ name, summary: s }) => [
        md(name),
        formatNumber(s.count),
        formatRate(s.mean),
        formatRate(s.min),
        formatRate(s.p50),
        formatRate(s.p90),
        formatRate(s.max),
      ]),
      ["left", "right", "right", "right", "right", "right", "right"],
    ),
  ].join("\n");
}

function runDetailsBlock(results: RunResults): string {
  const facts: [string, string][] = [
    ["Run id", code(results.runId)],
    ["Command", `${md(results.command)} ${md(results.name)}`],
    ["Started", md(results.startedAt)],
    ["Ended", md(results.endedAt)],
    ["Duration", formatMs(results.durationMs)],
    ["Cluster", `${md(results.cluster.name)}: ${md(results.cluster.description)}`],
    ["Meshes", results.targets.map((t) => `${md(meshLabel(t))} (routing ${md(t.routing)})`).join(", ") || "–"],
    ["Host", `${md(results.host.platform)}, ${results.host.cpus} CPUs, Node ${md(results.host.node)}`],
  ];
  const lines = ["## Run details", "", table(["", ""], facts.map(([k, v]) => [k, v]))];
  const variants = variantRows(results);
  if (variants.length > 0) {
    lines.push(
      "",
      "### Mesh variants",
      "",
      "These meshes ran as a build other than the official release; what each cannot show is judged `unsupported`, never passed.",
      "",
      table(["Mesh", "Variant", "Control plane", "Proxy", "Built from", "Cannot show"], variants.map((v) => [md(v.mesh), md(v.variant), md(v.controlPlane), md(v.proxy), md(v.provenance), md(v.cannotShow.join("; "))])),
    );
  }
  const versions = detailRows(results.versions);
  if (versions.length > 0) lines.push("", "### Versions", "", table(["Component", "Version"], versions.map(([k, v]) => [md(k), md(v)])));
  if (results.tools.length > 0) {
    lines.push(
      "",
      "### Tools",
      "",
      table(["Tool", "Version", "Source", "Path"], results.tools.map((t) => [md(t.name), md(t.version), md(t.source), code(t.path)])),
    );
  }
  const options = detailRows(results.options);
  if (options.length > 0) lines.push("", "### Options", "", table(["Option", "Value"], options.map(([k, v]) => [code(k), code(v)])));
  return lines.join("\n");
}
