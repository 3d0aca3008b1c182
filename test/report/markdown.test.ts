import { describe, expect, it } from "vitest";
import { renderMarkdown } from "../../src/report/markdown.js";
import { HOSTILE, benchmarkRun, canaryRun, hostileRun } from "./fixtures.js";

/** Cells of a Markdown table row, splitting on pipes that are not escaped. */
function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** Every table in the document, as arrays of rows of cells. */
function tables(md: string): string[][][] {
  const found: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of md.split("\n")) {
    if (line.startsWith("|")) {
      current ??= [];
      current.push(cells(line));
    } else if (current) {
      found.push(current);
      current = undefined;
    }
  }
  if (current) found.push(current);
  return found;
}

describe("renderMarkdown", () => {
  it("leads with the verdict summary and what the exit code means", () => {
    const md = renderMarkdown(canaryRun());
    const lines = md.split("\n");
    expect(lines[0]).toBe("# meshproof scenario canary: ❌ FAIL");
    expect(md).toContain("**Exit code 1**: a check failed.");
    const summary = tables(md)[0];
    expect(summary?.[0]).toEqual(["✅ pass", "❌ FAIL", "❔ inconclusive", "➖ not supported"]);
    expect(summary?.[2]).toEqual(["3", "1", "1", "1"]);
    expect(md.indexOf("Exit code 1")).toBeLessThan(md.indexOf("## <a id=\"istio-canary\">"));
    expect(md.indexOf("## Run details")).toBeGreaterThan(md.indexOf("## <a id=\"linkerd-canary\">"));
  });

  it("shows each check with status, observed vs expected, interval, tolerance, n and error probabilities", () => {
    const md = renderMarkdown(canaryRun());
    const row = md.split("\n").find((l) => l.includes("`chaos-delay-share`") && l.includes("FAIL"));
    expect(row).toBeDefined();
    expect(cells(row as string)).toEqual([
      "❌ FAIL",
      "`chaos-delay-share`",
      "10% of chaos-tagged requests are delayed by 500 ms<br>step: measure the share of delayed requests",
      "4.1%",
      "10.0%",
      "±2.0 pts",
      // Brackets escaped: a Markdown link must not start in a table cell.
      "\\[3.1%, 5.3%\\]<br>at 99.999%; exact binomial (Clopper-Pearson)",
      "2,400",
      "1e-5 / 1e-3",
      "the 99.999% interval lies wholly below 10% - 2 pts: the delay reached far fewer requests",
      "[evidence/split/outcomes.json](evidence/split/outcomes.json)",
    ]);
  });

  it("states the key figures per mesh and baseline, tokens/s in tokens/s, and a one-sided latency bound as one-sided", () => {
    const md = renderMarkdown(benchmarkRun({ rates: [10], seconds: 20 }));
    expect(md).toContain("## Key figures");
    expect(md).toMatch(/\| none \(baseline\) \| loadgen pod \(no mesh\) \| .*\| [\d.]+ tokens\/s \|/);
    expect(md).toMatch(/≤ [\d.]+ ms<br>at [\d.]+% \(one-sided upper bound\); distribution-free, from order statistics/);
    expect(md).toMatch(/the step's full sample: p99 ttft/);
    expect(md).toContain("130 interrupted (cleanup ran first)");
  });

  it("lists what a mesh cannot express with its reason, as not supported rather than failed", () => {
    const md = renderMarkdown(canaryRun());
    expect(md).toContain("### Not supported by linkerd");
    expect(md).toContain("| `fault` | Linkerd has no delay injection: faults are emulated by a backend that serves errors, which cannot delay |");
    const row = md.split("\n").find((l) => l.includes("`chaos-delay-share`") && l.includes("not supported"));
    expect(row).toContain("➖ not supported");
    expect(row).not.toContain("FAIL");
  });

  it("shows convergence times with every miss and its elapsed time", () => {
    const md = renderMarkdown(canaryRun());
    expect(md).toContain("| wait until traffic follows the 90/10 split | ✅ pass | 28s | 3 | 3 | converged |");
    expect(md).toContain("at 5.2s: canary share 0.0% (HTTPRoute not yet accepted); at 10s: canary share 4.1%; at 16s: canary share 7.2%");
  });

  it("shows offered vs achieved rate, error rate and p50/p90/p99/p99.9 for e2e, TTFT and ITL per load step", () => {
    const results = benchmarkRun();
    const md = renderMarkdown(results);
    for (const heading of ["#### End-to-end latency", "#### Time to first token", "#### Inter-token latency", "#### Output tokens per second (per request)"]) {
      expect(md).toContain(heading);
    }
    const load = tables(md).find((t) => t[0]?.[1] === "Offered rps");
    expect(load?.[0]).toEqual(["Step", "Offered rps", "Achieved rps", "Requests", "Failed", "Error rate", "Dropped", "Batches"]);
    expect(load?.slice(2).map((r) => r[1])).toEqual(["5.00", "10.0", "20.0", "40.0"]);
    expect(load?.[5]?.[5]).toBe("1.18%");
    // The first quantile table is end-to-end latency; its first row is the first step.
    const e2e = tables(md).find((t) => t[0]?.[2] === "p50");
    expect(e2e?.[0]).toEqual(["Step", "Samples", "p50", "p90", "p99", "p99.9", "max"]);
    const summary = results.targets[0]?.scenarios[0]?.steps[0]?.load?.latency.e2e;
    expect(e2e?.[2]?.[1]).toBe(String(summary?.count));
    expect(e2e?.[2]?.[4]).toBe(`${Math.round(summary?.p99 ?? NaN)} ms`);
  });

  it("ends with run id, cluster, host, versions, tools and options", () => {
    const md = renderMarkdown(canaryRun());
    const details = md.slice(md.indexOf("## Run details"));
    for (const text of ["`20260314-020000-canary`", "kind cluster meshproof-7f3a (Kubernetes v1.34.0)", "linux x64, 8 CPUs", "| gateway-api | v1.5.1 |", "| loadgen | meshproof loadgen v0.1.0 |", "istio 1.30.3 (routing native)", "| `seed` | `42` |"]) {
      expect(details).toContain(text);
    }
  });

  it("escapes text from results so tables keep their shape and no HTML gets through", () => {
    const md = renderMarkdown(hostileRun());
    // Inside code spans HTML is shown literally (CommonMark), so only prose must be escaped.
    const prose = md.replace(/``.*?``|`[^`]*`/g, "");
    expect(prose).not.toContain("<script>");
    expect(prose).not.toContain("<img");
    expect(prose).toContain("&lt;/script&gt;");
    for (const table of tables(md)) {
      const width = table[0]?.length;
      for (const row of table) expect(row.length).toBe(width);
    }
    expect(HOSTILE).toContain("|");
  });

  it("says so when the run was aborted", () => {
    const results = canaryRun();
    results.aborted = "interrupted by SIGINT during measure-split";
    const md = renderMarkdown(results);
    expect(md.split("\n")[0]).toContain("ABORTED");
    expect(md).toContain("> **The run ended early:** interrupted by SIGINT during measure-split");
  });
});
