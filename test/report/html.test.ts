import { describe, expect, it } from "vitest";
import { escapeHtml, jsonForScript } from "../../src/report/html-escape.js";
import type { ChartSpec } from "../../src/report/html-page.js";
import { renderHtml } from "../../src/report/html.js";
import { HOSTILE, benchmarkRun, canaryRun, hostileRun } from "./fixtures.js";

function embeddedData(html: string): { charts: ChartSpec[]; runId: string } {
  const match = /<script type="application\/json" id="meshproof-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error("no data block");
  return JSON.parse(match[1]) as { charts: ChartSpec[]; runId: string };
}

/** Opening tags of an element, however written. */
function tags(html: string, name: string): string[] {
  return html.match(new RegExp(`<${name}\\b[^>]*>`, "gi")) ?? [];
}

describe("renderHtml", () => {
  it("is one self-contained file: Chart.js and CSS inline, nothing fetched at view time", () => {
    const html = renderHtml(canaryRun());
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain("Chart.js v4.6.1");
    expect(html).not.toMatch(/sourceMappingURL/);
    expect(tags(html, "link")).toEqual([]);
    expect(tags(html, "img")).toEqual([]);
    expect(tags(html, "script").every((t) => !/\bsrc=/i.test(t))).toBe(true);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  });

  it("leads with the verdict banner, the counts and the exit code meaning", () => {
    const html = renderHtml(canaryRun());
    expect(html).toContain(`<div class="banner fail"><span class="word">FAIL</span><span class="meaning">Exit code 1: a check failed.</span></div>`);
    expect(html).toContain(`<div class="card inconclusive"><span class="n">1</span>`);
    expect(html.indexOf("banner fail")).toBeLessThan(html.indexOf(`id="istio-canary"`));
    expect(html.indexOf("<h2>Run details</h2>")).toBeGreaterThan(html.indexOf(`id="linkerd-canary"`));
  });

  it("colours each verdict row and shows the not-supported reason apart from failures", () => {
    const html = renderHtml(canaryRun());
    expect(html).toContain(`<tr class="row-fail">`);
    expect(html).toContain(`<tr class="row-inconclusive">`);
    expect(html).toContain(`<span class="badge unsupported">– not supported</span>`);
    expect(html).toContain("<h3>Not supported by linkerd</h3>");
    expect(html).toContain("Linkerd has no delay injection");
  });

  it("embeds latency charts per metric and, for a rate sweep, achieved vs offered", () => {
    const html = renderHtml(benchmarkRun());
    const { charts } = embeddedData(html);
    const titles = charts.map((c) => ((c.config.options["plugins"] as { title: { text: string } }).title.text));
    expect(titles).toEqual([
      "Achieved vs offered rate, none benchmark",
      "End-to-end latency, none",
      "Time to first token, none",
      "Inter-token latency, none",
    ]);
    for (const c of charts) expect(html).toContain(`<canvas id="${c.id}"`);
    const sweep = charts[0]?.config.data.datasets[0] as { data: { x: number; y: number }[] };
    expect(sweep.data.map((p) => p.x)).toEqual([5, 10, 20, 40]);
    expect(sweep.data[3]?.y).toBeLessThan(40);
    const e2e = charts[1]?.config.data.datasets.map((d) => d["label"]);
    expect(e2e).toEqual(["p50", "p90", "p99", "p99.9"]);
  });

  it("draws no sweep chart when every step ran at one rate", () => {
    const { charts } = embeddedData(renderHtml(benchmarkRun({ rates: [10] })));
    expect(charts.map((c) => c.config.type)).toEqual(["bar", "bar", "bar"]);
  });

  it("escapes every string from results: a hostile check name cannot inject markup or end a script", () => {
    const html = renderHtml(hostileRun());
    expect(html).not.toContain(HOSTILE);
    expect(tags(html, "img")).toEqual([]);
    // Exactly the three scripts the page itself writes: data, Chart.js, the bootstrap.
    expect(tags(html, "script")).toHaveLength(3);
    expect(html).toContain(escapeHtml(`check-${HOSTILE}`));
    // Step names reach the charts through the JSON block, which must still parse.
    const { charts } = embeddedData(html);
    expect(JSON.stringify(charts)).toContain("alert");
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
