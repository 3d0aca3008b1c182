import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { compareRuns, type Comparison } from "../../src/report/compare.js";
import { renderComparisonHtml } from "../../src/report/compare-html.js";
import { renderComparisonMarkdown } from "../../src/report/compare-markdown.js";
import { compareCommand, defaultComparisonDir } from "../../src/report/compare-write.js";
import { findResultsFiles, loadResults } from "../../src/report/load-results.js";
import type { RunResults } from "../../src/report/results.js";
import { writeReports } from "../../src/report/write.js";
import { HOSTILE, benchmarkRun, canaryRun, hostileRun } from "./fixtures.js";

/** Small sweeps keep the bootstrap quick; 30 ms of proxy cost stands well clear of the noise. */
const SWEEP = { rates: [10, 40], seconds: 20 };
const ISTIO_OVERHEAD_MS = 30;

function benchmarkSet(): RunResults[] {
  return [
    benchmarkRun({ ...SWEEP, seed: 1 }),
    benchmarkRun({ ...SWEEP, seed: 2 }),
    benchmarkRun({ ...SWEEP, mesh: "istio", overheadMs: ISTIO_OVERHEAD_MS, seed: 3 }),
    benchmarkRun({ ...SWEEP, mesh: "istio", overheadMs: ISTIO_OVERHEAD_MS, seed: 4 }),
    benchmarkRun({ ...SWEEP, mesh: "linkerd", overheadMs: 5, seed: 5 }),
  ];
}

let benchmarkComparison: Comparison | undefined;

/** The bootstrap over repeats is the slow part: compare the benchmark set once for the tests that only read it. */
function comparedBenchmarks(): Comparison {
  benchmarkComparison ??= compareRuns(benchmarkSet());
  return benchmarkComparison;
}

const dirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "meshproof-compare-"));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe("compareRuns", () => {
  it("puts istio, linkerd and the baseline side by side, pooling repeats per mesh", () => {
    const c = comparedBenchmarks();
    expect(c.columns.map((col) => [col.key, col.runIds.length])).toEqual([
      ["istio", 2],
      ["linkerd", 1],
      ["none", 2],
    ]);
    expect(c.baseline).toBe("none");
  });

  it("matches load steps by id and states the latency overhead against the baseline", () => {
    const c = comparedBenchmarks();
    expect(c.steps.map((s) => s.stepId)).toEqual(["rate-10", "rate-40"]);
    const step = c.steps[0];
    expect(Object.keys(step?.byColumn ?? {})).toEqual(["istio", "linkerd", "none"]);
    const istio = step?.byColumn["istio"];
    expect(istio?.runs).toBe(2);
    expect(istio?.latency.e2e?.pooled).toBe("merged histograms");
    const p50 = istio?.overhead?.e2e?.find((o) => o.quantile === "p50");
    expect(p50?.diffMs).toBeGreaterThan(ISTIO_OVERHEAD_MS / 2);
    expect(p50?.diffMs).toBeLessThan(ISTIO_OVERHEAD_MS * 2);
    // Two runs per side: a bootstrap over so few would be optimistic, so no interval is stated.
    expect(p50?.interval).toBeNull();
    expect(p50?.note).toMatch(/fewer than 5 runs per side/);
    // One linkerd run: an interval from order statistics of each side's requests, and a note
    // saying it leaves out run-to-run variation.
    const linkerd = step?.byColumn["linkerd"]?.overhead?.ttft?.[0];
    expect(linkerd?.interval?.confidence).toBe(0.95);
    expect(linkerd!.interval!.low).toBeLessThanOrEqual(linkerd!.diffMs);
    expect(linkerd!.interval!.high).toBeGreaterThanOrEqual(linkerd!.diffMs);
    expect(linkerd?.note).toMatch(/leaves out run-to-run variation/);
    expect(step?.byColumn["none"]?.overhead).toBeUndefined();
  });

  it("lines up each check's verdicts per mesh, keeping unsupported apart from failures", () => {
    const c = compareRuns([canaryRun()]);
    const delay = c.checks.find((k) => k.checkId === "chaos-delay-share");
    expect(delay?.byColumn["istio"]?.map((v) => [v.status, v.observed])).toEqual([["fail", 0.0412]]);
    expect(delay?.byColumn["linkerd"]?.map((v) => v.status)).toEqual(["unsupported"]);
    expect(c.baseline).toBeNull();
    expect(c.columns.find((col) => col.key === "linkerd")?.counts).toEqual({ pass: 1, fail: 0, inconclusive: 1, unsupported: 1 });
  });

  it("shows capabilities side by side: native, emulated, or unsupported with the recorded reason", () => {
    const c = compareRuns([canaryRun(), benchmarkRun({ ...SWEEP })]);
    const fault = c.capabilities.find((r) => r.intent === "fault");
    expect(fault?.byColumn["istio"]).toMatchObject({ support: "native", note: "VirtualService fault" });
    expect(fault?.byColumn["linkerd"]?.support).toBe("unsupported");
    expect(fault?.byColumn["linkerd"]?.gaps[0]).toContain("Linkerd has no delay injection");
    expect(fault?.byColumn["none"]?.support).toBe("not recorded");
    expect(c.capabilities.find((r) => r.intent === "retry")?.byColumn["linkerd"]?.support).toBe("emulated");
  });

  it("keeps two versions of the same mesh in two columns (pre-upgrade validation)", () => {
    const c = compareRuns([
      benchmarkRun({ ...SWEEP, mesh: "istio", meshVersion: "1.29.2", seed: 7 }),
      benchmarkRun({ ...SWEEP, mesh: "istio", meshVersion: "1.30.3", seed: 8 }),
    ]);
    expect(c.columns.map((col) => col.key)).toEqual(["istio 1.29.2", "istio 1.30.3"]);
  });
});

