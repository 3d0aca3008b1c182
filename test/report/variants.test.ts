/**
 * A run on a mesh variant (the host cluster's Istio with stock Envoy) says so in report.md and
 * report.html, with what the variant cannot show; a run on official releases shows no such table.
 */
import { describe, expect, it } from "vitest";
import { UPSTREAM_ENVOY_VARIANT } from "../../src/mesh/istio/upstream-envoy-variant.js";
import { renderHtml } from "../../src/report/html.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { canaryRun } from "./fixtures.js";

describe("mesh variants in the reports", () => {
  const results = { ...canaryRun(), variants: { istio: UPSTREAM_ENVOY_VARIANT } };

  it("name the variant, its proxy and every limitation, in Markdown and HTML", async () => {
    const md = renderMarkdown(results);
    const html = await renderHtml(results);
    expect(md).toContain("### Mesh variants");
    expect(html).toContain("<h3>Mesh variants</h3>");
    for (const text of [UPSTREAM_ENVOY_VARIANT.name, `${UPSTREAM_ENVOY_VARIANT.proxy.name} ${UPSTREAM_ENVOY_VARIANT.proxy.version}`, UPSTREAM_ENVOY_VARIANT.controlPlaneVersion]) {
      expect(md).toContain(text);
      expect(html).toContain(text);
    }
    expect(UPSTREAM_ENVOY_VARIANT.limitations.length).toBeGreaterThan(0);
    // The first words of each limitation, before any character the renderers escape.
    for (const limitation of UPSTREAM_ENVOY_VARIANT.limitations) {
      const start = limitation.split(/[^\w ]/)[0]!;
      expect(md).toContain(start);
      expect(html).toContain(start);
    }
  });

  it("are absent when every mesh is its official release", async () => {
    expect(renderMarkdown(canaryRun())).not.toContain("Mesh variants");
    expect(await renderHtml(canaryRun())).not.toContain("Mesh variants");
  });
});
