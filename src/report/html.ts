/**
 * report.html: the same content as report.md, with colour and charts (latency quantiles per load
 * step, achieved against offered rate across a sweep), in one file that needs no network.
 */
import type { Verdict } from "../analysis/verdict.js";
import type { LatencySummary } from "../load/profile.js";
import {
  ERROR_PROBABILITY_NOTE,
  EXIT_LEGEND,
  METRIC_LABEL,
  QUANTILES,
  STATUS_LABEL,
  errorRate,
  exitCodeMeaning,
  formatErrorProbabilities,
  formatExpected,
  formatConfidence,
  formatLatency,
  formatMs,
  formatNumber,
  formatPercent,
  formatRate,
  formatTolerance,
  formatValue,
  headline,
  type LatencyMetric,
} from "./format.js";
import { escapeHtml as esc } from "./html-escape.js";
import { QUANTILE_COLORS, chartOptions, chartSlot, htmlPage, wrapLabel, type ChartSpec } from "./html-page.js";
import { badge, classed, codeText, htmlTable, markup, n, num, type Cell } from "./html-table.js";
import type { RunResults } from "./results.js";
import { detailRows, meshLabel, phaseProblems, scenarioSections, verdictCounts, type LoadRow, type ScenarioSection } from "./sections.js";

const METRICS = ["e2e", "ttft", "itl"] as const satisfies readonly LatencyMetric[];

/** Hands out canvas ids and collects the chart specs that go into the JSON block. */
class ChartCollector {
  readonly specs: ChartSpec[] = [];

  add(config: ChartSpec["config"], label: string): string {
    const spec: ChartSpec = { id: `chart-${this.specs.length + 1}`, config };
    this.specs.push(spec);
    return chartSlot(spec, label);
  }
}

export function renderHtml(results: RunResults): string {
  const charts = new ChartCollector();
  const sections = scenarioSections(results);
  const body = [
    summaryBlock(results),
    overviewBlock(sections),
    phaseProblemBlock(results),
    ...sections.map((s) => scenarioBlock(s, charts)),
    runDetailsBlock(results),
  ].join("\n");
  return htmlPage({
    title: `meshproof ${results.command} ${results.name}: ${headline(results.summary.exitCode, results.aborted).word}`,
    body,
    charts: charts.specs,
    data: { runId: results.runId, summary: results.summary },
  });
}

function summaryBlock(results: RunResults): string {
  const s = results.summary;
  const { word, tone } = headline(s.exitCode, results.aborted);
  const card = (status: "pass" | "fail" | "inconclusive" | "unsupported", count: number) =>
    `<div class="card ${status}"><span class="n">${count}</span>${badge(status).html}</div>`;
  return `<header>
<h1>meshproof ${esc(results.command)}: ${esc(results.name)}</h1>
<p class="muted">Run <code>${esc(results.runId)}</code> on ${esc(results.cluster.name)}, started ${esc(results.startedAt)}, took ${esc(formatMs(results.durationMs))}.</p>
<div class="banner ${tone}"><span class="word">${esc(word)}</span><span class="meaning">Exit code ${s.exitCode}: ${esc(exitCodeMeaning(s.exitCode))}.</span></div>
${results.aborted ? `<p class="note warn"><strong>The run ended early:</strong> ${esc(results.aborted)}</p>` : ""}
<div class="cards">${card("pass", s.pass)}${card("fail", s.fail)}${card("inconclusive", s.inconclusive)}${card("unsupported", s.unsupported)}</div>
<p class="muted">${esc(EXIT_LEGEND)}
A mesh that cannot express an intent is reported as not supported, never as a failure.</p>
</header>`;
}

function overviewBlock(sections: ScenarioSection[]): string {
  if (sections.length === 0) return `<h2>Overview</h2><p>No scenario ran.</p>`;
  const rows = sections.map((s) => {
    const c = verdictCounts(s.scenario.verdicts);
    return {
      cells: [
        meshLabel(s.target),
        markup(`<a href="#${esc(s.anchor)}">${esc(s.scenario.name)}</a>`),
        badge(s.scenario.status),
        c.pass,
        c.fail,
        c.inconclusive,
        c.unsupported,
      ] satisfies Cell[],
    };
  });
  return `<h2>Overview</h2>\n${htmlTable(["Mesh", "Scenario", "Result", n(STATUS_LABEL.pass), n(STATUS_LABEL.fail), n(STATUS_LABEL.inconclusive), n(STATUS_LABEL.unsupported)], rows)}`;
}

