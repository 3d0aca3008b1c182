/**
 * The checks table, column by column, in one place: report.md and report.html render the same
 * columns from this list, so a column added here (say, the tolerance actually achieved) shows in
 * both. Each cell is plain text plus an optional second line; renderers escape and style it.
 */
import type { Verdict } from "../analysis/verdict.js";
import { decisionNote, evidenceHref, evidenceOf } from "./check-notes.js";
import { formatErrorProbabilities, formatExpected, formatInterval, formatNumber, formatTolerance, formatValue, intervalKind } from "./format.js";
import type { StepRecord } from "./results.js";

export interface CheckCell {
  /** Main text; for `status` the verdict status itself. */
  text: string;
  /** A second, muted line under the main text. */
  sub?: string;
  kind?: "status" | "code" | "links";
  /** For `links`: each evidence path, with its href when it resolves from the run folder. */
  links?: { path: string; href?: string }[];
}

export interface CheckColumn {
  header: string;
  align: "left" | "right";
  /** Keep on one line (ranges, identifiers). */
  nowrap?: boolean;
  /** Prose: give it room. */
  wide?: boolean;
  cell(v: Verdict, step: StepRecord | undefined): CheckCell;
}

/** The interval as the claim reads it, split into the range and what it is. */
function intervalCell(v: Verdict): CheckCell {
  if (!v.interval) return { text: "–" };
  const text = formatInterval(v);
  const at = text.lastIndexOf(" at ");
  return at > 0 ? { text: text.slice(0, at), sub: `${text.slice(at + 1)}; ${intervalKind(v)}` } : { text };
}

export const CHECK_COLUMNS: readonly CheckColumn[] = [
  { header: "Status", align: "left", cell: (v) => ({ text: v.status, kind: "status" }) },
  { header: "Check", align: "left", cell: (v) => ({ text: v.checkId, kind: "code" }) },
  { header: "Claim", align: "left", wide: true, cell: (v, step) => ({ text: v.claim, ...(step ? { sub: `step: ${step.name}` } : {}) }) },
  {
    header: "Observed",
    align: "right",
    cell: (v, step) => {
      const note = decisionNote(v, step);
      return { text: formatValue(v, v.observed), ...(note ? { sub: note } : {}) };
    },
  },
  { header: "Expected", align: "right", cell: (v) => ({ text: formatExpected(v) }) },
  { header: "Tolerance", align: "right", cell: (v) => ({ text: formatTolerance(v) }) },
  { header: "Interval", align: "left", nowrap: true, cell: intervalCell },
  { header: "n", align: "right", cell: (v) => ({ text: formatNumber(v.sampleSize) }) },
  { header: "False fail / false pass", align: "right", cell: (v) => ({ text: formatErrorProbabilities(v) }) },
  { header: "Why", align: "left", wide: true, cell: (v) => ({ text: v.reason }) },
  {
    header: "Evidence",
    align: "left",
    cell: (v, step) => {
      const paths = evidenceOf(v, step);
      if (paths.length === 0) return { text: "–" };
      return { text: "", kind: "links", links: paths.map((path) => ({ path, ...(evidenceHref(path) ? { href: evidenceHref(path)! } : {}) })) };
    },
  },
];
