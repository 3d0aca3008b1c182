import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Pod } from "kubernetes-models/v1/Pod";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { KubeObject } from "../../src/plan/steps.js";
import { noneDriver } from "../../src/mesh/none/index.js";
import { MANAGED_BY_LABEL, RUN_ID_LABEL, referenceStack, type ReferenceStackOptions } from "../../src/stack/index.js";
import { fakeDriver } from "./fake-driver.js";

/** Every kind the stack renders, re-read from YAML through its model class. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
  "v1/ConfigMap": ConfigMap,
  "v1/Namespace": Namespace,
  "v1/Pod": Pod,
  "v1/Service": Service,
  "v1/ServiceAccount": ServiceAccount,
};

const k6ScriptsDir = fileURLToPath(new URL("./k6-fixture/", import.meta.url));

interface PodSpec {
  containers: Array<{ name: string; image: string; command?: string[]; volumeMounts?: unknown[] }>;
  volumes?: unknown[];
}

const options: ReferenceStackOptions = {
  namespace: "meshproof-run1",
  runId: "run1",
  driver: fakeDriver,
  versions: ["stable", "canary"],
  simImage: "meshproof/llm-sim:dev",
  loadgenImage: "meshproof/loadgen:dev",
  sim: { ttftMs: 40, itlMs: 8, outputTokens: 16 },
};

function toYaml(objects: KubeObject[]): string {
  // Scripts stay as literal blocks, not folded at 80 columns, so the golden file reads as code.
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");
}

const byKindAndName = (objects: KubeObject[], kind: string, name: string, namespace?: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));

describe("reference stack", () => {
  const stack = referenceStack(options);

  it("matches the reviewed golden YAML", async () => {
    await expect(toYaml(stack.manifests)).toMatchFileSnapshot("../mesh/golden/stack/reference-stack-fake-mesh.yaml");
  });

  it("labels every object with managed-by and the run id", () => {
    for (const o of stack.manifests) {
      expect(o.metadata.labels, `${o.kind}/${o.metadata.name}`).toMatchObject({ [MANAGED_BY_LABEL]: "meshproof", [RUN_ID_LABEL]: "run1" });
    }
  });

  it("labels every pod template too, so evidence collection finds the pods", () => {
    for (const o of stack.manifests.filter((m) => m.kind === "Deployment")) {
      const d = new Deployment(o as ConstructorParameters<typeof Deployment>[0]);
      expect(d.spec?.template.metadata?.labels).toMatchObject({ [MANAGED_BY_LABEL]: "meshproof", [RUN_ID_LABEL]: "run1" });
    }
  });

  it("renders objects that validate against the Kubernetes schemas after a YAML round trip", () => {
    const docs = parseAllDocuments(toYaml(stack.manifests)).map((d) => d.toJS() as KubeObject);
    expect(docs).toHaveLength(stack.manifests.length);
    for (const doc of docs) {
      const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect(Model, `a model class for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
      const { apiVersion: _a, kind: _k, ...data } = doc;
      expect(() => new Model!(data as never).validate(), `${doc.kind}/${doc.metadata.name}`).not.toThrow();
    }
  });

  it("enrols the stack's namespace, and only it, in the mesh", () => {
    const ns = byKindAndName(stack.manifests, "Namespace", "meshproof-run1")!;
    expect(ns.metadata.labels).toMatchObject({ "fake-mesh/enrolled": "true" });
    expect(ns.metadata.annotations).toEqual({ "linkerd.io/inject": "enabled" });
    for (const other of ["outsider", "meshproof-monitoring"]) {
      const o = byKindAndName(stack.manifests, "Namespace", other)!;
      expect(o.metadata.labels).not.toHaveProperty("fake-mesh/enrolled");
      expect(o.metadata.annotations ?? {}).toEqual({});
    }
  });

  it("runs one sim Deployment per version with the seed stack's probes and resources", () => {
    for (const version of options.versions) {
      const d = byKindAndName(stack.manifests, "Deployment", `llm-sim-${version}`) as unknown as {
        spec: { template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { containers: Record<string, unknown>[] } } };
      };
      expect(d.spec.template.metadata.labels).toMatchObject({ app: "llm-sim", version });
      expect(d.spec.template.metadata.annotations).toMatchObject({ "config.linkerd.io/proxy-cpu-request": "100m", "prometheus.io/scrape": "true" });
      const c = d.spec.template.spec.containers[0]!;
      expect(c).toMatchObject({
        startupProbe: { httpGet: { path: "/health/startup" } },
        livenessProbe: { httpGet: { path: "/health/live" } },
        readinessProbe: { httpGet: { path: "/health/ready" } },
        resources: { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2000m", memory: "2Gi" } },
      });
      expect(c.env).toEqual(
        expect.arrayContaining([
          { name: "LLMSIM_VERSION", value: version },
          { name: "LLMSIM_PORT", value: "8000" },
          // On loopback only, the proxy and the kubelet could not reach it.
          { name: "LLMSIM_HOST", value: "0.0.0.0" },
          { name: "LLMSIM_OUTPUT_TOKENS", value: "16" },
        ]),
      );
    }
  });

  it("serves every version behind `llm`, leaving per-version Services to the drivers", () => {
    const llm = byKindAndName(stack.manifests, "Service", "llm") as unknown as { spec: { selector: Record<string, string>; ports: { port: number }[] } };
    expect(llm.spec.selector).toEqual({ app: "llm-sim" });
    expect(llm.spec.ports[0]!.port).toBe(8000);
    // Besides `llm`, only the headless Services Prometheus discovers each version's pods by.
    const services = stack.manifests.filter((o) => o.kind === "Service" && o.metadata.namespace === "meshproof-run1");
    expect(services.filter((o) => (o.spec as { clusterIP?: string }).clusterIP !== "None").map((o) => o.metadata.name)).toEqual(["llm"]);
    expect(services.filter((o) => (o.spec as { clusterIP?: string }).clusterIP === "None").map((o) => o.metadata.name)).toEqual(["llm-sim-stable", "llm-sim-canary"]);
  });

  it("runs the built-in generator's static binary, idle, in a container named loadgen, with no scripts", () => {
    for (const [kind, name, ns] of [["Deployment", "loadgen", "meshproof-run1"], ["Deployment", "outsider", "outsider"]] as const) {
      const o = byKindAndName(stack.manifests, kind, name, ns) as unknown as { spec: { template?: { spec: PodSpec }; containers?: PodSpec["containers"]; volumes?: unknown[] } };
      const spec: PodSpec = o.spec.template?.spec ?? (o.spec as PodSpec);
      expect(spec.containers).toMatchObject([{ name: "loadgen", image: "meshproof/loadgen:dev", command: ["/loadgen", "idle"] }]);
      expect(spec.volumes).toBeUndefined();
    }
    expect(stack.manifests.some((o) => o.kind === "ConfigMap" && o.metadata.name === "k6-scripts")).toBe(false);
    expect(stack.layout.loadgen.container).toBe("loadgen");
  });

  it("with the k6 engine, runs the user's image and mounts the k6 scripts in both clients", () => {
    const k6 = referenceStack({ ...options, loadgenImage: "example.org/my-k6:1", loadEngine: "k6", k6ScriptsDir });
    for (const ns of ["meshproof-run1", "outsider"]) {
      const cm = byKindAndName(k6.manifests, "ConfigMap", "k6-scripts", ns) as unknown as { data: Record<string, string> };
      expect(Object.keys(cm.data)).toEqual(["canary.ts"]);
    }
    const deploy = byKindAndName(k6.manifests, "Deployment", "loadgen") as unknown as { spec: { template: { spec: PodSpec } } };
    expect(deploy.spec.template.spec.containers[0]).toMatchObject({ name: "loadgen", image: "example.org/my-k6:1", volumeMounts: [{ mountPath: "/scripts" }] });
    expect(k6.notes).toEqual([]);
  });

  it("mounts an empty ConfigMap, and says so, when the k6 engine finds no k6 scripts", () => {
    const empty = referenceStack({ ...options, loadEngine: "k6", k6ScriptsDir: fileURLToPath(new URL("./no-such-dir/", import.meta.url)) });
    const cm = byKindAndName(empty.manifests, "ConfigMap", "k6-scripts", "meshproof-run1") as unknown as { data?: Record<string, string> };
    expect(cm.data ?? {}).toEqual({});
    expect(empty.notes[0]).toMatch(/no k6 scripts/);
  });

  it("scrapes the mesh's proxies only where the mesh needs its own job", () => {
    const config = (s: typeof stack) => (byKindAndName(s.manifests, "ConfigMap", "prometheus") as unknown as { data: Record<string, string> }).data["prometheus.yml"]!;
    expect(config(stack)).toContain("job_name: linkerd-proxy");
    const baseline = referenceStack({ ...options, driver: noneDriver });
    expect(config(baseline)).not.toContain("linkerd-proxy");
    expect(config(baseline)).toContain("job_name: llm-sim");
  });

  it("describes the stack as a Target the drivers render against", () => {
    expect(stack.target).toEqual({
      namespace: "meshproof-run1",
      service: "llm",
      port: 8000,
      versionLabel: "version",
      versions: ["stable", "canary"],
      selector: { app: "llm-sim" },
      labels: { [MANAGED_BY_LABEL]: "meshproof", [RUN_ID_LABEL]: "run1" },
      simImage: "meshproof/llm-sim:dev",
    });
    expect(stack.layout.targetUrl).toBe("http://llm.meshproof-run1.svc.cluster.local:8000");
  });

  it("puts namespaces first so one apply succeeds in order", () => {
    const kinds = stack.manifests.map((o) => o.kind);
    expect(kinds.lastIndexOf("Namespace")).toBeLessThan(kinds.findIndex((k) => k !== "Namespace"));
  });

  it("refuses names Kubernetes would refuse, listing every problem", () => {
    expect(() => referenceStack({ ...options, namespace: "Bad_NS", versions: ["stable", "stable"] })).toThrow(/namespace "Bad_NS" is not a DNS-1123 label; versions repeat/);
    expect(() => referenceStack({ ...options, runId: "has space" })).toThrow(/cannot be a Kubernetes label value/);
    expect(() => referenceStack({ ...options, outsiderNamespace: "meshproof-run1" })).toThrow(/must differ/);
  });
});