function phaseProblemBlock(results: RunResults): string {
  const problems = phaseProblems(results);
  if (problems.length === 0) return "";
  const rows = problems.map((p) => ({
    cells: [meshLabel(p.target), p.phase, p.step.name, badge("error", p.step.status), classed(p.step.error ?? "", "wide")] satisfies Cell[],
  }));
  return `<h2>Set-up and teardown problems</h2>\n${htmlTable(["Mesh", "Phase", "Step", "Status", "Error"], rows)}`;
}

function scenarioBlock(section: ScenarioSection, charts: ChartCollector): string {
  const { target, scenario } = section;
  const parts = [
    `<h2 id="${esc(section.anchor)}">${esc(meshLabel(target))}: ${esc(scenario.name)} ${badge(scenario.status).html}</h2>`,
    `<p>${esc(scenario.description)}</p>`,
    `<p class="muted">Routing API: ${esc(target.routing)}.</p>`,
  ];
  if (scenario.claims.length > 0) parts.push(`<p>Claims:</p><ul>${scenario.claims.map((c) => `<li>${esc(c)}</li>`).join("")}</ul>`);
  parts.push(checksBlock(section));
  if (section.unsupported.length > 0) parts.push(unsupportedBlock(section));
  if (section.convergence.length > 0) parts.push(convergenceBlock(section));
  if (section.load.length > 0) parts.push(loadBlock(section, charts));
  if (section.problems.length > 0) {
    parts.push(
      `<h3>Step problems</h3><ul>${section.problems
        .map((s) => `<li>${esc(s.name)} (${esc(s.status)}): ${esc(s.error ?? "no error recorded")}</li>`)
        .join("")}</ul>`,
    );
  }
  return `<section>\n${parts.join("\n")}\n</section>`;
}

function checksBlock(section: ScenarioSection): string {
  if (section.checks.length === 0) return `<h3>Checks</h3><p>No checks were evaluated.</p>`;
  const rows = section.checks.map(({ verdict: v, step }) => ({
    className: `row-${v.status}`,
    cells: [
      badge(v.status),
      codeText(v.checkId),
      classed(markup(`${esc(v.claim)}${step ? `<span class="sub">step: ${esc(step.name)}</span>` : ""}`), "wide"),
      num(formatValue(v, v.observed)),
      num(formatExpected(v)),
      num(formatTolerance(v)),
      intervalCell(v),
      num(formatNumber(v.sampleSize)),
      num(formatErrorProbabilities(v)),
      classed(v.reason, "wide"),
    ] satisfies Cell[],
  }));
  return `<h3>Checks</h3>\n${htmlTable(
    ["Status", "Check", "Claim", n("Observed"), n("Expected"), n("Tolerance"), "Interval", n("n"), n("False fail / false pass"), "Why"],
    rows,
  )}\n<p class="muted">${esc(ERROR_PROBABILITY_NOTE)}</p>`;
}

/** The range on one line, the confidence under it: keeps the widest column narrow. */
function intervalCell(v: Verdict): Cell {
  if (!v.interval) return "–";
  const range = `[${formatValue(v, v.interval.low)}, ${formatValue(v, v.interval.high)}]`;
  return classed(markup(`${esc(range)}<span class="sub">at ${esc(formatConfidence(v.interval.confidence))}</span>`), "nowrap");
}

function unsupportedBlock(section: ScenarioSection): string {
  const mesh = section.target.mesh;
  const rows = section.unsupported.map((u) => ({ cells: [codeText(u.intent), classed(u.reason, "wide")] satisfies Cell[] }));
  return `<h3>Not supported by ${esc(mesh)}</h3>
<p class="muted">These intents cannot be expressed by this mesh; the checks that depend on them are reported as not supported, not failed.</p>
${htmlTable(["Intent", `Reason given by ${mesh}`], rows)}`;
}

