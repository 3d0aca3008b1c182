/**
 * `npm run compare -- DIR...`: find the runs, line them up, write comparison.md, .html and .json.
 * The CLI parses arguments and prints; this module does the work so it can be tested without a
 * process.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { UsageError } from "../core/errors.js";
import { compareRuns, type Comparison, type LoadedRun } from "./compare.js";
import { DEFAULT_GATE, compareGroups, regressions, type Change, type GateOptions, type RunGroup } from "./gate.js";
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
  /** Files that were found but could not be used, with why: skipped, not fatal. */
  skipped: { path: string; reason: string }[];
  outDir: string;
  written: string[];
  /** Changes judged regressions (from the first folder given to each later one). */
  regressions: Change[];
}

export interface CompareCommandOptions {
  outDir?: string;
  now?: Date;
  gate?: GateOptions;
}

/** A side's name: the folder's own name, made unique if two folders share it. */
function sideLabels(dirs: readonly string[]): string[] {
  const labels: string[] = [];
  for (const dir of dirs) {
    const base = basename(dir.replace(/\/+$/, "")) || dir;
    let label = base.replace(/^results\.json$/, basename(dirname(dir)));
    for (let i = 2; labels.includes(label); i++) label = `${base}-${i}`;
    labels.push(label);
  }
  return labels;
}

/**
 * The whole compare command. Each folder given is one side; with two or more, the first is the
 * reference and the changes of every later side against it are computed and judged. A
 * results.json that cannot be read or does not match the schema is skipped with its reason; only
 * when nothing usable is left is that a UsageError (exit 2).
 */
export async function compareCommand(dirs: readonly string[], opts: CompareCommandOptions = {}): Promise<CompareCommandResult> {
  const labels = sideLabels(dirs);
  const runs: LoadedRun[] = [];
  const inputs: string[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const groups: RunGroup[] = [];
  for (const [i, dir] of dirs.entries()) {
    const group: RunGroup = { label: labels[i] as string, runs: [] };
    for (const path of await findResultsFiles([dir])) {
      try {
        const results = await loadResults(path);
        runs.push({ path, results, ...(dirs.length > 1 ? { group: group.label } : {}) });
        group.runs.push(results);
        inputs.push(path);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        skipped.push({ path, reason: err.message });
      }
    }
    if (group.runs.length > 0) groups.push(group);
  }
  if (runs.length === 0) {
    throw new UsageError(`no usable results.json among ${skipped.length} found: ${skipped.map((s) => s.reason).join("; ")}`, "re-run the scenarios, or pass folders of finished runs");
  }
  const now = opts.now ?? new Date();
  const comparison = compareRuns(runs, now);
  if (dirs.length > 1) {
    if (groups.length < dirs.length) {
      const lost = labels.filter((l) => !groups.some((g) => g.label === l));
      skipped.push(...lost.map((l) => ({ path: l, reason: `no usable run in ${l}: nothing to compare it with` })));
    }
    comparison.changes = compareGroups(groups, opts.gate ?? DEFAULT_GATE);
  }
  const outDir = opts.outDir ?? defaultComparisonDir(now);
  const written = await writeComparison(comparison, outDir);
  return { comparison, inputs, skipped, outDir, written, regressions: regressions(comparison.changes ?? []) };
}
