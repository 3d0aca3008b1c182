/**
 * `npm run compare -- DIR...`: find the runs, line them up, write comparison.md, .html and .json.
 * The CLI parses arguments and prints; this module does the work so it can be tested without a
 * process.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { compareRuns, type Comparison } from "./compare.js";
import { renderComparisonHtml } from "./compare-html.js";
import { renderComparisonMarkdown } from "./compare-markdown.js";
import { findResultsFiles, loadResults } from "./load-results.js";

export const COMPARISON_FILES = {
  markdown: "comparison.md",
  html: "comparison.html",
  json: "comparison.json",
} as const;

/** reports/compare-20260314-020000: sortable, and no characters a shell or Windows dislikes. */
export function defaultComparisonDir(now: Date = new Date(), root = "reports"): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, "").replace(/[-:]/g, "").replace("T", "-");
  return join(root, `compare-${stamp}`);
}

/** Writes comparison.md, comparison.html and comparison.json into outDir; returns their paths. */
export async function writeComparison(c: Comparison, outDir: string = defaultComparisonDir()): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const files: [string, string][] = [
    [COMPARISON_FILES.markdown, renderComparisonMarkdown(c)],
    [COMPARISON_FILES.html, renderComparisonHtml(c)],
    [COMPARISON_FILES.json, `${JSON.stringify(c, null, 2)}\n`],
  ];
  const written: string[] = [];
  for (const [name, content] of files) {
    const path = join(outDir, name);
    await writeFile(path, content, "utf8");
    written.push(path);
  }
  return written;
}

export interface CompareCommandResult {
  comparison: Comparison;
  /** Every results.json that was read. */
  inputs: string[];
  outDir: string;
  written: string[];
}

/**
 * The whole compare command. Throws UsageError (exit 2) for a missing folder, a folder without
 * results, or an invalid results.json, naming the file.
 */
export async function compareCommand(dirs: readonly string[], opts: { outDir?: string; now?: Date } = {}): Promise<CompareCommandResult> {
  const inputs = await findResultsFiles(dirs);
  const runs = [];
  for (const path of inputs) runs.push({ path, results: await loadResults(path) });
  const now = opts.now ?? new Date();
  const comparison = compareRuns(runs, now);
  const outDir = opts.outDir ?? defaultComparisonDir(now);
  const written = await writeComparison(comparison, outDir);
  return { comparison, inputs, outDir, written };
}
