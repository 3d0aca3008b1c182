/**
 * The dry-run plan per --backend: what is deployed for it, what the run waits for, where load
 * goes, and which checks are marked unsupported because they count by llm-sim's headers. Field
 * names of the KServe objects are held against the CRD types they were read from (KServe
 * pkg/apis/serving/v1alpha1/llm_inference_service_types.go), since an API server would drop an
 * unknown field without a word.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseRunOptions } from "../../src/cli/options.js";
import { planRun } from "../../src/cli/run.js";
import { UsageError } from "../../src/core/errors.js";
import type { ApplyStep, KubeObject, Step, UnsupportedStep } from "../../src/plan/steps.js";
import { walkSteps } from "../../src/plan/steps.js";

const runDir = mkdtempSync(path.join(os.tmpdir(), "meshproof-backend-plans-"));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

async function plan(scenario: string, raw: Record<string, unknown>) {
  const opts = parseRunOptions({ dryRun: true, ...raw });
  return (await planRun("scenario", scenario, opts, "r1", runDir)).plan;
}

function allSteps(p: Awaited<ReturnType<typeof plan>>): Step[] {
  const t = p.targets[0]!;
  return [...walkSteps([...t.setup, ...t.scenarios.flatMap((s) => s.phases.flatMap((ph) => ph.steps)), ...t.teardown])];
}

function stackManifests(p: Awaited<ReturnType<typeof plan>>): KubeObject[] {
  return (allSteps(p).find((s) => s.id === "deploy-stack") as ApplyStep).manifests;
}

function gaps(p: Awaited<ReturnType<typeof plan>>): UnsupportedStep[] {
  return allSteps(p).filter((s): s is UnsupportedStep => s.kind === "unsupported" && s.intent === "backend");
}

describe("plans per --backend", () => {
  it("llm-sim (default): the sims are deployed and waited for, and no check is marked for the backend", async () => {
    const p = await plan("canary", { cluster: "kind", mesh: "istio" });
    expect(stackManifests(p).filter((m) => m.kind === "Deployment").map((m) => m.metadata.name)).toEqual(expect.arrayContaining(["llm-sim-stable", "llm-sim-canary"]));
    expect(allSteps(p).map((s) => s.id)).toContain("wait-llm-sim-stable");
    expect(gaps(p)).toEqual([]);
  }, 60_000);

  it("vllm: one GPU Deployment per version on the accelerator pool, probed at /health; the split checks are unsupported", async () => {
    const p = await plan("canary", { cluster: "gke", mesh: "istio", backend: "vllm", vllmModel: "org/model-x", vllmGpus: "2", accelerator: "nvidia-l4" });
    const manifests = stackManifests(p);
    const deployments = manifests.filter((m) => m.kind === "Deployment" && m.metadata.namespace === "meshproof-istio" && m.metadata.name !== "loadgen");
    expect(deployments.map((d) => d.metadata.name)).toEqual(["vllm-stable", "vllm-canary"]);
    const pod = (deployments[0]!.spec as { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } }).template.spec;
    expect(pod.nodeSelector).toEqual({ "cloud.google.com/gke-accelerator": "nvidia-l4" });
    expect(pod.containers[0]).toMatchObject({
      image: "vllm/vllm-openai:latest",
      args: ["--model", "org/model-x", "--dtype=half", "--max-model-len=2048", "--port=8000", "--tensor-parallel-size=2"],
      resources: { limits: { "nvidia.com/gpu": "2" } },
      readinessProbe: { httpGet: { path: "/health" } },
      startupProbe: { httpGet: { path: "/health" } },
    });
    expect(manifests.find((m) => m.kind === "Service" && m.metadata.name === "llm")?.spec).toMatchObject({ selector: { app: "vllm" } });
    expect(allSteps(p).map((s) => s.id)).toEqual(expect.arrayContaining(["wait-vllm-stable", "wait-vllm-canary"]));
    expect(allSteps(p).map((s) => s.id)).not.toContain("wait-llm-sim-stable");
    const marked = gaps(p);
    expect(marked.length).toBeGreaterThan(0);
    expect(marked[0]!.reason).toMatch(/x-llm-version/);
    expect(marked.flatMap((g) => g.checks)).toContain("shift-10-converged-share");
  }, 60_000);

  it("kserve: an LLMInferenceService on an Istio Gateway with a managed scheduler (InferencePool), field names as in KServe's types", async () => {
    const p = await plan("canary", { cluster: "gke", mesh: "istio", backend: "kserve" });
    const manifests = stackManifests(p);
    const isvc = manifests.find((m) => m.kind === "LLMInferenceService")!;
    expect(isvc.apiVersion).toBe("serving.kserve.io/v1alpha1");
    const spec = isvc.spec as Record<string, Record<string, unknown>>;
    // LLMInferenceServiceSpec (+ inlined WorkloadSpec) and RouterSpec json names.
    const specFields = ["model", "runtime", "trustRemoteCode", "storageInitializer", "router", "prefill", "tracing", "baseRefs", "replicas", "scaling", "parallelism", "labels", "annotations", "template", "worker", "rolloutStrategy"];
    expect(Object.keys(spec).every((k) => specFields.includes(k))).toBe(true);
    expect(Object.keys(spec.model!).every((k) => ["uri", "name", "criticality", "lora"].includes(k))).toBe(true);
    expect(Object.keys(spec.router!).every((k) => ["route", "gateway", "ingress", "scheduler"].includes(k))).toBe(true);
    expect(spec.model).toEqual({ uri: "hf://google/gemma-2b-it", name: "google/gemma-2b-it" });
    expect(spec.router).toEqual({ gateway: { refs: [{ name: "meshproof-inference", namespace: "meshproof-istio" }] }, route: {}, scheduler: {} });
    expect(manifests.find((m) => m.kind === "Gateway")?.spec).toMatchObject({ gatewayClassName: "istio" });
    expect(manifests.some((m) => m.kind === "Deployment" && String(m.metadata.name).startsWith("llm-sim"))).toBe(false);
    expect(p.targetUrls.istio).toBe("http://meshproof-inference-istio.meshproof-istio.svc.cluster.local");
    expect(gaps(p)[0]?.reason).toMatch(/x-llm-version/);
  }, 60_000);

  it("openai: nothing is started and load goes to the URL given", async () => {
    const p = await plan("benchmark", { cluster: "local", mesh: "none", backend: "openai", backendUrl: "http://127.0.0.1:8123/" });
    expect(allSteps(p).filter((s) => s.kind === "process")).toEqual([]);
    expect(p.targetUrls.none).toBe("http://127.0.0.1:8123");
  }, 60_000);

  it("refuses combinations it cannot honour, with exit-2 usage errors", () => {
    expect(() => parseRunOptions({ backend: "openai", mesh: "none" })).toThrow(UsageError);
    expect(() => parseRunOptions({ backend: "openai", mesh: "istio", backendUrl: "http://127.0.0.1:1" })).toThrow(/--mesh none/);
    expect(() => parseRunOptions({ backend: "llm-sim", backendUrl: "http://127.0.0.1:1" })).toThrow(/--backend openai/);
    expect(() => parseRunOptions({ backend: "kserve", mesh: "istio" })).toThrow(/--dry-run/);
    expect(() => parseRunOptions({ backend: "vllm", cluster: "host", mesh: "none" })).toThrow(/GPU nodes/);
    expect(() => parseRunOptions({ backend: "nosuch" })).toThrow(UsageError);
  });
});
