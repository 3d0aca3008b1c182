/**
 * Table building for the HTML reports. A cell is either text (always escaped here) or markup
 * the renderer built itself from escaped parts; the two are separate types so a raw string from
 * results cannot be passed where markup is expected by accident.
 */
import type { VerdictStatus } from "../analysis/verdict.js";
import { STATUS_LABEL } from "./format.js";
import { escapeHtml } from "./html-escape.js";

/** Markup built by the renderer; construct only through `markup` or `badge`. */
export interface Markup {
  readonly html: string;
}

export function markup(html: string): Markup {
  return { html };
}

export type Cell = string | number | Markup | { content: string | Markup; className: string };

function cellHtml(cell: Cell, tag: "td" | "th"): string {
  if (typeof cell === "number") return `<${tag} class="num">${escapeHtml(String(cell))}</${tag}>`;
  if (typeof cell === "string") return `<${tag}>${escapeHtml(cell)}</${tag}>`;
  if ("html" in cell) return `<${tag}>${cell.html}</${tag}>`;
  const inner = typeof cell.content === "string" ? escapeHtml(cell.content) : cell.content.html;
  return `<${tag} class="${escapeHtml(cell.className)}">${inner}</${tag}>`;
}

/** Right-aligned, tabular figures: for formatted numbers ("12.3 ms"). */
export function num(text: string): Cell {
  return { content: text, className: "num" };
}

export function classed(content: string | Markup, className: string): Cell {
  return { content, className };
}

/**
 * Plain symbols rather than the Markdown report's emoji: emoji fonts are missing on many
 * Linux desktops and CI viewers, where they would show as empty boxes. Colour is not the only
 * signal: symbol and word differ for every status.
 */
const BADGE_SYMBOL: Record<VerdictStatus | "error", string> = {
  pass: "✓",
  fail: "✗",
  inconclusive: "?",
  unsupported: "–",
  error: "!",
};

export function badge(status: VerdictStatus | "error", text?: string): Markup {
  return markup(`<span class="badge ${status}">${BADGE_SYMBOL[status]} ${escapeHtml(text ?? STATUS_LABEL[status])}</span>`);
}

export function codeText(text: string): Markup {
  return markup(`<code>${escapeHtml(text)}</code>`);
}

export function htmlTable(header: (string | { text: string; numeric: boolean })[], rows: { cells: Cell[]; className?: string }[]): string {
  const head = header
    .map((h) => (typeof h === "string" ? `<th>${escapeHtml(h)}</th>` : `<th class="${h.numeric ? "num" : ""}">${escapeHtml(h.text)}</th>`))
    .join("");
  const body = rows
    .map((r) => `<tr${r.className ? ` class="${escapeHtml(r.className)}"` : ""}>${r.cells.map((c) => cellHtml(c, "td")).join("")}</tr>`)
    .join("\n");
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

/** A numeric column header. */
export function n(text: string): { text: string; numeric: true } {
  return { text, numeric: true };
}