describe("comparison renderers", () => {
  function sample(): Comparison {
    return compareRuns([...benchmarkSet(), canaryRun()], new Date("2026-03-15T08:00:00Z"));
  }

  it("renders Markdown with a column per mesh, verdicts, overheads (no interval from two runs), and capabilities", () => {
    const md = renderComparisonMarkdown(sample());
    expect(md.split("\n")[0]).toBe("# meshproof comparison: istio vs linkerd vs none");
    expect(md).toContain("| Check | Claim | istio | linkerd | none |");
    expect(md).toContain("❌ FAIL<br>observed 4.1%");
    expect(md).toContain("➖ not supported<br>linkerd cannot express the fault intent (delay)");
    expect(md).toMatch(/\| istio \| 2 \| 10\.0 \| 9\.98 \| 0\.00% \|/);
    expect(md).toMatch(/<br>\+\d+(\.\d+)? ms \(\+\d+\.\d%\)/);
    // Two istio runs against two baseline runs: too few for a bootstrap, so no interval there; the single
    // linkerd run gets the order-statistics interval, which says it leaves out run-to-run variation.
    const istioRows = md.split("\n").filter((l) => l.startsWith("| istio |") && l.includes(" ms"));
    expect(istioRows.join("\n")).not.toMatch(/95% CI/);
    expect(md).toMatch(/\| linkerd \|.*95% CI/);
    expect(md).toContain("## What each mesh can express");
  });

  it("renders self-contained HTML with a chart per step and metric, escaping results text", () => {
    const hostile = compareRuns([hostileRun(), ...benchmarkSet()]);
    const html = renderComparisonHtml(hostile);
    expect(html).not.toContain(HOSTILE);
    expect(html.match(/<script\b[^>]*>/g)).toHaveLength(3);
    expect(html).not.toMatch(/<img\b/);
    const data = /<script type="application\/json" id="meshproof-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? "";
    const parsed = JSON.parse(data) as { charts: { id: string }[]; baseline: string };
    expect(parsed.baseline).toBe("none");
    // Benchmark: 2 steps x 3 metrics; canary: measure-split and measure-delay x 3 metrics.
    expect(parsed.charts).toHaveLength(12);
  });
});

