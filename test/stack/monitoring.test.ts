/**
 * The in-cluster Prometheus config, checked by the real promtool of the Prometheus the host
 * cluster's image holds (Debian's 2.42 build, which has no Kubernetes service discovery): the
 * rendered config exactly as the ConfigMap carries it must pass, and the pod-discovery form the
 * stack used before must fail there, so this check can tell the two apart.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MeshName } from "../../src/mesh/driver.js";
import { noneDriver } from "../../src/mesh/none/index.js";
import { clusterPrometheusConfig, discoveryName, referenceStack, type ScrapedWorkload } from "../../src/stack/index.js";
import { findServerTool } from "../metrics/find-tools.js";

const run = promisify(execFile);
const WORKLOAD: ScrapedWorkload = { namespace: "meshproof-run1", app: "llm-sim", versionLabel: "version", versions: ["stable", "canary"], port: 8000, metricsPath: "/metrics" };

async function promtool(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(findServerTool("promtool"), ["check", "config", file], { timeout: 30_000 });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("in-cluster Prometheus config", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "meshproof-promtool-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const mesh of ["none", "istio", "linkerd"] as MeshName[]) {
    it(`the ConfigMap's prometheus.yml passes promtool check config for mesh ${mesh}`, async () => {
      const stack = referenceStack({ namespace: "meshproof-run1", runId: "run1", driver: { ...noneDriver, name: mesh }, versions: ["stable", "canary"], simImage: "s", loadgenImage: "l" });
      const configMap = stack.manifests.find((m) => m.kind === "ConfigMap" && m.metadata.name === "prometheus");
      const yml = (configMap?.data as Record<string, string> | undefined)?.["prometheus.yml"];
      expect(yml).toContain("dns_sd_configs");
      const file = join(dir, `${mesh}.yml`);
      await writeFile(file, yml ?? "");
      const result = await promtool(file);
      expect(result.output).toMatch(/SUCCESS/);
      expect(result.ok).toBe(true);
    });
  }

  it("the same promtool rejects Kubernetes pod discovery (the form that crash-looped)", async () => {
    const file = join(dir, "kubernetes-sd.yml");
    await writeFile(file, stringify({ scrape_configs: [{ job_name: "pods", kubernetes_sd_configs: [{ role: "pod" }] }] }));
    const result = await promtool(file);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/field kubernetes_sd_configs not found/);
  });

  it("labels each target with the version, namespace and app of the DNS name it was found under", () => {
    const config = clusterPrometheusConfig("none", WORKLOAD);
    const [job] = config.scrape_configs;
    expect(job?.dns_sd_configs[0]?.names).toEqual(["llm-sim-stable.meshproof-run1.svc.cluster.local", "llm-sim-canary.meshproof-run1.svc.cluster.local"]);
    const versionRule = job?.relabel_configs.find((r) => r.target_label === "version");
    // Prometheus anchors relabel regexes at both ends.
    const regex = new RegExp(`^(?:${versionRule?.regex ?? ""})$`);
    expect(discoveryName(WORKLOAD, "canary").replace(regex, versionRule?.replacement ?? "")).toBe("canary");
    expect(regex.test(discoveryName({ ...WORKLOAD, namespace: "other" }, "canary"))).toBe(false);
    expect(job?.relabel_configs).toEqual(expect.arrayContaining([
      expect.objectContaining({ target_label: "namespace", replacement: "meshproof-run1" }),
      expect.objectContaining({ target_label: "app", replacement: "llm-sim" }),
    ]));
  });

  it("scrapes the port each mesh serves the metrics on", () => {
    const ports = (mesh: MeshName) => clusterPrometheusConfig(mesh, WORKLOAD).scrape_configs.map((j) => `${j.job_name}:${j.dns_sd_configs[0]?.port}${j.metrics_path}`);
    expect(ports("none")).toEqual(["llm-sim:8000/metrics"]);
    expect(ports("istio")).toEqual(["llm-sim:15020/stats/prometheus"]);
    expect(ports("linkerd")).toEqual(["llm-sim:8000/metrics", "linkerd-proxy:4191/metrics"]);
  });

  it("publishes one headless Service per version for discovery, unready pods included", () => {
    const stack = referenceStack({ namespace: "meshproof-run1", runId: "run1", driver: noneDriver, versions: ["stable", "canary"], simImage: "s", loadgenImage: "l" });
    const headless = stack.manifests.filter((m) => m.kind === "Service" && (m.spec as { clusterIP?: string }).clusterIP === "None");
    expect(headless.map((s) => [s.metadata.namespace, s.metadata.name, (s.spec as { selector: unknown }).selector, (s.spec as { publishNotReadyAddresses?: boolean }).publishNotReadyAddresses])).toEqual([
      ["meshproof-run1", "llm-sim-stable", { app: "llm-sim", version: "stable" }, true],
      ["meshproof-run1", "llm-sim-canary", { app: "llm-sim", version: "canary" }, true],
    ]);
    expect(stack.manifests.some((m) => m.kind === "Role" || m.kind === "RoleBinding")).toBe(false);
  });
});
