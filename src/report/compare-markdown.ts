/**
 * comparison.md: meshes as columns. Verdicts first (what differs in behaviour), then latency with
 * the overhead against the baseline, then what each mesh can express, then the runs compared.
 */
import type { Comparison, StepComparison } from "./compare.js";
import { GATE_NOTE, capabilityText, changeText, quantileText, verdictCellText } from "./compare-cells.js";
import { METRIC_LABEL, QUANTILES, STATUS_SYMBOL, formatNumber, formatPercent, formatRate, type LatencyMetric } from "./format.js";
import { code, md, table } from "./markdown-table.js";

const METRICS = ["e2e", "ttft", "itl"] as const satisfies readonly LatencyMetric[];

export function renderComparisonMarkdown(c: Comparison): string {
  const title = c.columns.map((col) => col.key).join(" vs ") || "no runs";
  const parts = [
    `# meshproof comparison: ${md(title)}`,
    introBlock(c),
    changesBlock(c),
    verdictSummaryBlock(c),
    checksBlock(c),
    stepsBlock(c),
    capabilitiesBlock(c),
    runsBlock(c),
  ];
  return `${parts.filter((p) => p.length > 0).join("\n\n")}\n`;
}

function introBlock(c: Comparison): string {
  const baseline = c.baseline
    ? `Overheads are measured against the baseline ${code(c.baseline)} (no mesh).`
    : "No baseline run (mesh `none`) was given, so no overhead is computed: add one to compare against.";
  return `${c.runs.length} run${c.runs.length === 1 ? "" : "s"} compared, written ${md(c.createdAt)}. ${baseline} Repeated runs of the same mesh and version are pooled in one column.`;
}

/** Regressions first (what the gate acts on), then every other change of a verdict or a figure beyond its interval. */
function changesBlock(c: Comparison): string {
  if (!c.changes) return "";
  const found = c.changes.filter((x) => x.regression);
  const verdictChanges = c.changes.filter((x) => x.kind === "verdict" && !x.regression);
  const moved = c.changes.filter((x) => x.kind === "figure" && !x.regression && x.interval && (x.interval.low > 0 || x.interval.high < 0));
  const sides = [...new Set(c.changes.map((x) => `${code(x.reference)} → ${code(x.candidate)}`))].join(", ");
  const lines = ["## Changes between runs", "", `Compared: ${sides || "no figures in common"}. ${GATE_NOTE}`, ""];
  if (found.length === 0) lines.push(`${STATUS_SYMBOL.pass} No regression.`);
  else lines.push(`${STATUS_SYMBOL.fail} **${found.length} regression${found.length === 1 ? "" : "s"}:**`, "", ...found.map((x) => `- ${md(changeText(x))}`));
  if (verdictChanges.length > 0) lines.push("", "Other verdict changes:", "", ...verdictChanges.map((x) => `- ${md(changeText(x))}`));
  if (moved.length > 0) lines.push("", "Changes whose interval excludes zero but stays within the margin:", "", ...moved.map((x) => `- ${md(changeText(x))}`));
  return lines.join("\n");
}

function verdictSummaryBlock(c: Comparison): string {
  const rows = c.columns.map((col) => [
    md(col.key),
    String(col.runIds.length),
    String(col.counts.pass),
    String(col.counts.fail),
    String(col.counts.inconclusive),
    String(col.counts.unsupported),
  ]);
  return [
    "## Verdicts per mesh",
    "",
    table(
      ["Mesh", "Runs", `${STATUS_SYMBOL.pass} pass`, `${STATUS_SYMBOL.fail} FAIL`, `${STATUS_SYMBOL.inconclusive} inconclusive`, `${STATUS_SYMBOL.unsupported} not supported`],
      rows,
      ["left", "right", "right", "right", "right", "right"],
    ),
  ].join("\n");
}

