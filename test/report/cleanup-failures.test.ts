/**
 * A failed cleanup is in every report: something the run created may still be there, and CI must
 * see it even when every verdict passed.
 */
import { describe, expect, it } from "vitest";
import { renderHtml } from "../../src/report/html.js";
import { renderJunit } from "../../src/report/junit.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { canaryRun } from "./fixtures.js";

const FAILURE = "istio / canary: undo: apply the canary split: the API server is gone";

describe("a failed cleanup", () => {
  const results = { ...canaryRun(), cleanupFailures: [FAILURE] };

  it("is listed in report.md and report.html with how to remove what is left", async () => {
    expect(renderMarkdown(results)).toContain(`> **Cleanup failed**, so what this run created may still be there (\`npm run clean\` removes it):\n> - ${FAILURE}`);
    expect(await renderHtml(results)).toContain(`<strong>Cleanup failed</strong>, so what this run created may still be there (<code>npm run clean</code> removes it):<ul><li>${FAILURE}</li></ul>`);
  });

  it("is an error test case in junit.xml", () => {
    const xml = renderJunit(results);
    expect(xml).toMatch(/<testsuite name="meshproof\/cleanup"[^>]* errors="1"/);
    expect(xml).toContain(`type="cleanup-failed"`);
  });

  it("is absent when every undo ran", async () => {
    const clean = canaryRun();
    expect(renderMarkdown(clean)).not.toContain("Cleanup failed");
    expect(await renderHtml(clean)).not.toContain("Cleanup failed");
    expect(renderJunit(clean)).not.toContain("meshproof/cleanup");
  });
});
