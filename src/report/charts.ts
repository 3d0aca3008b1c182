/**
 * report.html's charts, rendered to SVG on the machine that writes the report, so the file needs
 * no script and no network to show them. Each chart is a Vega-Lite specification compiled and
 * rendered by Vega in Node (BSD-3-Clause, maintained by the Vega project; its SVG renderer needs
 * no browser and no canvas). Chart.js, used before, draws on a canvas in the viewer's browser,
 * so its charts existed only where scripts ran.
 *
 * Charts: latency CDFs per load step (one line per mesh, SLO objectives as vertical lines),
 * overhead against the baseline with intervals, observed against configured shares (canary
 * splits, fault rates) with intervals, time to converge after each policy change, and achieved
 * against offered rate over a sweep. Axis titles are short; identifiers are never wrapped.
 */
import { MESHES } from "../mesh/registry.js";
import { None, View, logger, parse } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Verdict } from "../analysis/verdict.js";
import { bucketsOf } from "../analysis/distribution.js";
import type { LatencySummary } from "../load/profile.js";
import { isProportion, type LatencyMetric } from "./format.js";
import { keyFigures, type KeyFigures } from "./key-figures.js";
import type { RunResults, StepRecord } from "./results.js";

export interface Chart {
  /** Element id in the page; generated, never taken from results. */
  id: string;
  /** The caption under the chart, also its accessible name. */
  title: string;
  kind: "latency-cdf" | "overhead" | "shares" | "convergence" | "rate-sweep";
  svg: string;
}

/** Each mesh's colour, from the registry, in its order. */
const COLOURED = MESHES.entries.filter((e) => e.colour);
const MESH_NAMES = COLOURED.map((e) => e.name);
const MESH_RANGE = COLOURED.map((e) => e.colour!);
const METRIC_SHORT: Record<LatencyMetric, string> = { e2e: "end-to-end", ttft: "TTFT", itl: "ITL" };
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif';

const CONFIG = {
  font: FONT,
  view: { stroke: "#dadce0" },
  axis: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 600, labelLimit: 220, grid: true, gridColor: "#eceff1" },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: "bottom", labelLimit: 260 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 13, anchor: "start" },
} as const;

/** Colour by mesh, with the same colours in every chart; other meshes get Vega's defaults. */
function meshColor(meshes: readonly string[]): Record<string, unknown> {
  const known = MESH_NAMES.filter((m) => meshes.includes(m));
  const others = meshes.filter((m) => !MESH_NAMES.includes(m));
  return {
    field: "mesh",
    type: "nominal",
    title: "mesh",
    scale: others.length === 0 ? { domain: known, range: known.map((m) => MESH_RANGE[MESH_NAMES.indexOf(m)]) } : {},
  };
}

/** Vega-Lite's layout notes ("sort will be set to true") are for chart authors, not report readers. */
const QUIET = logger(None);

async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec, { logger: QUIET }).spec), { renderer: "none", logLevel: None });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Points of the empirical CDF from an HDR histogram, thinned where the curve is flat. */
export function cdfPoints(summary: LatencySummary, maxPoints = 300): { ms: number; share: number }[] {
  const b = bucketsOf(summary);
  if (b.total === 0) return [];
  const points: { ms: number; share: number }[] = [];
  let cumulative = 0;
  let lastShare = -1;
  const step = 1 / maxPoints;
  for (let i = 0; i < b.counts.length; i++) {
    cumulative += b.counts[i]!;
    const share = cumulative / b.total;
    const last = i === b.counts.length - 1;
    // The tail is what SLOs are about: keep every bucket above the 99th percentile.
    if (last || share - lastShare >= step || share > 0.99) {
      points.push({ ms: b.highUs[i]! / 1000, share });
      lastShare = share;
    }
  }
  return points;
}

/**
 * Which metric a latency objective is about. Verdicts carry no metric field yet, so it is read
 * from the check's id, claim and reason ("p99 ttft", "time to first token"); end-to-end otherwise.
 */
export function objectiveMetric(v: Pick<Verdict, "checkId" | "claim" | "reason">): LatencyMetric {
  const text = `${v.checkId} ${v.claim} ${v.reason}`;
  if (/\bttft\b|time to first token/i.test(text)) return "ttft";
  if (/\bitl\b|inter-token/i.test(text)) return "itl";
  return "e2e";
}

