/**
 * The in-cluster Prometheus config, checked by the real promtool. Debian's Prometheus build leaves
 * Kubernetes service discovery out, so the discovery block is swapped for a static target before
 * the check: promtool still validates every relabel rule, regex and duration; the
 * kubernetes_sd_configs block itself is checked only by its TypeScript type here, and for real
 * when the stack's Prometheus (an upstream image) starts on a cluster.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MeshName } from "../../src/mesh/driver.js";
import { clusterPrometheusConfig } from "../../src/stack/index.js";
import { findServerTool } from "../metrics/find-tools.js";

const run = promisify(execFile);

describe("in-cluster Prometheus config", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "meshproof-promtool-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const mesh of ["none", "istio", "linkerd"] as MeshName[]) {
    it(`passes promtool check config for mesh ${mesh}`, async () => {
      const file = join(dir, `${mesh}.yml`);
      const config = clusterPrometheusConfig(mesh, ["meshproof-run1"]);
      const checkable = {
        ...config,
        scrape_configs: config.scrape_configs.map(({ kubernetes_sd_configs: _sd, ...job }) => ({ ...job, static_configs: [{ targets: ["127.0.0.1:9"] }] })),
      };
      await writeFile(file, stringify(checkable));
      const { stdout } = await run(findServerTool("promtool"), ["check", "config", file], { timeout: 30_000 });
      expect(stdout).toMatch(/SUCCESS/);
    });
  }

  it("adds the Linkerd proxy job only under Linkerd", () => {
    expect(clusterPrometheusConfig("linkerd", ["a"]).scrape_configs.map((j) => j.job_name)).toEqual(["annotated-pods", "linkerd-proxy"]);
    expect(clusterPrometheusConfig("istio", ["a"]).scrape_configs.map((j) => j.job_name)).toEqual(["annotated-pods"]);
  });
});