describe("loadResults", () => {
  it("reads back what writeReports wrote", async () => {
    const dir = await tempDir();
    const results = canaryRun();
    await writeReports(results, join(dir, results.runId));
    expect(await loadResults(join(dir, results.runId, "results.json"))).toEqual(results);
  });

  async function expectUsageError(content: string | undefined, pattern: RegExp): Promise<void> {
    const dir = await tempDir();
    const path = join(dir, "results.json");
    if (content !== undefined) await writeFile(path, content);
    const error = await loadResults(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toContain(path);
    expect((error as UsageError).message).toMatch(pattern);
  }

  it("names the file when it is missing", () => expectUsageError(undefined, /the file does not exist/));

  it("names the file when it is not JSON", () => expectUsageError("{ truncated", /is not valid JSON/));

  it("refuses another schema version", () => expectUsageError(JSON.stringify({ ...canaryRun(), schemaVersion: 2 }), /schemaVersion 2, but this meshproof reads version 1/));

  it("says which field compare needs is missing or wrong", async () => {
    const broken = JSON.parse(JSON.stringify(canaryRun())) as { targets: { scenarios: { verdicts: { status: string }[] }[]; mesh?: string }[] };
    const verdict = broken.targets[1]?.scenarios[0]?.verdicts[0];
    if (verdict) verdict.status = "passed";
    delete broken.targets[0]?.mesh;
    await expectUsageError(JSON.stringify(broken), /targets\[0\]\.mesh: .*targets\[1\]\.scenarios\[0\]\.verdicts\[0\]\.status/);
  });
});

describe("findResultsFiles and compareCommand", () => {
  it("finds results.json in run folders and up to two levels below the given folders", async () => {
    const out = await tempDir();
    const runs = benchmarkSet().slice(0, 3);
    await writeReports(runs[0] as RunResults, join(out, "run-a"));
    await writeReports(runs[1] as RunResults, join(out, "nightly", "run-b"));
    await writeReports(runs[2] as RunResults, join(out, "too", "deep", "run-c"));
    expect(await findResultsFiles([out])).toEqual([join(out, "nightly", "run-b", "results.json"), join(out, "run-a", "results.json")]);
    expect(await findResultsFiles([join(out, "too", "deep", "run-c"), join(out, "run-a", "results.json")])).toEqual([
      join(out, "run-a", "results.json"),
      join(out, "too", "deep", "run-c", "results.json"),
    ]);
  });

  it("refuses a folder without results, a missing folder, and no folder at all", async () => {
    const empty = await tempDir();
    await mkdir(join(empty, "a", "b", "c"), { recursive: true });
    await expect(findResultsFiles([empty])).rejects.toThrow(UsageError);
    await expect(findResultsFiles([empty])).rejects.toThrow(/no results\.json found in .* or two levels below it/);
    await expect(findResultsFiles([join(empty, "missing")])).rejects.toThrow(/is not a folder/);
    await expect(findResultsFiles([])).rejects.toThrow(/at least one folder/);
  });

  it("compares every run found and writes comparison.md, .html and .json", async () => {
    const out = await tempDir();
    for (const run of benchmarkSet()) await writeReports(run, join(out, "runs", run.runId));
    const target = join(out, "cmp");
    const result = await compareCommand([join(out, "runs")], { outDir: target });
    expect(result.inputs).toHaveLength(5);
    expect(result.written).toEqual([join(target, "comparison.md"), join(target, "comparison.html"), join(target, "comparison.json")]);
    const json = JSON.parse(await readFile(join(target, "comparison.json"), "utf8")) as Comparison;
    expect(json.columns.map((col) => col.key)).toEqual(["istio", "linkerd", "none"]);
    expect(json.runs.every((r) => r.path.endsWith("results.json"))).toBe(true);
  });

  it("skips a bad file among good ones, naming it and why, and compares the rest", async () => {
    const out = await tempDir();
    await writeReports(benchmarkRun({ ...SWEEP }), join(out, "good"));
    await mkdir(join(out, "bad"));
    await writeFile(join(out, "bad", "results.json"), JSON.stringify({ schemaVersion: 1, runId: "x" }));
    const result = await compareCommand([out], { outDir: join(out, "cmp") });
    expect(result.inputs).toEqual([join(out, "good", "results.json")]);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]?.reason).toMatch(new RegExp(`${join(out, "bad", "results.json")} is not a usable meshproof results file`));
  });

  it("fails with a UsageError when no file is usable", async () => {
    const out = await tempDir();
    await mkdir(join(out, "bad"));
    await writeFile(join(out, "bad", "results.json"), JSON.stringify({ schemaVersion: 1, runId: "x" }));
    await expect(compareCommand([out], { outDir: join(out, "cmp") })).rejects.toThrow(/no usable results\.json among 1 found/);
  });

  it("defaults the output to reports/compare-<timestamp>", () => {
    expect(defaultComparisonDir(new Date("2026-03-15T08:09:10.123Z"))).toBe(join("reports", "compare-20260315-080910"));
  });
});
