/**
 * Every string from results.json reaches a report through these two functions: check names,
 * reasons and step errors come from scenario authors, mesh CLIs and backends, and a report
 * opened in a browser must not run what they contain.
 */

const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escape for HTML text and for double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] as string);
}

/**
 * JSON for a `<script type="application/json">` block. `<` is escaped so neither `</script>`
 * nor `<!--` can end or confuse the block; U+2028/2029 so older parsers read it as JSON text.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}
