/**
 * Markdown building blocks. Strings from results (check names, reasons, step errors) may hold
 * pipes, newlines or angle brackets; escaping them keeps a table a table and stops a renderer
 * from reading them as HTML.
 */

/** Escape text for inline Markdown: one line, no table breaks, no raw HTML. */
export function md(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\r?\n|\r/g, " ")
    .replace(/\|/g, "\\|")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([`*_[\]])/g, "\\$1");
}

/** Inline code; a backtick in the value widens the fence instead of ending it. */
export function code(text: string): string {
  const oneLine = text.replace(/\r?\n|\r/g, " ").replace(/\|/g, "\\|");
  const fence = oneLine.includes("`") ? "``" : "`";
  const pad = oneLine.startsWith("`") || oneLine.endsWith("`") ? " " : "";
  return `${fence}${pad}${oneLine}${pad}${fence}`;
}

export type Align = "left" | "right" | "center";

/** A GitHub-flavoured table; cells are already escaped Markdown. */
export function table(header: string[], rows: string[][], align: Align[] = []): string {
  const sep = header.map((_, i) => {
    const a = align[i] ?? "left";
    return a === "right" ? "---:" : a === "center" ? ":---:" : "---";
  });
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(sep), ...rows.map(line)].join("\n");
}
