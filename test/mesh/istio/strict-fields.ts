/**
 * A stricter check than the models' validate(), which accepts unknown fields: every rendered
 * manifest is written out as a TypeScript object literal typed with its model interface and
 * type-checked, so the compiler's excess-property check finds any field the model (generated
 * from the Istio CRDs) does not have, wherever in the object it sits and however it was built.
 * EnvoyFilter patch values are untyped Structs in the model; they are checked against the
 * driver's own Envoy filter interface instead.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import type { KubeObject } from "../../../src/plan/steps.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "../../..");
/** Never written to disk: served to the compiler from memory. */
const VIRTUAL_FILE = path.join(HERE, "__strict_fields_check__.ts");

/** apiVersion/kind -> the model interface that types it. A kind missing here is itself a problem. */
export const MODEL_TYPES: Record<string, { from: string; type: string }> = {
  "networking.istio.io/v1/VirtualService": { from: "@kubernetes-models/istio/networking.istio.io/v1/VirtualService", type: "IVirtualService" },
  "networking.istio.io/v1/DestinationRule": { from: "@kubernetes-models/istio/networking.istio.io/v1/DestinationRule", type: "IDestinationRule" },
  "networking.istio.io/v1alpha3/EnvoyFilter": { from: "@kubernetes-models/istio/networking.istio.io/v1alpha3/EnvoyFilter", type: "IEnvoyFilter" },
  "security.istio.io/v1/PeerAuthentication": { from: "@kubernetes-models/istio/security.istio.io/v1/PeerAuthentication", type: "IPeerAuthentication" },
  "security.istio.io/v1/AuthorizationPolicy": { from: "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy", type: "IAuthorizationPolicy" },
  "gateway.networking.k8s.io/v1/HTTPRoute": { from: "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute", type: "IHTTPRoute" },
  "gateway.networking.k8s.io/v1/GRPCRoute": { from: "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GRPCRoute", type: "IGRPCRoute" },
  "v1/Service": { from: "kubernetes-models/v1/Service", type: "IService" },
};

const ENVOY_FILTER_VALUE = { from: "../../../src/mesh/istio/rate-limit.js", type: "LocalRateLimitFilter" };

interface Entry {
  label: string;
  firstLine: number;
  lastLine: number;
}

/** Problems found, one line each ("VirtualService llm/llm-sim-routes: ..."); empty when every field is known. */
export function unknownFieldProblems(manifests: KubeObject[]): string[] {
  const problems: string[] = [];
  const imports: string[] = [];
  const body: string[] = [];
  const entries: Entry[] = [];
  const imported = new Map<string, string>();

  const alias = (from: string, type: string): string => {
    const key = `${from}#${type}`;
    let name = imported.get(key);
    if (!name) {
      name = `T${imported.size}`;
      imported.set(key, name);
      imports.push(`import type { ${type} as ${name} } from ${JSON.stringify(from)};`);
    }
    return name;
  };
  const add = (label: string, typeName: string, value: unknown) => {
    const text = `export const v${entries.length}: ${typeName} = ${JSON.stringify(value, null, 2)};`;
    entries.push({ label, firstLine: body.length, lastLine: body.length + text.split("\n").length - 1 });
    body.push(...text.split("\n"));
  };

  for (const manifest of manifests) {
    const label = `${manifest.kind} ${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`;
    const model = MODEL_TYPES[`${manifest.apiVersion}/${manifest.kind}`];
    if (!model) {
      problems.push(`${label}: no model type known for ${manifest.apiVersion} ${manifest.kind}; add it to MODEL_TYPES`);
      continue;
    }
    add(label, alias(model.from, model.type), manifest);
    if (manifest.kind === "EnvoyFilter") {
      const patches = (manifest.spec as { configPatches?: { patch?: { value?: unknown } }[] } | undefined)?.configPatches ?? [];
      patches.forEach((p, i) => add(`${label} configPatches[${i}].patch.value`, alias(ENVOY_FILTER_VALUE.from, ENVOY_FILTER_VALUE.type), p.patch?.value));
    }
  }
  if (entries.length === 0) return problems;

  const header = imports.length;
  const source = [...imports, ...body].join("\n");
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options, true);
  const original = { getSourceFile: host.getSourceFile, fileExists: host.fileExists, readFile: host.readFile };
  host.getSourceFile = (file, language, onError, create) =>
    path.resolve(file) === VIRTUAL_FILE ? ts.createSourceFile(file, source, language, true) : original.getSourceFile(file, language, onError, create);
  host.fileExists = (file) => path.resolve(file) === VIRTUAL_FILE || original.fileExists(file);
  host.readFile = (file) => (path.resolve(file) === VIRTUAL_FILE ? source : original.readFile(file));
  host.getCurrentDirectory = () => REPO;

  const program = ts.createProgram([VIRTUAL_FILE], options, host);
  const file = program.getSourceFile(VIRTUAL_FILE);
  if (!file) throw new Error("the virtual check file did not load");
  for (const d of ts.getPreEmitDiagnostics(program, file)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n")[0];
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line - header : -1;
    const entry = entries.find((e) => line >= e.firstLine && line <= e.lastLine);
    problems.push(`${entry?.label ?? "check file"}: ${message}`);
  }
  return problems;
}
