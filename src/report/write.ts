/**
 * Writes a run's folder: results.json first (the record every report can be rebuilt from, so it
 * must exist even if a renderer throws), then the four reports beside it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderConformance } from "./conformance.js";
import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import type { RunResults } from "./results.js";
import { SMP_MESSAGE, smpResults } from "./smp.js";

export const REPORT_FILES = {
  results: "results.json",
  markdown: "report.md",
  html: "report.html",
  junit: "junit.xml",
  conformance: "conformance.yaml",
  smp: "smp.json",
} as const;

/** Writes results.json, report.md, report.html, junit.xml, conformance.yaml and smp.json; returns their paths. */
export async function writeReports(results: RunResults, runDir: string): Promise<string[]> {
  await mkdir(runDir, { recursive: true });
  const written: string[] = [];
  const put = async (name: string, content: string) => {
    const path = join(runDir, name);
    await writeFile(path, content, "utf8");
    written.push(path);
  };
  await put(REPORT_FILES.results, `${JSON.stringify(results, null, 2)}\n`);
  await put(REPORT_FILES.markdown, renderMarkdown(results));
  await put(REPORT_FILES.html, await renderHtml(results));
  await put(REPORT_FILES.junit, renderJunit(results));
  await put(REPORT_FILES.conformance, renderConformance(results));
  await put(REPORT_FILES.smp, `${JSON.stringify({ source: SMP_MESSAGE, results: smpResults(results) }, null, 2)}\n`);
  return written;
}