/** Latency objectives of a step: one-sided "quantile at most maxMs" verdicts (unit ms, no tolerance). */
function objectives(step: StepRecord): { metric: LatencyMetric; ms: number; label: string }[] {
  return (step.verdicts ?? []).flatMap((v) => {
    if (v.unit !== "ms" || v.expected === undefined || v.tolerance !== undefined) return [];
    const q = /\bp(\d+(?:\.\d+)?)\b/i.exec(`${v.checkId} ${v.claim}`)?.[1];
    return [{ metric: objectiveMetric(v), ms: v.expected, label: `${q ? `p${q} ` : ""}SLO ${v.expected} ms` }];
  });
}

interface StepAcrossMeshes {
  scenario: string;
  stepId: string;
  byMesh: { mesh: string; step: StepRecord }[];
}

function measuredSteps(results: RunResults): StepAcrossMeshes[] {
  const out = new Map<string, StepAcrossMeshes>();
  for (const t of results.targets) {
    for (const sc of t.scenarios) {
      for (const step of sc.steps) {
        if (!step.load || step.kind === "converge" || step.load.requests === 0) continue;
        const key = `${sc.name}\u0000${step.id}`;
        const entry = out.get(key) ?? { scenario: sc.name, stepId: step.id, byMesh: [] };
        entry.byMesh.push({ mesh: t.mesh, step });
        out.set(key, entry);
      }
    }
  }
  return [...out.values()];
}

function latencyCdfSpec(s: StepAcrossMeshes): TopLevelSpec | undefined {
  const metrics = (["e2e", "ttft"] as const).filter((m) => s.byMesh.some(({ step }) => (step.load!.latency[m]?.count ?? 0) > 0));
  if (metrics.length === 0) return undefined;
  const values = s.byMesh.flatMap(({ mesh, step }) =>
    metrics.flatMap((m) => {
      const summary = step.load!.latency[m];
      return summary ? cdfPoints(summary).map((p) => ({ mesh, metric: METRIC_SHORT[m], ms: p.ms, share: p.share })) : [];
    }),
  );
  const rules = s.byMesh.flatMap(({ step }) => objectives(step).filter((o) => metrics.includes(o.metric as "e2e" | "ttft")).map((o) => ({ metric: METRIC_SHORT[o.metric], ms: o.ms, label: o.label })));
  const uniqueRules = [...new Map(rules.map((r) => [`${r.metric}\u0000${r.ms}`, r])).values()];
  const meshes = [...new Set(s.byMesh.map((m) => m.mesh))];
  const panel = (metric: string) => {
    const slowest = Math.max(...values.filter((v) => v.metric === metric).map((v) => v.ms));
    // An objective far beyond every sample would squeeze the curve into a corner: name it in the
    // title instead of drawing it.
    const here = uniqueRules.filter((r) => r.metric === metric && r.ms <= 3 * slowest);
    const offScale = uniqueRules.filter((r) => r.metric === metric && r.ms > 3 * slowest).map((r) => r.label);
    const title = offScale.length > 0 ? `${metric} (${offScale.join(", ")}: off the scale)` : metric;
    const layers: unknown[] = [
      {
        data: { values: values.filter((v) => v.metric === metric) },
        mark: { type: "line", interpolate: "step-after", strokeWidth: 1.6 },
        encoding: {
          x: { field: "ms", type: "quantitative", title: "latency (ms, log)", scale: { type: "log", nice: false } },
          y: { field: "share", type: "quantitative", title: "share of requests", axis: { format: "%" }, scale: { domain: [0, 1] } },
          color: meshColor(meshes),
        },
      },
    ];
    if (here.length > 0) {
      layers.push(
        { data: { values: here }, mark: { type: "rule", color: "#b3261e", strokeDash: [5, 3], strokeWidth: 1.4 }, encoding: { x: { field: "ms", type: "quantitative" } } },
        {
          data: { values: here },
          mark: { type: "text", color: "#b3261e", align: "right", baseline: "top", dx: -3, dy: 3, fontSize: 10 },
          encoding: { x: { field: "ms", type: "quantitative" }, y: { datum: 0.02 }, text: { field: "label" } },
        },
      );
    }
    return { width: 280, height: 190, title, layer: layers };
  };
  // One panel per metric, each with its own x range: TTFT sits far left of end-to-end latency.
  return {
    config: CONFIG,
    hconcat: metrics.map((m) => panel(METRIC_SHORT[m])),
    resolve: { scale: { x: "independent" } },
  } as unknown as TopLevelSpec;
}

