/**
 * comparison.html: the comparison with colour and one chart per load step and latency metric
 * (quantiles per mesh), self-contained like report.html.
 */
import type { Comparison, StepComparison } from "./compare.js";
import { GATE_NOTE, capabilityText, changeText, quantileText, verdictCellText } from "./compare-cells.js";
import { METRIC_LABEL, QUANTILES, STATUS_LABEL, formatNumber, formatPercent, formatRate, type LatencyMetric } from "./format.js";
import { escapeHtml as esc } from "./html-escape.js";
import { chartOptions, chartSlot, htmlPage, meshColor, type ChartSpec } from "./html-page.js";
import { badge, classed, codeText, htmlTable, markup, n, num, type Cell } from "./html-table.js";

const METRICS = ["e2e", "ttft", "itl"] as const satisfies readonly LatencyMetric[];

export function renderComparisonHtml(c: Comparison): string {
  const charts: ChartSpec[] = [];
  const title = c.columns.map((col) => col.key).join(" vs ") || "no runs";
  const body = [
    `<h1>meshproof comparison: ${esc(title)}</h1>`,
    `<p class="muted">${c.runs.length} run${c.runs.length === 1 ? "" : "s"} compared, written ${esc(c.createdAt)}. ${
      c.baseline
        ? `Overheads are measured against the baseline <code>${esc(c.baseline)}</code> (no mesh).`
        : "No baseline run (mesh <code>none</code>) was given, so no overhead is computed: add one to compare against."
    } Repeated runs of the same mesh and version are pooled in one column.</p>`,
    changesBlock(c),
    verdictSummaryBlock(c),
    checksBlock(c),
    stepsBlock(c, charts),
    capabilitiesBlock(c),
    runsBlock(c),
  ].join("\n");
  return htmlPage({ title: `meshproof comparison: ${title}`, body, charts, data: { createdAt: c.createdAt, baseline: c.baseline } });
}

/** Regressions first, as the gate names them; then the other changes whose interval excludes zero. */
function changesBlock(c: Comparison): string {
  if (!c.changes) return "";
  const found = c.changes.filter((x) => x.regression);
  const other = c.changes.filter((x) => !x.regression && (x.kind === "verdict" || (x.interval && (x.interval.low > 0 || x.interval.high < 0))));
  const list = (items: typeof found) => `<ul>${items.map((x) => `<li>${esc(changeText(x))}</li>`).join("")}</ul>`;
  return `<h2>Changes between runs</h2>
<div class="banner ${found.length > 0 ? "fail" : "pass"}"><span class="word">${found.length > 0 ? `${found.length} REGRESSION${found.length === 1 ? "" : "S"}` : "NO REGRESSION"}</span></div>
${found.length > 0 ? list(found) : ""}
${other.length > 0 ? `<p>Other changes (verdicts, or figures whose interval excludes zero but stays within the margin):</p>${list(other)}` : ""}
<p class="muted">${esc(GATE_NOTE)}</p>`;
}

function verdictSummaryBlock(c: Comparison): string {
  const rows = c.columns.map((col) => ({
    cells: [col.key, col.runIds.length, col.counts.pass, col.counts.fail, col.counts.inconclusive, col.counts.unsupported] satisfies Cell[],
  }));
  return `<h2>Verdicts per mesh</h2>\n${htmlTable(
    ["Mesh", n("Runs"), n(STATUS_LABEL.pass), n(STATUS_LABEL.fail), n(STATUS_LABEL.inconclusive), n(STATUS_LABEL.unsupported)],
    rows,
  )}`;
}

function checksBlock(c: Comparison): string {
  if (c.checks.length === 0) return "";
  const parts = [`<h2>Checks side by side</h2>`];
  for (const scenario of new Set(c.checks.map((k) => k.scenario))) {
    const rows = c.checks
      .filter((k) => k.scenario === scenario)
      .map((k) => ({
        cells: [
          codeText(k.checkId),
          classed(k.claim, "wide"),
          ...c.columns.map((col): Cell => {
            const cells = k.byColumn[col.key];
            if (!cells || cells.length === 0) return classed("not run", "muted");
            const t = verdictCellText(cells);
            return markup(`${badge(t.status, t.label).html}${t.detail ? `<span class="sub">${esc(t.detail)}</span>` : ""}`);
          }),
        ],
      }));
    parts.push(`<h3>${esc(scenario)}</h3>`, htmlTable(["Check", "Claim", ...c.columns.map((col) => col.key)], rows));
  }
  return parts.join("\n");
}

