/**
 * report.html: what an SRE opens first. The verdict banner, the key figures per mesh against the
 * baseline, the charts (SVG rendered when the report is written: charts.ts), then the checks and
 * the details, in one file that needs no network and no script.
 */
import type { LatencySummary } from "../load/profile.js";
import {
  ERROR_PROBABILITY_NOTE,
  EXIT_LEGEND,
  METRIC_LABEL,
  QUANTILES,
  STATUS_LABEL,
  errorRate,
  exitCodeMeaning,
  formatFamilyWise,
  formatConfidence,
  formatSignedLatency,
  formatTokensPerSecond,
  formatLatency,
  formatMs,
  formatNumber,
  formatPercent,
  formatRate,
  headline,
  type LatencyMetric,
} from "./format.js";
import { escapeHtml as esc } from "./html-escape.js";
import { htmlPage } from "./html-page.js";
import { reportCharts, type Chart } from "./charts.js";
import { CHECK_COLUMNS, type CheckCell, type CheckColumn } from "./check-columns.js";
import type { VerdictStatus } from "../analysis/verdict.js";
import type { Difference } from "./differences.js";
import { KEY_OVERHEAD_CONFIDENCE, clientLabel, keyFigures, type KeyFigures } from "./key-figures.js";
import { badge, classed, codeText, htmlTable, markup, n, num, type Cell } from "./html-table.js";
import type { RunResults } from "./results.js";
import { detailRows, meshLabel, MUTANT_WORDS, mutantRows, phaseProblems, scenarioSections, variantRows, verdictCounts, type ScenarioSection } from "./sections.js";

const METRICS = ["e2e", "ttft", "itl"] as const satisfies readonly LatencyMetric[];

export async function renderHtml(results: RunResults): Promise<string> {
  const sections = scenarioSections(results);
  const rows = keyFigures(results);
  const charts = await reportCharts(results, rows);
  const body = [
    summaryBlock(results),
    keyFiguresBlock(rows),
    chartsBlock(charts),
    overviewBlock(sections),
    phaseProblemBlock(results),
    mutantsBlock(results),
    ...sections.map((s) => scenarioBlock(s)),
    runDetailsBlock(results),
  ].join("\n");
  return htmlPage({
    title: `meshproof ${results.command} ${results.name}: ${headline(results.summary.exitCode, results.aborted).word}`,
    body,
    charts: [],
    data: { runId: results.runId, summary: results.summary, svgCharts: charts.map((c) => ({ id: c.id, kind: c.kind, title: c.title })) },
  });
}

const KEY_HEADERS = [
  "Scenario / step",
  "Mesh",
  "Client",
  "e2e p50",
  "e2e p99",
  "TTFT p50",
  "TTFT p99",
  "ITL p50",
  "ITL p99",
  "tokens/s (p50)",
  "Errors",
  "Δ e2e p99 vs none",
  "Δ errors vs none",
] as const;

function keyFiguresBlock(rows: KeyFigures[]): string {
  if (rows.length === 0) return "";
  const body = rows.map((r) => ({
    cells: [
      markup(`${esc(r.scenario)} <code class="id">${esc(r.stepId)}</code>`),
      r.mesh === "none" ? "none (baseline)" : markup(`${esc(r.mesh)}<span class="sub">${esc(r.meshVersion)}</span>`),
      r.client,
      num(formatLatency(r.latency.e2e?.p50)),
      num(formatLatency(r.latency.e2e?.p99)),
      num(formatLatency(r.latency.ttft?.p50)),
      num(formatLatency(r.latency.ttft?.p99)),
      num(formatLatency(r.latency.itl?.p50)),
      num(formatLatency(r.latency.itl?.p99)),
      num(formatTokensPerSecond(r.tokensPerSecond?.p50)),
      num(formatPercent(r.errorRate ?? undefined, 2)),
      overheadCell(r.overhead?.e2eP99, "ms"),
      overheadCell(r.overhead?.errorRate, "fraction"),
    ] satisfies Cell[],
  }));
  return `<h2>Key figures</h2>
<p class="muted">Per load step and mesh, from the HDR histograms of every request the step sent; tokens/s is each streamed request's output tokens per second, its median over requests.
Client: what sent the requests (a host process on --cluster local; on a cluster the loadgen pod, whose proxy is on the path when meshed, or the outsider pod outside the mesh). Overheads (Δ) are against the no-mesh baseline's same step in this run,
with a ${esc(formatConfidence(KEY_OVERHEAD_CONFIDENCE))} interval from order statistics of each side's requests (it leaves out run-to-run variation: compare repeated runs for that).</p>
${htmlTable(
  KEY_HEADERS.map((h, i) => (i >= 3 && i <= 12 ? n(h) : h)),
  body,
)}`;
}

