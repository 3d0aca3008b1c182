/**
 * The shell every HTML report shares: one self-contained file with inline CSS, a JSON block of
 * what the page shows (for tools and tests), and a Content-Security-Policy that forbids every
 * network fetch. report.html carries its charts as SVG and no script; comparison.html still draws
 * Chart.js charts in the browser (Chart.js's UMD build inlined, configurations as JSON), so the report opens the same on a laptop with no network or in a
 * CI artifact viewer.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { escapeHtml, jsonForScript } from "./html-escape.js";

/** A Chart.js configuration that survives JSON: no callbacks, only data and plain options. */
export interface ChartConfig {
  type: "bar" | "scatter" | "line";
  data: {
    labels?: (string | string[])[];
    datasets: Record<string, unknown>[];
  };
  options: Record<string, unknown>;
}

export interface ChartSpec {
  /** Element id of the canvas; generated, never taken from results. */
  id: string;
  config: ChartConfig;
}

let chartJsSource: string | undefined;

/**
 * Chart.js's package exports map hides dist/chart.umd.js, so resolve the package entry and take
 * the UMD build beside it. The source-map comment is dropped: the map is not inlined.
 */
export function chartJsUmd(): string {
  if (chartJsSource !== undefined) return chartJsSource;
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve("chart.js");
  } catch (err) {
    throw new Error(`cannot find the chart.js package for the HTML report (${String(err)}): run npm install in the meshproof folder`);
  }
  const umd = join(dirname(entry), "chart.umd.js");
  const source = readFileSync(umd, "utf8").replace(/\n\/\/# sourceMappingURL=\S*\s*$/, "\n");
  if (/<\/script|<!--/i.test(source)) {
    throw new Error(`${umd} contains "</script" or "<!--" and cannot be inlined safely: pin a different chart.js version`);
  }
  chartJsSource = source;
  return source;
}

/** Fixed: inline styles (and, only for Chart.js pages, inline scripts); nothing fetched at view time. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
/** Pages whose charts are SVG already need no script at all: forbid every one. */
const CONTENT_SECURITY_POLICY_NO_SCRIPT =
  "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const CSS = `
:root { --pass:#137333; --pass-bg:#e6f4ea; --fail:#b3261e; --fail-bg:#fce8e6; --inc:#8a5300; --inc-bg:#fef3d6;
  --uns:#5f6368; --uns-bg:#eceff1; --err:#7b1fa2; --err-bg:#f3e5f5; --line:#dadce0; --muted:#5f6368; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color:#202124;
  margin: 0 auto; padding: 24px 32px 64px; max-width: 1400px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 36px 0 6px; padding-top: 12px; border-top: 2px solid var(--line); }
