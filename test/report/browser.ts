/**
 * report.html in a real browser: Debian's chromium (installed by setup) driven by playwright-core.
 * Opens the report from its run folder, checks that every chart figure holds a drawn SVG, and
 * saves a screenshot (report.png) into the run folder beside the report.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { CHROMIUM_BIN, CHROMIUM_FLAGS } from "../../scripts/setup/chromium.js";

export interface ChartCheck {
  id: string;
  width: number;
  height: number;
  /** Drawn marks (paths, lines, rects, text) inside the chart's SVG. */
  marks: number;
}

export interface PageCheck {
  charts: ChartCheck[];
  /** Figures whose SVG is missing or drew nothing. */
  broken: string[];
  errors: string[];
  screenshot: string;
  /** Links to evidence that do not resolve to a file from the report's folder. */
  deadEvidence: string[];
}

export interface OpenBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium with a fresh profile folder of its own, removed on close. */
export async function openBrowser(): Promise<OpenBrowser> {
  if (!existsSync(CHROMIUM_BIN)) throw new Error(`${CHROMIUM_BIN} is missing: run npm run setup (it installs Debian's chromium), or set CHROMIUM_BIN`);
  const profile = mkdtempSync(join(tmpdir(), "meshproof-chromium-"));
  // playwright-core passes --user-data-dir itself for a persistent context: the profile is fresh.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_BIN,
    args: [...CHROMIUM_FLAGS],
    headless: true,
    viewport: { width: 1400, height: 1000 },
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function checkReportPage(context: BrowserContext, runDir: string): Promise<PageCheck> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  // Nothing may leave the page: a report that fetches would fail here.
  await page.route(/^(?!file:)/, (route) => {
    errors.push(`network request: ${route.request().url()}`);
    return route.abort();
  });
  try {
    await page.goto(pathToFileURL(join(runDir, "report.html")).href, { waitUntil: "load", timeout: 60_000 });
    const charts = await page.$$eval("figure.chart", (figures) =>
      figures.map((f) => {
        const svg = f.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        return { id: f.id, width: box?.width ?? 0, height: box?.height ?? 0, marks: svg ? svg.querySelectorAll("path, line, rect, text").length : 0 };
      }),
    );
    const links = await page.$$eval("a.evidence", (as) => as.map((a) => a.getAttribute("href") ?? ""));
    const deadEvidence = links.filter((href) => !existsSync(new URL(href, page.url())));
    const screenshot = join(runDir, "report.png");
    await page.screenshot({ path: screenshot, fullPage: true, timeout: 60_000 });
    return { charts, broken: charts.filter((c) => c.width < 50 || c.height < 50 || c.marks < 5).map((c) => c.id), errors, screenshot, deadEvidence };
  } finally {
    await page.close();
  }
}