function overheadSpec(rows: KeyFigures[], scenario: string): TopLevelSpec | undefined {
  const values = rows.flatMap((r) => {
    if (r.scenario !== scenario || !r.overhead) return [];
    const figs = [
      ["e2e p50", r.overhead.e2eP50],
      ["e2e p99", r.overhead.e2eP99],
      ["TTFT p99", r.overhead.ttftP99],
    ] as const;
    return figs.flatMap(([figure, d]) =>
      d && Number.isFinite(d.diff) ? [{ step: r.stepId, mesh: r.mesh, figure, diff: d.diff, low: d.interval?.low ?? d.diff, high: d.interval?.high ?? d.diff }] : [],
    );
  });
  if (values.length === 0) return undefined;
  const meshes = [...new Set(values.map((v) => v.mesh))];
  return {
    config: CONFIG,
    data: { values },
    facet: { column: { field: "figure", type: "nominal", title: null, sort: ["e2e p50", "e2e p99", "TTFT p99"] } },
    spec: {
      width: 200,
      height: 190,
      layer: [
        {
          mark: { type: "bar", opacity: 0.85 },
          encoding: {
            x: { field: "step", type: "nominal", title: "step", axis: { labelAngle: 0 } },
            xOffset: { field: "mesh" },
            y: { field: "diff", type: "quantitative", title: "overhead vs none (ms)" },
            color: meshColor(meshes),
          },
        },
        {
          mark: { type: "errorbar", ticks: true, color: "#202124" },
          encoding: { x: { field: "step", type: "nominal", title: "step" }, xOffset: { field: "mesh" }, y: { field: "low", type: "quantitative", title: "overhead vs none (ms)" }, y2: { field: "high" } },
        },
        { mark: { type: "rule", color: "#5f6368" }, encoding: { y: { datum: 0 } } },
      ],
    },
  } as unknown as TopLevelSpec;
}

const SHARE_TITLE = "share of requests";

function sharesSpec(results: RunResults, scenario: string): TopLevelSpec | undefined {
  const values = results.targets.flatMap((t) =>
    t.scenarios
      .filter((sc) => sc.name === scenario)
      .flatMap((sc) =>
        sc.verdicts.flatMap((v) =>
          isProportion(v) && v.expected !== undefined && v.observed !== undefined && v.status !== "unsupported"
            ? [{ check: v.checkId, mesh: t.mesh, observed: v.observed, expected: v.expected, low: v.interval?.low ?? v.observed, high: v.interval?.high ?? v.observed }]
            : [],
        ),
      ),
  );
  if (values.length === 0) return undefined;
  const meshes = [...new Set(values.map((v) => v.mesh))];
  const x = { field: "check", type: "nominal", title: "check", axis: { labelAngle: 0, labelLimit: 0 }, sort: null };
  return {
    config: CONFIG,
    // Room for each check id on one line: identifiers are never wrapped or cut.
    width: Math.max(260, new Set(values.map((v) => v.check)).size * Math.max(80, 8 * Math.max(...values.map((v) => v.check.length)))),
    height: 200,
    data: { values },
    layer: [
      {
        mark: { type: "tick", color: "#202124", thickness: 2, size: 26 },
        encoding: { x, y: { field: "expected", type: "quantitative", title: SHARE_TITLE, axis: { format: "%" } } },
      },
      { mark: { type: "errorbar", ticks: true }, encoding: { x, xOffset: { field: "mesh" }, y: { field: "low", type: "quantitative", title: SHARE_TITLE }, y2: { field: "high" }, color: meshColor(meshes) } },
      { mark: { type: "point", filled: true, size: 45 }, encoding: { x, xOffset: { field: "mesh" }, y: { field: "observed", type: "quantitative", title: SHARE_TITLE }, color: meshColor(meshes) } },
    ],
  } as unknown as TopLevelSpec;
}