function checksBlock(c: Comparison): string {
  if (c.checks.length === 0) return "";
  const scenarios = [...new Set(c.checks.map((k) => k.scenario))];
  const parts = ["## Checks side by side"];
  for (const scenario of scenarios) {
    const rows = c.checks
      .filter((k) => k.scenario === scenario)
      .map((k) => [
        code(k.checkId),
        md(k.claim),
        ...c.columns.map((col) => {
          const cells = k.byColumn[col.key];
          if (!cells || cells.length === 0) return "not run";
          const t = verdictCellText(cells);
          return `${STATUS_SYMBOL[t.status]} ${md(t.label)}${t.detail ? `<br>${md(t.detail)}` : ""}`;
        }),
      ]);
    parts.push("", `### ${md(scenario)}`, "", table(["Check", "Claim", ...c.columns.map((col) => md(col.key))], rows));
  }
  return parts.join("\n");
}

function stepsBlock(c: Comparison): string {
  if (c.steps.length === 0) return "";
  const parts = ["## Load steps side by side"];
  if (c.baseline) parts.push("", `Each quantile is followed by the difference against ${code(c.baseline)}; intervals are bootstrap intervals over repeated runs.`);
  for (const step of c.steps) parts.push("", stepBlock(c, step));
  return parts.join("\n");
}

function stepBlock(c: Comparison, step: StepComparison): string {
  const columns = c.columns.filter((col) => step.byColumn[col.key]);
  const rateRows = columns.map((col) => {
    const cell = step.byColumn[col.key];
    return cell
      ? [md(col.key), String(cell.runs), formatRate(cell.offeredRps), formatRate(cell.achievedRps), formatPercent(cell.errorRate ?? undefined, 2)]
      : [];
  });
  const parts = [
    `### ${md(step.scenario)}: ${md(step.stepName)} (${code(step.stepId)})`,
    "",
    table(["Mesh", "Runs", "Offered rps", "Achieved rps", "Error rate"], rateRows, ["left", "right", "right", "right", "right"]),
  ];
  const notes = new Set<string>();
  for (const metric of METRICS) {
    const withMetric = columns.filter((col) => step.byColumn[col.key]?.latency[metric]);
    if (withMetric.length === 0) continue;
    const rows = withMetric.map((col) => {
      const cell = step.byColumn[col.key];
      const q = cell?.latency[metric];
      const overhead = cell?.overhead?.[metric];
      for (const o of overhead ?? []) if (o.note) notes.add(o.note);
      return [
        md(col.key),
        formatNumber(q?.samples),
        ...QUANTILES.map(({ key }) => {
          const t = quantileText(q?.[key] ?? NaN, overhead?.find((o) => o.quantile === key));
          return [t.value, t.diff, t.interval].filter(Boolean).map(md).join("<br>");
        }),
      ];
    });
    parts.push("", `#### ${METRIC_LABEL[metric]}`, "", table(["Mesh", "Samples", ...QUANTILES.map((q) => q.label)], rows, ["left", "right", "right", "right", "right", "right"]));
  }
  if (notes.size > 0) parts.push("", ...[...notes].map((n) => `> ${md(n)}`));
  return parts.join("\n");
}

function capabilitiesBlock(c: Comparison): string {
  if (c.capabilities.length === 0) return "";
  const rows = c.capabilities.map((cap) => [code(cap.intent), ...c.columns.map((col) => md(capabilityText(cap.byColumn[col.key])))]);
  return [
    "## What each mesh can express",
    "",
    "Native: the mesh has a resource for it. Emulated: built from other parts. Not supported: reported as such by the mesh driver, never counted as a failure.",
    "",
    table(["Intent", ...c.columns.map((col) => md(col.key))], rows),
  ].join("\n");
}

function runsBlock(c: Comparison): string {
  const rows = c.runs.map((r) => [code(r.runId), md(r.name), md(r.startedAt), md(r.meshes.join(", ")), r.path ? code(r.path) : "–"]);
  return ["## Runs compared", "", table(["Run id", "Name", "Started", "Meshes", "File"], rows)].join("\n");
}
