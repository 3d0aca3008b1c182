import { describe, expect, it } from "vitest";
import { escapeHtml, jsonForScript } from "../../src/report/html-escape.js";
import { renderHtml } from "../../src/report/html.js";
import { HOSTILE, abortedRun, benchmarkRun, canaryRun, hostileRun, suiteRun } from "./fixtures.js";

interface Embedded {
  runId: string;
  svgCharts: { id: string; kind: string; title: string }[];
}

function embeddedData(html: string): Embedded {
  const match = /<script type="application\/json" id="meshproof-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error("no data block");
  return JSON.parse(match[1]) as Embedded;
}

/** Opening tags of an element, however written. */
function tags(html: string, name: string): string[] {
  return html.match(new RegExp(`<${name}\\b[^>]*>`, "gi")) ?? [];
}

describe("renderHtml", () => {
  it("is one self-contained file with no script: charts are inline SVG, nothing fetched at view time", async () => {
    const html = await renderHtml(canaryRun());
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toContain("Chart.js");
    expect(tags(html, "link")).toEqual([]);
    expect(tags(html, "img")).toEqual([]);
    // Only the JSON data block, which a browser never executes.
    expect(tags(html, "script")).toEqual([`<script type="application/json" id="meshproof-data">`]);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'none';/);
    expect(tags(html, "svg").length).toBeGreaterThan(0);
    expect(html).not.toMatch(/<svg[^>]*\bhref="http/);
  });

  it("leads with the verdict banner and the legend (with 130), then key figures, then charts, then the checks", async () => {
    const html = await renderHtml(canaryRun());
    expect(html).toContain(`<div class="banner fail"><span class="word">FAIL</span><span class="meaning">Exit code 1: a check failed.</span></div>`);
    expect(html).toContain("130 interrupted (cleanup ran first)");
    const order = ["banner fail", "<h2>Key figures</h2>", "<h2>Charts</h2>", "<h2>Overview</h2>", `id="istio-canary"`, "<h2>Run details</h2>"].map((m) => html.indexOf(m));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("an aborted run says so and names exit code 130 in its banner", async () => {
    const html = await renderHtml(abortedRun());
    expect(html).toContain(`<span class="word">ABORTED</span><span class="meaning">Exit code 130: interrupted: the run was stopped early (cleanup ran first).</span>`);
    expect(html).toContain("interrupted by SIGINT");
  });

  it("key figures: per mesh and baseline, tokens/s in tokens/s, overheads with their interval, the client that sent the load", async () => {
    const html = await renderHtml(suiteRun({ seed: 1, runId: "k" }));
    const table = html.slice(html.indexOf("<h2>Key figures</h2>"), html.indexOf("<h2>Charts</h2>"));
    expect(table).toContain("none (baseline)");
    expect(table).toMatch(/\d+\.\d tokens\/s/);
    expect(table).not.toMatch(/tokens\/s<\/td>[^<]*ms/);
    expect(table).toMatch(/<td class="num">[+-]\d[\d.]* ms<span class="sub">(\[[^\]]+\]|no interval)<\/span>/);
    // The fixture ran on kind: the meshes' load came from the meshed loadgen pod, the baseline's from one without a proxy.
    expect(table).toContain("<td>loadgen pod (meshed)</td>");
    expect(table).toContain("<td>loadgen pod (no mesh)</td>");
  });

  it("draws every chart kind for a nightly suite: CDFs per step, overhead, shares, convergence, the rate sweep", async () => {
    const html = await renderHtml(suiteRun({ seed: 1, runId: "c" }));
    const { svgCharts } = embeddedData(html);
    expect(new Set(svgCharts.map((c) => c.kind))).toEqual(new Set(["latency-cdf", "overhead", "shares", "convergence", "rate-sweep"]));
    for (const c of svgCharts) expect(html).toMatch(new RegExp(`<figure class="chart" id="${c.id}"[^>]*><svg `));
    // The SLO objective of the TTFT checks is drawn in the CDF.
    expect(html).toContain("p99 SLO 400 ms");
  });

  it("checks: one-sided latency bounds shown one-sided, intervals say what they are, the decision sample beside the step's", async () => {
    const html = await renderHtml(benchmarkRun({ rates: [10], seconds: 20 }));
    expect(html).toMatch(/≤ [\d.]+ ms<span class="sub">at [\d.]+% \(one-sided upper bound\); distribution-free, from order statistics<\/span>/);
    expect(html).toMatch(/the step&#39;s full sample: p99 ttft [\d.]+ ms from [\d,]+ samples/);
    const canary = await renderHtml(canaryRun());
    expect(canary).toMatch(/\[9\.0%, 11\.3%\]<span class="sub">at 99\.999%; exact binomial \(Clopper-Pearson\)<\/span>/);
  });

  it("evidence links are relative to the report's folder; a path outside it is shown, not linked", async () => {
    const results = canaryRun();
    const v = results.targets[0]!.scenarios[0]!.verdicts[0]!;
    v.evidence = ["evidence/split/outcomes.json", "/etc/passwd", "../elsewhere.json"];
    const html = await renderHtml(results);
    expect(html).toContain(`<a class="evidence" href="evidence/split/outcomes.json">evidence/split/outcomes.json</a>`);
    expect(html).not.toMatch(/href="\/etc\/passwd"/);
    expect(html).not.toMatch(/href="\.\.\//);
    expect(html).toContain("<code>/etc/passwd</code>");
  });

  it("colours each verdict row and shows the not-supported reason apart from failures", async () => {
    const html = await renderHtml(canaryRun());
    expect(html).toContain(`<tr class="row-fail">`);
    expect(html).toContain(`<tr class="row-inconclusive">`);
    expect(html).toContain(`<span class="badge unsupported">– not supported</span>`);
    expect(html).toContain("<h3>Not supported by linkerd</h3>");
  });

  it("escapes every string from results: a hostile check name cannot inject markup or end a script", async () => {
    const html = await renderHtml(hostileRun());
    expect(html).not.toContain(HOSTILE);
    expect(tags(html, "img")).toEqual([]);
    expect(tags(html, "script")).toHaveLength(1);
    expect(html).toContain(escapeHtml(`check-${HOSTILE}`));
  });
});

describe("jsonForScript", () => {
  it("never lets </script> or <!-- through and round-trips as JSON", () => {
    const value = { s: "</script><!-- \u2028 & >" };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/<\/script|<!--/i);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe("the client label", () => {
  it("is a host process on --cluster local, whatever the profile says", async () => {
    const results = benchmarkRun({ rates: [10], seconds: 20 });
    results.cluster = { name: "local", description: "plain processes on loopback" };
    const html = await renderHtml(results);
    expect(html).toContain("<td>host process</td>");
    expect(html).not.toContain("<td>loadgen pod");
  });
});

describe("SLO lines in the latency CDFs", () => {
  it("draws an objective near the samples and names one far beyond them in the title instead", async () => {
    const near = await renderHtml(benchmarkRun({ rates: [10], seconds: 20 }));
    expect(near).toContain("p99 SLO 400 ms</text>");
    const far = benchmarkRun({ rates: [10], seconds: 20 });
    const v = far.targets[0]!.scenarios[0]!.verdicts[0]!;
    v.expected = 10_000;
    const html = await renderHtml(far);
    expect(html).not.toContain("p99 SLO 10000 ms</text>");
    expect(html).toContain("TTFT (p99 SLO 10000 ms: off the scale)");
  });
});