function convergenceBlock(section: ScenarioSection): string {
  const rows = section.convergence.map(({ step, convergence: c }) => ({
    cells: [
      step.name,
      c.converged ? badge("pass", "converged") : badge("fail", "did not converge"),
      num(c.timeToConvergeMs === null ? "–" : formatMs(c.timeToConvergeMs)),
      c.windows,
      c.misses.length,
      c.diagnosis,
    ] satisfies Cell[],
  }));
  const misses = section.convergence
    .filter(({ convergence }) => convergence.misses.length > 0)
    .map(
      ({ step, convergence }) =>
        `<details><summary>${esc(step.name)}: ${convergence.misses.length} miss${convergence.misses.length === 1 ? "" : "es"}</summary><ul>${convergence.misses
          .map((m) => `<li>at ${esc(formatMs(m.atMs))}: ${esc(m.reason)}</li>`)
          .join("")}</ul></details>`,
    )
    .join("\n");
  return `<h3>Convergence</h3>\n${htmlTable(["Step", "Result", n("Time to converge"), n("Windows"), n("Misses"), "Diagnosis"], rows)}${
    misses ? `\n<p class="muted">Misses, with the time since the policy was applied:</p>\n${misses}` : ""
  }`;
}

function loadBlock(section: ScenarioSection, charts: ChartCollector): string {
  const rows = section.load;
  const rateRows = rows.map(({ step, load }) => ({
    cells: [
      step.name,
      num(formatRate(load.offeredRps)),
      num(formatRate(load.achievedRps)),
      num(formatNumber(load.requests)),
      num(formatNumber(load.failed)),
      num(formatPercent(errorRate(load.requests, load.failed), 2)),
      num(formatNumber(load.droppedIterations)),
      num(step.batches === undefined ? "–" : String(step.batches)),
    ] satisfies Cell[],
  }));
  const parts = [
    `<h3>Load</h3>`,
    htmlTable(["Step", n("Offered rps"), n("Achieved rps"), n("Requests"), n("Failed"), n("Error rate"), n("Dropped"), n("Batches")], rateRows),
  ];
  const chartSlots: string[] = [];
  const sweep = rateSweepChart(charts, section);
  if (sweep) chartSlots.push(sweep);
  for (const metric of METRICS) {
    const withMetric = rows.flatMap((r) => {
      const summary = r.load.latency[metric];
      return summary ? [{ name: r.step.name, summary }] : [];
    });
    if (withMetric.length === 0) continue;
    parts.push(latencyTable(METRIC_LABEL[metric], withMetric));
    chartSlots.push(latencyChart(charts, `${METRIC_LABEL[metric]}, ${meshLabel(section.target)}`, withMetric));
  }
  const tokens = rows.flatMap((r) => (r.load.outputTokensPerSecond ? [{ name: r.step.name, summary: r.load.outputTokensPerSecond }] : []));
  if (tokens.length > 0) parts.push(tokensTable(tokens));
  if (chartSlots.length > 0) parts.splice(2, 0, `<div class="charts">${chartSlots.join("\n")}</div>`);
  return parts.join("\n");
}

function latencyTable(title: string, rows: { name: string; summary: LatencySummary }[]): string {
  return `<h4>${esc(title)}</h4>\n${htmlTable(
    ["Step", n("Samples"), ...QUANTILES.map((q) => n(q.label)), n("max")],
    rows.map(({ name, summary }) => ({
      cells: [name, num(formatNumber(summary.count)), ...QUANTILES.map((q) => num(formatLatency(summary[q.key]))), num(formatLatency(summary.max))],
    })),
  )}`;
}

function tokensTable(rows: { name: string; summary: LatencySummary }[]): string {
  return `<h4>Output tokens per second (per request)</h4>\n${htmlTable(
    ["Step", n("Samples"), n("mean"), n("min"), n("p50"), n("p90"), n("max")],
    rows.map(({ name, summary: s }) => ({
      cells: [name, num(formatNumber(s.count)), num(formatRate(s.mean)), num(formatRate(s.min)), num(formatRate(s.p50)), num(formatRate(s.p90)), num(formatRate(s.max))],
    })),
  )}`;
}