h3 { font-size: 15px; margin: 22px 0 6px; }
h4 { font-size: 14px; margin: 14px 0 4px; color: var(--muted); }
p { margin: 6px 0; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background:#f1f3f4; padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.banner { display:flex; align-items:center; gap:16px; padding:14px 18px; border-radius:8px; margin: 12px 0; }
.banner .word { font-size: 22px; font-weight: 700; letter-spacing: .02em; }
.banner.pass { background: var(--pass-bg); color: var(--pass); } .banner.fail { background: var(--fail-bg); color: var(--fail); }
.banner.inconclusive { background: var(--inc-bg); color: var(--inc); } .banner.unsupported { background: var(--uns-bg); color: var(--uns); }
.banner.error { background: var(--err-bg); color: var(--err); }
.banner .meaning { color:#202124; }
.cards { display:flex; gap:12px; flex-wrap:wrap; margin: 10px 0; }
.card { min-width: 150px; padding: 10px 14px; border-radius: 8px; border: 1px solid var(--line); }
.card .n { font-size: 26px; font-weight: 700; display:block; }
.card.pass .n { color: var(--pass); } .card.fail .n { color: var(--fail); } .card.inconclusive .n { color: var(--inc); } .card.unsupported .n { color: var(--uns); }
.scroll { overflow-x: auto; margin: 6px 0; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f8f9fa; font-weight: 600; }
tbody tr:nth-child(even) td { background: #fcfcfd; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.wide { min-width: 220px; }
td code { overflow-wrap: normal; }
td .sub { display: block; color: var(--muted); font-size: 12px; margin-top: 2px; }
.badge { display:inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; white-space: nowrap; }
.badge.pass { background: var(--pass-bg); color: var(--pass); } .badge.fail { background: var(--fail-bg); color: var(--fail); }
.badge.inconclusive { background: var(--inc-bg); color: var(--inc); } .badge.unsupported { background: var(--uns-bg); color: var(--uns); }
.badge.error { background: var(--err-bg); color: var(--err); }
tr.row-fail td { background: #fff7f6; } tr.row-inconclusive td { background: #fffbf0; }
.charts { display:grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; margin: 10px 0; }
.chart { position: relative; height: 300px; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
.charts.svg { grid-template-columns: repeat(auto-fill, minmax(620px, 1fr)); }
figure.chart { height: auto; margin: 0; overflow-x: auto; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
code.id { white-space: nowrap; overflow-wrap: normal; }
a.evidence { white-space: nowrap; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
details { margin: 6px 0; } summary { cursor: pointer; }
.note { border-left: 4px solid var(--line); padding: 4px 12px; margin: 8px 0; color: var(--muted); }
.note.warn { border-color: var(--fail); color: #202124; }
@media print { .chart { break-inside: avoid; } h2 { break-before: auto; } }
`;

/**
 * Charts are drawn once, without animation: a screenshot, a print or a slow CI viewer sees the
 * finished chart. Reads the configurations from the JSON block, never from HTML attributes.
 */
const BOOTSTRAP = `
(function () {
  var block = document.getElementById("meshproof-data");
  if (!block || typeof Chart === "undefined") return;
  var data = JSON.parse(block.textContent || "{}");
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  (data.charts || []).forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (canvas) new Chart(canvas, spec.config);
  });
})();
`;

/** A canvas placeholder; the chart is drawn from the spec with the same id. */
export function chartSlot(spec: ChartSpec, label: string): string {
  return `<div class="chart"><canvas id="${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(label)}"></canvas></div>`;
}

export function htmlPage(opts: { title: string; body: string; charts: ChartSpec[]; data?: Record<string, unknown> }): string {
  const payload = { ...opts.data, charts: opts.charts };
  const scripts = opts.charts.length > 0 ? `<script>${chartJsUmd()}</script>\n<script>${BOOTSTRAP}</script>\n` : "";
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${scripts ? CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY_NO_SCRIPT}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(opts.title)}</title>
<style>${CSS}</style>
</head>
<body>
${opts.body}
<script type="application/json" id="meshproof-data">${jsonForScript(payload)}</script>
${scripts}</body>
</html>
`;
}

/** Split a long label into lines Chart.js draws under one tick, so step names stay readable. */
export function wrapLabel(text: string, width = 24): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines.length > 0 ? lines.slice(0, 3) : [""];
}

/** Quantile colours: cool to hot as the tail gets longer. */
export const QUANTILE_COLORS = ["#4e79a7", "#59a14f", "#f28e2b", "#e15759"] as const;

const MESH_COLORS: Record<string, string> = { istio: "#466bb0", linkerd: "#1fa37a", none: "#9aa0a6" };
const FALLBACK_COLORS = ["#b07aa1", "#edc948", "#76b7b2", "#ff9da7"];

export function meshColor(mesh: string, index: number): string {
  return MESH_COLORS[mesh] ?? FALLBACK_COLORS[index % FALLBACK_COLORS.length] ?? "#888888";
}

/** Chart title, axis titles and legend placement shared by every chart. */
export function chartOptions(title: string, x: string, y: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    responsive: true,
    plugins: { title: { display: true, text: title, font: { size: 13 } }, legend: { position: "bottom" } },
    scales: {
      x: { title: { display: true, text: x } },
      y: { title: { display: true, text: y }, beginAtZero: true },
    },
    ...extra,
  };
}
