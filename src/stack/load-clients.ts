/**
 * The two clients load is driven from: `loadgen`, a meshed pod holding the load generator (so
 * the client-side proxy is on the path), and `outsider`, the same pod in a namespace no mesh
 * enrols, for checks that plaintext or unauthenticated callers are refused. The harness execs
 * the generator in them: meshproof's own (the static /loadgen of LOADGEN_IMAGE) by default, or,
 * with --load-engine k6, the user's k6 image with the k6 scripts mounted from a ConfigMap.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IResourceRequirements } from "kubernetes-models/v1/ResourceRequirements";
import type { IVolume } from "kubernetes-models/v1/Volume";
import type { KubeObject } from "../plan/steps.js";
import { repoPath } from "../core/repo.js";
import { LOADGEN_POD_BINARY, type LoadEngine } from "../load/index.js";
import { toKubeObject } from "./kube-object.js";

export const LOADGEN = "loadgen";
export const OUTSIDER = "outsider";
export const K6_SCRIPTS_CONFIGMAP = "k6-scripts";
export const K6_SCRIPTS_MOUNT = "/scripts";
/** The container the harness execs the load generator in, whichever the engine. */
export const LOADGEN_CONTAINER = "loadgen";

/** The k6 scripts shipped with meshproof (written in TypeScript, which k6 1.x runs natively). */
export const DEFAULT_K6_SCRIPTS_DIR = `${repoPath("fixtures", "k6")}/`;
/** The API server refuses ConfigMaps above 1 MiB; fail at render time with the reason instead. */
const CONFIGMAP_MAX_BYTES = 1024 * 1024;

export interface K6Scripts {
  /** File name to content; ConfigMap keys, so flat names only. */
  files: Record<string, string>;
  /** Why the map is empty, when it is: said in the report instead of failing later in k6. */
  note?: string;
}

/** Read `*.ts` from the k6 scripts folder at render time, so the ConfigMap matches the checkout. */
export function readK6Scripts(dir: string = DEFAULT_K6_SCRIPTS_DIR): K6Scripts {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".ts") && statSync(join(dir, n)).isFile()).sort();
  } catch {
    names = [];
  }
  if (names.length === 0) {
    // The default folder is named relative to the checkout: notes end up in plans and manifests.
    const where = dir === DEFAULT_K6_SCRIPTS_DIR ? "fixtures/k6" : dir;
    return { files: {}, note: `no k6 scripts (*.ts) in ${where}: the ${K6_SCRIPTS_CONFIGMAP} ConfigMap is empty, so load cannot run in the cluster until they exist` };
  }
  const files: Record<string, string> = {};
  let bytes = 0;
  for (const name of names) {
    files[name] = readFileSync(join(dir, name), "utf8");
    bytes += Buffer.byteLength(files[name]);
  }
  if (bytes > CONFIGMAP_MAX_BYTES) {
    throw new Error(`the k6 scripts in ${dir} total ${bytes} bytes, over the ${CONFIGMAP_MAX_BYTES}-byte ConfigMap limit: bundle or trim them`);
  }
  return { files };
}

function scriptsConfigMap(namespace: string, labels: Record<string, string>, scripts: K6Scripts): KubeObject {
  const metadata = { name: K6_SCRIPTS_CONFIGMAP, namespace, labels, ...(scripts.note ? { annotations: { "meshproof.dev/note": scripts.note } } : {}) };
  return toKubeObject(new ConfigMap({ metadata, data: { ...scripts.files } }));
}

const scriptsVolume: IVolume = { name: "scripts", configMap: { name: K6_SCRIPTS_CONFIGMAP } };

/**
 * The generator is exec'd per measurement; the container only has to stay up, and to stop at
 * once on SIGTERM (a bare `sleep` as PID 1 ignores it and holds deletion for the grace period).
 * The loadgen image has no shell: its binary idles itself.
 */
function loadgenContainer(image: string, engine: LoadEngine, resources: IResourceRequirements): IContainer {
  return {
    name: LOADGEN_CONTAINER,
    image,
    ...(engine === "builtin"
      ? { command: [LOADGEN_POD_BINARY, "idle"] }
      : {
          command: ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done"],
          volumeMounts: [{ name: "scripts", mountPath: K6_SCRIPTS_MOUNT, readOnly: true }],
        }),
    resources,
  };
}

export interface LoadClientOptions {
  namespace: string;
  outsiderNamespace: string;
  labels: Record<string, string>;
  image: string;
  podAnnotations: Record<string, string>;
  engine: LoadEngine;
  /** k6 engine only: the scripts for its ConfigMap. */
  scripts: K6Scripts;
  resources: IResourceRequirements;
}

function clientPodSpec(serviceAccountName: string, opts: LoadClientOptions) {
  return {
    serviceAccountName,
    containers: [loadgenContainer(opts.image, opts.engine, opts.resources)],
    ...(opts.engine === "k6" ? { volumes: [scriptsVolume] } : {}),
  };
}

/** The meshed loadgen Deployment, in the enrolled namespace. */
export function loadgen(opts: LoadClientOptions): KubeObject[] {
  const { namespace, labels } = opts;
  const podLabels = { ...labels, app: LOADGEN };
  return [
    toKubeObject(new ServiceAccount({ metadata: { name: LOADGEN, namespace, labels } })),
    ...(opts.engine === "k6" ? [scriptsConfigMap(namespace, labels, opts.scripts)] : []),
    toKubeObject(
      new Deployment({
        metadata: { name: LOADGEN, namespace, labels: podLabels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: LOADGEN } },
          template: {
            metadata: { labels: podLabels, ...(Object.keys(opts.podAnnotations).length > 0 ? { annotations: { ...opts.podAnnotations } } : {}) },
            spec: clientPodSpec(LOADGEN, opts),
          },
        },
      }),
    ),
  ];
}

/**
 * The out-of-mesh client: its own namespace with no enrolment labels or annotations, so no proxy
 * is injected and its requests carry no mesh identity. A Deployment rather than a bare Pod: a
 * Pod's spec is immutable, so applying a changed one over a stack kept by --keep (a new image
 * tag, other resources) was refused with 422; a Deployment's template takes the change and rolls.
 */
export function outsider(opts: LoadClientOptions): KubeObject[] {
  const namespace = opts.outsiderNamespace;
  const { labels } = opts;
  const podLabels = { ...labels, app: OUTSIDER };
  return [
    toKubeObject(new Namespace({ metadata: { name: namespace, labels } })),
    toKubeObject(new ServiceAccount({ metadata: { name: OUTSIDER, namespace, labels } })),
    ...(opts.engine === "k6" ? [scriptsConfigMap(namespace, labels, opts.scripts)] : []),
    toKubeObject(
      new Deployment({
        metadata: { name: OUTSIDER, namespace, labels: podLabels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: OUTSIDER } },
          template: { metadata: { labels: podLabels }, spec: clientPodSpec(OUTSIDER, opts) },
        },
      }),
    ),
  ];
}
