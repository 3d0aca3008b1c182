/**
 * Reading results.json files back for `compare` and re-rendering. The file is checked against the
 * published schema (results-schema.ts): known fields must be right, unknown fields pass, so
 * results written by a slightly newer meshproof of the same schema version still load.
 */
import { readFile, readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { UsageError } from "../core/errors.js";
import { RESULTS_SCHEMA_VERSION, type RunResults } from "./results.js";
import { RunResultsSchema } from "./results-schema.js";

const RESULTS_FILE = "results.json";

const MAX_ISSUES_SHOWN = 5;

function describeIssues(error: z.ZodError): string {
  const lines = error.issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") : "(top level)";
    return `${where}: ${issue.message}`;
  });
  const more = error.issues.length - lines.length;
  return lines.join("; ") + (more > 0 ? `; and ${more} more` : "");
}

/**
 * Load and check one results.json. Every problem is a UsageError (exit 2) naming the file and
 * what is wrong with it.
 */
export async function loadResults(path: string): Promise<RunResults> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "the file does not exist" : code === "EISDIR" ? "it is a folder" : String(err);
    throw new UsageError(`cannot read ${path}: ${why}`, "pass run folders that contain results.json (written by npm run scenario or npm run suite)");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${path} is not valid JSON: ${(err as Error).message}`, "the file may be truncated (a run killed while writing); re-run the scenario or remove that folder");
  }
  const version = typeof json === "object" && json !== null ? (json as Record<string, unknown>)["schemaVersion"] : undefined;
  if (version !== RESULTS_SCHEMA_VERSION) {
    throw new UsageError(
      version === undefined
        ? `${path} has no schemaVersion: it is not a meshproof results file`
        : `${path} has schemaVersion ${JSON.stringify(version)}, but this meshproof reads version ${RESULTS_SCHEMA_VERSION}`,
      "compare runs written by the same meshproof version, or re-run the scenarios with this one",
    );
  }
  const parsed = RunResultsSchema.safeParse(json);
  if (!parsed.success) {
    throw new UsageError(`${path} is not a usable meshproof results file: ${describeIssues(parsed.error)}`, "re-run the scenario to write a complete results.json");
  }
  return parsed.data as RunResults;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Every results.json under the given paths: a path may be a results.json, a run folder, or a
 * folder of run folders, searched at most two levels below it (out/<run-id>/results.json and
 * out/<suite>/<run-id>/results.json). Sorted, without duplicates.
 */
export async function findResultsFiles(paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) {
    throw new UsageError("compare needs at least one folder", "usage: npm run compare -- DIR... (run folders, or folders that contain run folders)");
  }
  const found = new Set<string>();
  for (const path of paths) {
    if (basename(path) === RESULTS_FILE && (await fileExists(path))) {
      found.add(path);
      continue;
    }
    if (!(await isDirectory(path))) {
      throw new UsageError(`${path} is not a folder`, "pass run folders (each holds a results.json) or the --out folder that contains them");
    }
    const before = found.size;
    await collect(path, 0, found);
    if (found.size === before) {
      throw new UsageError(`no ${RESULTS_FILE} found in ${path} or two levels below it`, "pass the folder of a finished run (<out>/<run-id>) or the --out folder itself");
    }
  }
  return [...found].sort();
}

async function collect(dir: string, depth: number, found: Set<string>): Promise<void> {
  const here = join(dir, RESULTS_FILE);
  if (await fileExists(here)) {
    found.add(here);
    return;
  }
  if (depth >= 2) return;
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory()) await collect(join(dir, entry.name), depth + 1, found);
  }
}