/** One bar group per step, one bar per quantile: the tail's growth across steps is the story. */
function latencyChart(charts: ChartCollector, title: string, rows: { name: string; summary: LatencySummary }[]): string {
  return charts.add(
    {
      type: "bar",
      data: {
        labels: rows.map((r) => wrapLabel(r.name)),
        datasets: QUANTILES.map((q, i) => ({
          label: q.label,
          data: rows.map((r) => round(r.summary[q.key])),
          backgroundColor: QUANTILE_COLORS[i],
        })),
      },
      options: chartOptions(title, "step", "milliseconds"),
    },
    title,
  );
}

/**
 * Achieved against offered rate with the ideal diagonal: where the achieved line bends away,
 * the stack (or the mesh in front of it) saturated. Error rate rides on a second axis.
 */
function rateSweepChart(charts: ChartCollector, section: ScenarioSection): string | undefined {
  const points = [...section.load].sort((a, b) => a.load.offeredRps - b.load.offeredRps);
  if (new Set(points.map((p) => p.load.offeredRps)).size < 2) return undefined;
  const maxOffered = Math.max(...points.map((p) => p.load.offeredRps));
  const title = `Achieved vs offered rate, ${meshLabel(section.target)} ${section.scenario.name}`;
  return charts.add(
    {
      type: "scatter",
      data: {
        datasets: [
          {
            label: "achieved rps",
            data: points.map((p) => ({ x: p.load.offeredRps, y: round(p.load.achievedRps) })),
            showLine: true,
            borderColor: "#466bb0",
            backgroundColor: "#466bb0",
            yAxisID: "y",
          },
          {
            label: "ideal (achieved = offered)",
            data: [
              { x: 0, y: 0 },
              { x: maxOffered, y: maxOffered },
            ],
            showLine: true,
            borderDash: [6, 4],
            borderColor: "#9aa0a6",
            pointRadius: 0,
            yAxisID: "y",
          },
          {
            label: "error rate %",
            data: points.map((p) => ({ x: p.load.offeredRps, y: round((errorRate(p.load.requests, p.load.failed) ?? 0) * 100) })),
            showLine: true,
            borderColor: "#e15759",
            backgroundColor: "#e15759",
            yAxisID: "errors",
          },
        ],
      },
      options: chartOptions(title, "offered requests per second", "achieved requests per second", {
        scales: {
          x: { type: "linear", beginAtZero: true, title: { display: true, text: "offered requests per second" } },
          y: { beginAtZero: true, title: { display: true, text: "achieved requests per second" } },
          errors: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "error rate %" } },
        },
      }),
    },
    title,
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function runDetailsBlock(results: RunResults): string {
  const facts: Cell[][] = [
    ["Run id", codeText(results.runId)],
    ["Command", `${results.command} ${results.name}`],
    ["Started", results.startedAt],
    ["Ended", results.endedAt],
    ["Duration", formatMs(results.durationMs)],
    ["Cluster", `${results.cluster.name}: ${results.cluster.description}`],
    ["Meshes", results.targets.map((t) => `${meshLabel(t)} (routing ${t.routing})`).join(", ") || "–"],
    ["Host", `${results.host.platform}, ${results.host.cpus} CPUs, Node ${results.host.node}`],
  ];
  const parts = [`<h2>Run details</h2>`, htmlTable(["", ""], facts.map((cells) => ({ cells })))];
  const versions = detailRows(results.versions);
  if (versions.length > 0) parts.push(`<h3>Versions</h3>`, htmlTable(["Component", "Version"], versions.map(([k, v]) => ({ cells: [k, v] }))));
  if (results.tools.length > 0) {
    parts.push(
      `<h3>Tools</h3>`,
      htmlTable(["Tool", "Version", "Source", "Path"], results.tools.map((t) => ({ cells: [t.name, t.version, t.source, codeText(t.path)] }))),
    );
  }
  const options = detailRows(results.options);
  if (options.length > 0) parts.push(`<h3>Options</h3>`, htmlTable(["Option", "Value"], options.map(([k, v]) => ({ cells: [codeText(k), codeText(v)] }))));
  return parts.join("\n");
}