function stepsBlock(c: Comparison, charts: ChartSpec[]): string {
  if (c.steps.length === 0) return "";
  const parts = [`<h2>Load steps side by side</h2>`];
  if (c.baseline) parts.push(`<p class="muted">Each quantile is followed by the difference against <code>${esc(c.baseline)}</code>; intervals are bootstrap intervals over repeated runs.</p>`);
  for (const step of c.steps) parts.push(stepBlock(c, step, charts));
  return parts.join("\n");
}

function stepBlock(c: Comparison, step: StepComparison, charts: ChartSpec[]): string {
  const columns = c.columns.filter((col) => step.byColumn[col.key]);
  const rateRows = columns.map((col) => {
    const cell = step.byColumn[col.key];
    return {
      cells: [
        col.key,
        cell?.runs ?? 0,
        num(formatRate(cell?.offeredRps)),
        num(formatRate(cell?.achievedRps)),
        num(formatPercent(cell?.errorRate ?? undefined, 2)),
      ] satisfies Cell[],
    };
  });
  const parts = [
    `<h3>${esc(step.scenario)}: ${esc(step.stepName)} <code>${esc(step.stepId)}</code></h3>`,
    htmlTable(["Mesh", n("Runs"), n("Offered rps"), n("Achieved rps"), n("Error rate")], rateRows),
  ];
  const slots: string[] = [];
  const notes = new Set<string>();
  for (const metric of METRICS) {
    const withMetric = columns.filter((col) => step.byColumn[col.key]?.latency[metric]);
    if (withMetric.length === 0) continue;
    const rows = withMetric.map((col) => {
      const cell = step.byColumn[col.key];
      const q = cell?.latency[metric];
      const overhead = cell?.overhead?.[metric];
      for (const o of overhead ?? []) if (o.note) notes.add(o.note);
      return {
        cells: [
          col.key,
          num(formatNumber(q?.samples)),
          ...QUANTILES.map(({ key }): Cell => {
            const t = quantileText(q?.[key] ?? NaN, overhead?.find((o) => o.quantile === key));
            const subs = [t.diff, t.interval].filter(Boolean).map((x) => `<span class="sub">${esc(x)}</span>`);
            return classed(markup(`${esc(t.value)}${subs.join("")}`), "num");
          }),
        ],
      };
    });
    parts.push(`<h4>${esc(METRIC_LABEL[metric])}</h4>`, htmlTable(["Mesh", n("Samples"), ...QUANTILES.map((q) => n(q.label))], rows));
    const spec: ChartSpec = {
      id: `chart-${charts.length + 1}`,
      config: {
        type: "bar",
        data: {
          labels: QUANTILES.map((q) => q.label),
          datasets: withMetric.map((col, i) => ({
            label: col.key,
            data: QUANTILES.map(({ key }) => round(step.byColumn[col.key]?.latency[metric]?.[key] ?? 0)),
            backgroundColor: meshColor(col.mesh, i),
          })),
        },
        // The step is named in the heading above; a long title would be cut off in the chart.
        options: chartOptions(METRIC_LABEL[metric], "quantile", "milliseconds"),
      },
    };
    charts.push(spec);
    slots.push(chartSlot(spec, `${METRIC_LABEL[metric]} per mesh`));
  }
  if (slots.length > 0) parts.splice(2, 0, `<div class="charts">${slots.join("\n")}</div>`);
  if (notes.size > 0) parts.push(...[...notes].map((note) => `<p class="note">${esc(note)}</p>`));
  return parts.join("\n");
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function capabilitiesBlock(c: Comparison): string {
  if (c.capabilities.length === 0) return "";
  const rows = c.capabilities.map((cap) => ({
    cells: [
      codeText(cap.intent),
      ...c.columns.map((col): Cell => {
        const cell = cap.byColumn[col.key];
        const text = capabilityText(cell);
        if (cell?.support === "unsupported") return markup(`${badge("unsupported").html}<span class="sub">${esc(cell.note)}</span>`);
        if (!cell || cell.support === "not recorded") return classed(text, "muted");
        return text;
      }),
    ],
  }));
  return `<h2>What each mesh can express</h2>
<p class="muted">Native: the mesh has a resource for it. Emulated: built from other parts. Not supported: reported as such by the mesh driver, never counted as a failure.</p>
${htmlTable(["Intent", ...c.columns.map((col) => col.key)], rows)}`;
}

function runsBlock(c: Comparison): string {
  const rows = c.runs.map((r) => ({
    cells: [codeText(r.runId), r.name, r.startedAt, r.meshes.join(", "), r.path ? codeText(r.path) : "–"] satisfies Cell[],
  }));
  return `<h2>Runs compared</h2>\n${htmlTable(["Run id", "Name", "Started", "Meshes", "File"], rows)}`;
}