function overheadCell(d: Difference | undefined, unit: "ms" | "fraction"): Cell {
  if (!d || !Number.isFinite(d.diff)) return "–";
  const fmt = (x: number) => (unit === "ms" ? formatSignedLatency(x) : `${x > 0 ? "+" : ""}${(x * 100).toFixed(2)} pts`);
  const interval = d.interval ? `[${fmt(d.interval.low)}, ${fmt(d.interval.high)}]` : "no interval";
  return classed(markup(`${esc(fmt(d.diff))}<span class="sub">${esc(interval)}</span>`), "num");
}

function chartsBlock(charts: Chart[]): string {
  if (charts.length === 0) return "";
  const figures = charts.map(
    (c) => `<figure class="chart" id="${esc(c.id)}" data-kind="${esc(c.kind)}" role="img" aria-label="${esc(c.title)}">${c.svg}<figcaption>${esc(c.title)}</figcaption></figure>`,
  );
  return `<h2>Charts</h2>\n<div class="charts svg">\n${figures.join("\n")}\n</div>`;
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
${results.skippedScenarios?.length ? `<div class="note"><strong>Not run on this cluster</strong> (the suite's other scenarios):<ul>${results.skippedScenarios.map((s) => `<li>${esc(s.scenario)}: ${esc(s.reason)}</li>`).join("")}</ul></div>` : ""}
${results.cleanupFailures?.length ? `<div class="note warn"><strong>Cleanup failed</strong>, so what this run created may still be there (<code>npm run clean</code> removes it):<ul>${results.cleanupFailures.map((f) => `<li>${esc(f)}</li>`).join("")}</ul></div>` : ""}
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

function mutantsBlock(results: RunResults): string {
  const rows = mutantRows(results);
  const m = results.summary.mutants;
  if (rows.length === 0 && !m) return "";
  const body = rows.map(({ target, mutant, tone }) => ({
    cells: [meshLabel(target), codeText(mutant.name), mutant.scenario, mutant.wrong, codeText(mutant.aimedAt), badge(tone, MUTANT_WORDS[mutant.status]), num(formatMs(mutant.durationMs)), classed(mutant.reason, "wide")] satisfies Cell[],
  }));
  const counts = m ? `<p>${m.killed} killed, ${m.unsupported} not supported, ${m.survived} survived, ${m.notJudged} not judged, ${m.inconclusive} inconclusive.</p>\n` : "";
  return `<h2>Mutants</h2>\n<p>Each deliberately wrong twin of a scenario ran on the same install right after it; it is killed when the check aimed at it fails. A survivor (or a mutant never judged) fails the run.</p>\n${counts}${htmlTable(["Mesh", "Mutant", "Scenario", "What is wrong", "Must fail", "Outcome", { text: "Time", numeric: true }, "Why"], body)}`;
}

function phaseProblemBlock(results: RunResults): string {
  const problems = phaseProblems(results);
  if (problems.length === 0) return "";
  const rows = problems.map((p) => ({
    cells: [meshLabel(p.target), p.phase, p.step.name, badge("error", p.step.status), classed(p.step.error ?? "", "wide")] satisfies Cell[],
  }));
  return `<h2>Set-up and teardown problems</h2>\n${htmlTable(["Mesh", "Phase", "Step", "Status", "Error"], rows)}`;
}

function scenarioBlock(section: ScenarioSection): string {
  const { target, scenario } = section;
  const parts = [
    `<h2 id="${esc(section.anchor)}">${esc(meshLabel(target))}: ${esc(scenario.name)} ${badge(scenario.status).html}</h2>`,
    `<p>${esc(scenario.description)}</p>`,
    `<p class="muted">Routing API: ${esc(target.routing)}.</p>`,
  ];
  if (scenario.claims.length > 0) parts.push(`<p>Claims:</p><ul>${scenario.claims.map((c) => `<li>${esc(c)}</li>`).join("")}</ul>`);
  parts.push(checksBlock(section));
  if (scenario.familyWise) parts.push(`<p class="muted">${esc(formatFamilyWise(scenario.familyWise))}.</p>`);
  if (section.unsupported.length > 0) parts.push(unsupportedBlock(section));
  if (section.convergence.length > 0) parts.push(convergenceBlock(section));
  if (section.load.length > 0) parts.push(loadBlock(section));
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
  const render = (col: CheckColumn, c: CheckCell): Cell => {
    if (c.kind === "status") return badge(c.text as VerdictStatus);
    if (c.kind === "links") {
      return markup(
        (c.links ?? []).map((l) => (l.href ? `<a class="evidence" href="${esc(l.href)}">${esc(l.path)}</a>` : `<code>${esc(l.path)}</code>`)).join("<br>"),
      );
    }
    if (c.kind === "code") return codeText(c.text);
    const classes = [col.align === "right" ? "num" : "", col.nowrap ? "nowrap" : "", col.wide ? "wide" : ""].filter(Boolean).join(" ");
    const content = c.sub ? markup(`${esc(c.text)}<span class="sub">${esc(c.sub)}</span>`) : c.text;
    return classes ? classed(content, classes) : content;
  };
  const rows = section.checks.map(({ verdict: v, step }) => ({
    className: `row-${v.status}`,
    cells: CHECK_COLUMNS.map((col) => render(col, col.cell(v, step))),
  }));
  return `<h3>Checks</h3>\n${htmlTable(
    CHECK_COLUMNS.map((c) => (c.align === "right" ? n(c.header) : c.header)),
    rows,
  )}\n<p class="muted">${esc(ERROR_PROBABILITY_NOTE)}</p>`;
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

function loadBlock(section: ScenarioSection): string {
  const rows = section.load;
  const rateRows = rows.map(({ step, load }) => ({
    cells: [
      step.name,
      clientLabel(section.clusterName, section.target.mesh, load.profile.client),
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
    htmlTable(["Step", "Client", n("Offered req/s"), n("Achieved req/s"), n("Requests"), n("Failed"), n("Error rate"), n("Dropped"), n("Batches")], rateRows),
  ];
  for (const metric of METRICS) {
    const withMetric = rows.flatMap((r) => {
      const summary = r.load.latency[metric];
      return summary ? [{ name: r.step.name, summary }] : [];
    });
    if (withMetric.length === 0) continue;
    parts.push(latencyTable(METRIC_LABEL[metric], withMetric));
  }
  const tokens = rows.flatMap((r) => (r.load.outputTokensPerSecond ? [{ name: r.step.name, summary: r.load.outputTokensPerSecond }] : []));
  if (tokens.length > 0) parts.push(tokensTable(tokens));
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
  return `<h4>Output tokens per second (per request, tokens/s)</h4>\n${htmlTable(
    ["Step", n("Samples"), n("mean"), n("min"), n("p50"), n("p90"), n("max")],
    rows.map(({ name, summary: s }) => ({
      cells: [name, num(formatNumber(s.count)), num(formatRate(s.mean)), num(formatRate(s.min)), num(formatRate(s.p50)), num(formatRate(s.p90)), num(formatRate(s.max))],
    })),
  )}`;
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
  const variants = variantRows(results);
  if (variants.length > 0) {
    parts.push(
      `<h3>Mesh variants</h3>`,
      `<p>These meshes ran as a build other than the official release; what each cannot show is judged <code>unsupported</code>, never passed.</p>`,
      htmlTable(["Mesh", "Variant", "Control plane", "Proxy", "Built from", "Cannot show"], variants.map((v) => ({ cells: [v.mesh, v.variant, v.controlPlane, v.proxy, v.provenance, v.cannotShow.join("; ")] }))),
    );
  }
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