function convergenceSpec(results: RunResults, scenario: string): TopLevelSpec | undefined {
  const values = results.targets.flatMap((t) =>
    t.scenarios
      .filter((sc) => sc.name === scenario)
      .flatMap((sc) =>
        sc.steps.flatMap((s) =>
          s.convergence
            ? [{ step: s.id, mesh: t.mesh, seconds: (s.convergence.timeToConvergeMs ?? s.durationMs) / 1000, outcome: s.convergence.converged ? "converged" : "did not converge" }]
            : [],
        ),
      ),
  );
  if (values.length === 0) return undefined;
  const meshes = [...new Set(values.map((v) => v.mesh))];
  return {
    config: CONFIG,
    width: Math.max(240, 100 * new Set(values.map((v) => v.step)).size),
    height: 180,
    data: { values },
    mark: { type: "bar" },
    encoding: {
      x: { field: "step", type: "nominal", title: "policy change (step)", axis: { labelAngle: 0, labelPadding: 4 }, sort: null },
      xOffset: { field: "mesh" },
      y: { field: "seconds", type: "quantitative", title: "time to converge (s)" },
      color: meshColor(meshes),
      opacity: { field: "outcome", type: "nominal", title: "outcome", scale: { domain: ["converged", "did not converge"], range: [0.9, 0.35] } },
    },
  } as unknown as TopLevelSpec;
}

function rateSweepSpec(rows: KeyFigures[], scenario: string): TopLevelSpec | undefined {
  const values = rows.filter((r) => r.scenario === scenario).map((r) => ({ mesh: r.mesh, offered: r.offeredRps, achieved: r.achievedRps }));
  if (new Set(values.map((v) => v.offered)).size < 2) return undefined;
  const max = Math.max(...values.map((v) => v.offered));
  const meshes = [...new Set(values.map((v) => v.mesh))];
  return {
    config: CONFIG,
    width: 300,
    height: 200,
    layer: [
      {
        data: { values: [{ offered: 0, achieved: 0 }, { offered: max, achieved: max }] },
        mark: { type: "line", color: "#9aa0a6", strokeDash: [6, 4] },
        encoding: { x: { field: "offered", type: "quantitative" }, y: { field: "achieved", type: "quantitative" } },
      },
      {
        data: { values },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "offered", type: "quantitative", title: "offered (req/s)" },
          y: { field: "achieved", type: "quantitative", title: "achieved (req/s)" },
          color: meshColor(meshes),
        },
      },
    ],
  } as unknown as TopLevelSpec;
}

/** Every chart of a run, in the order the report shows them. */
export async function reportCharts(results: RunResults, rows: KeyFigures[] = keyFigures(results)): Promise<Chart[]> {
  const planned: Omit<Chart, "id" | "svg">[] = [];
  const specs: TopLevelSpec[] = [];
  const add = (spec: TopLevelSpec | undefined, kind: Chart["kind"], title: string) => {
    if (!spec) return;
    specs.push(spec);
    planned.push({ kind, title });
  };
  const scenarios = [...new Set(results.targets.flatMap((t) => t.scenarios.map((s) => s.name)))];
  for (const s of measuredSteps(results)) add(latencyCdfSpec(s), "latency-cdf", `Latency CDF, ${s.scenario} step ${s.stepId}`);
  for (const sc of scenarios) {
    add(overheadSpec(rows, sc), "overhead", `Overhead against no mesh, ${sc} (bars: difference; whiskers: 95% interval)`);
    add(sharesSpec(results, sc), "shares", `Observed vs configured share, ${sc} (dot: observed with its interval; bar: configured)`);
    add(convergenceSpec(results, sc), "convergence", `Time to converge after each policy change, ${sc}`);
    add(rateSweepSpec(rows, sc), "rate-sweep", `Achieved vs offered rate, ${sc} (dashed: achieved = offered)`);
  }
  const svgs: string[] = [];
  // One at a time: Vega's dataflow is CPU-bound, and the machine running a suite is busy.
  for (const spec of specs) svgs.push(await toSvg(spec));
  return planned.map((p, i) => ({ ...p, id: `chart-${i + 1}`, svg: svgs[i]! }));
}
