/**
 * The text of one comparison cell, shared by the Markdown and HTML comparisons so both say the
 * same thing: a mesh's verdicts over its runs, a quantile with its overhead against the
 * baseline, a capability with its gaps.
 */
import type { VerdictStatus } from "../analysis/verdict.js";
import type { CapabilityCell, OverheadCell, VerdictCell } from "./compare.js";
import type { Change } from "./gate.js";
import { STATUS_LABEL, formatConfidence, formatLatency, formatPercent, formatRelative, formatSignedLatency, formatValue } from "./format.js";

const STATUS_ORDER: VerdictStatus[] = ["fail", "inconclusive", "pass", "unsupported"];

/** The worst status across runs leads the cell: one failed repeat is what a reader must see. */
export function worstStatus(cells: readonly VerdictCell[]): VerdictStatus {
  for (const s of STATUS_ORDER) if (cells.some((c) => c.status === s)) return s;
  return "unsupported";
}

/**
 * "pass, observed 10.1%" for one run; "2 pass, 1 FAIL; observed 9.8% to 14.1%" for repeats.
 * The status words are returned apart so each renderer can style them.
 */
export function verdictCellText(cells: readonly VerdictCell[]): { status: VerdictStatus; label: string; detail: string } {
  const status = worstStatus(cells);
  const observed = cells.filter((c) => c.observed !== undefined);
  const value = (c: VerdictCell) => formatValue(c, c.observed);
  let detail = "";
  if (observed.length === 1 && observed[0]) detail = `observed ${value(observed[0])}`;
  if (observed.length > 1) {
    const sorted = [...observed].sort((a, b) => (a.observed as number) - (b.observed as number));
    detail = `observed ${value(sorted[0] as VerdictCell)} to ${value(sorted[sorted.length - 1] as VerdictCell)}`;
  }
  if (status === "unsupported" && cells[0]) detail = cells[0].reason;
  if (cells.length === 1) return { status, label: STATUS_LABEL[status], detail };
  const counts = STATUS_ORDER.map((s) => [s, cells.filter((c) => c.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${STATUS_LABEL[s]}`)
    .join(", ");
  return { status, label: `${counts} of ${cells.length} runs`, detail };
}

/** "+3.1 ms (+0.7%)" and, when repeats allowed one, "95% CI [+1.2 ms, +5.0 ms]". */
export function overheadText(o: OverheadCell): { diff: string; interval: string } {
  const diff = `${formatSignedLatency(o.diffMs)} (${formatRelative(o.relative)})`;
  if (!o.interval) return { diff, interval: "" };
  return { diff, interval: `${formatConfidence(o.interval.confidence)} CI [${formatSignedLatency(o.interval.low)}, ${formatSignedLatency(o.interval.high)}]` };
}

/** A quantile and, for a mesh column, its difference to the baseline (empty strings when none). */
export function quantileText(ms: number, overhead: OverheadCell | undefined): { value: string; diff: string; interval: string } {
  return { value: formatLatency(ms), ...(overhead ? overheadText(overhead) : { diff: "", interval: "" }) };
}

export function capabilityText(cell: CapabilityCell | undefined): string {
  if (!cell || cell.support === "not recorded") return "not recorded";
  const note = cell.note ? `: ${cell.note}` : "";
  const support = cell.support === "unsupported" ? "not supported" : cell.support;
  const extraGaps = cell.gaps.filter((g) => g !== cell.note);
  const gaps = cell.support !== "unsupported" && extraGaps.length > 0 ? ` (not expressible in a run: ${extraGaps.join("; ")})` : "";
  return `${support}${note}${gaps}`;
}

/** A figure in its unit: "412 ms", "1.20%". */
function figureValue(unit: "ms" | "fraction", x: number): string {
  return unit === "ms" ? formatLatency(x) : formatPercent(x, 2);
}

function signed(unit: "ms" | "fraction", x: number): string {
  return unit === "ms" ? formatSignedLatency(x) : `${x > 0 ? "+" : ""}${(x * 100).toFixed(2)} pts`;
}

/**
 * One change between two sides, as a line a CI log and a report both show:
 * "istio benchmark rate-10 e2e p99: 512 ms → 580 ms (+68 ms; 99.9% interval of the change [+40 ms, +95 ms], order statistics per side)".
 */
export function changeText(c: Change): string {
  if (c.kind === "verdict") return `${c.mesh} ${c.scenario} check ${c.checkId}: ${c.before} → ${c.after} (${c.claim})`;
  const interval = c.interval
    ? `${formatConfidence(c.interval.confidence)} interval of the change [${signed(c.unit, c.interval.low)}, ${signed(c.unit, c.interval.high)}], ${c.method}`
    : "no interval: a side lacks samples";
  const margin = c.regression ? `; beyond the margin of ${signed(c.unit, c.margin)}` : "";
  return `${c.mesh} ${c.scenario} ${c.stepId} ${c.figure}: ${figureValue(c.unit, c.before)} → ${figureValue(c.unit, c.after)} (${signed(c.unit, c.diff)}; ${interval}${margin})`;
}

/** Said under every list of changes: what the intervals and the margin mean. */
export const GATE_NOTE =
  "A change is a regression when its whole interval lies beyond the margin in the bad direction (slower, more errors), or when a passing check now fails. " +
  "The intervals hold jointly (the false-alarm probability is split over every figure compared); with one run per side they describe request-to-request variation only, and the margin stands in for run-to-run variation.";
