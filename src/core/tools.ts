/**
 * Finding the external programs meshproof drives. Order: an explicit environment variable
 * (the user said exactly which binary), then what `npm run setup` put in its cache (the
 * loadgen binary it builds from tools/loadgen), then PATH. A missing tool is an environment problem
 * (exit 4) whose message says how to get it.
 */
import { EnvironmentError } from "./errors.js";
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, isAbsolute, join, relative, resolve } from "node:path";

export type ToolName =
  | "loadgen"
  | "k6"
  | "prometheus"
  | "pushgateway"
  | "kubectl"
  | "kind"
  | "istioctl"
  | "linkerd"
  | "helm"
  | "gcloud"
  | "go"
  | "ctr"
  | "docker";

export type ToolSource = "env" | "cache" | "path";

export interface ResolvedTool {
  name: ToolName;
  /** Absolute path of the executable. */
  path: string;
  source: ToolSource;
}

interface ToolEntry {
  /** The environment variable that names exactly which binary to use. */
  env: string;
  /** Executable names tried on PATH, in order. */
  pathNames: readonly string[];
  /** Arguments that make it print its version (for results.json). */
  versionArgs: readonly string[];
  /** What to do when it is missing. */
  install: string;
}

/** Every external program meshproof drives: one row each. */
export const TOOLS: Readonly<Record<ToolName, ToolEntry>> = {
  loadgen: { env: "LOADGEN_BIN", pathNames: ["meshproof-loadgen"], versionArgs: ["version"], install: "run `npm run setup` (builds it from tools/loadgen with Go >= 1.25), or set LOADGEN_BIN" },
  k6: {
    env: "K6_BIN",
    pathNames: ["k6"],
    versionArgs: ["version"],
    install: "k6 is optional and not shipped: install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or set K6_BIN, or use the built-in engine (--load-engine builtin, the default)",
  },
  prometheus: { env: "PROMETHEUS_BIN", pathNames: ["prometheus"], versionArgs: ["--version"], install: "run `npm run setup` (installs Debian's prometheus package), or set PROMETHEUS_BIN" },
  // Debian ships the Pushgateway under a prefixed name.
  pushgateway: { env: "PUSHGATEWAY_BIN", pathNames: ["pushgateway", "prometheus-pushgateway"], versionArgs: ["--version"], install: "run `npm run setup` (installs Debian's prometheus-pushgateway package), or set PUSHGATEWAY_BIN" },
  kubectl: { env: "KUBECTL_BIN", pathNames: ["kubectl"], versionArgs: ["version", "--client"], install: "install kubectl (https://kubernetes.io/docs/tasks/tools/), or set KUBECTL_BIN" },
  kind: { env: "KIND_BIN", pathNames: ["kind"], versionArgs: ["version"], install: "install kind v0.33.0 (https://kind.sigs.k8s.io/docs/user/quick-start/#installation), or set KIND_BIN, or pass --cluster host or --cluster current" },
  istioctl: { env: "ISTIOCTL_BIN", pathNames: ["istioctl"], versionArgs: ["--version"], install: "install istioctl 1.30.3 (https://istio.io/latest/docs/setup/additional-setup/download-istio-release/), or set ISTIOCTL_BIN" },
  // `linkerd version` alone also asks the cluster (and fails without a kubeconfig): the client's only.
  linkerd: { env: "LINKERD_BIN", pathNames: ["linkerd"], versionArgs: ["version", "--client", "--short"], install: "install the linkerd CLI version-2.20 (https://linkerd.io/2/getting-started/), or set LINKERD_BIN" },
  helm: { env: "HELM_BIN", pathNames: ["helm"], versionArgs: ["--version"], install: "install helm (https://helm.sh/docs/intro/install/), or set HELM_BIN" },
  gcloud: { env: "GCLOUD_BIN", pathNames: ["gcloud"], versionArgs: ["--version"], install: "install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install), or set GCLOUD_BIN" },
  go: { env: "GO_BIN", pathNames: ["go"], versionArgs: ["version"], install: "install Go >= 1.25 (https://go.dev/dl/), or set GO_BIN" },
  ctr: { env: "CTR_BIN", pathNames: ["ctr"], versionArgs: ["--version"], install: "run `npm run setup` (installs Debian's containerd, which ships ctr), or set CTR_BIN" },
  docker: { env: "DOCKER_BIN", pathNames: ["docker"], versionArgs: ["--version"], install: "install Docker and start it, or pass --cluster host, or --cluster current with images already in your registry" },
};

/** The tool a command's argv[0] names, by its name or one of its PATH names. */
export function toolNamed(argv0: string): ToolName | undefined {
  const base = argv0.split("/").pop() ?? argv0;
  return (Object.keys(TOOLS) as ToolName[]).find((name) => name === base || TOOLS[name].pathNames.includes(base));
}

/** What to install for a program a command needs, whether or not it is one of meshproof's tools. */
export function installHintFor(argv0: string): string {
  const tool = toolNamed(argv0);
  if (tool) return TOOLS[tool].install;
  if (argv0 === "tsx") return "run `npm ci` in the meshproof folder";
  return `install ${argv0} (on Debian: apt-get install the package that ships it), then run again`;
}

/** The environment's fault, not the user's input or a check: CLI exit code 4. */
export class ToolMissingError extends EnvironmentError {
  constructor(
    readonly tool: ToolName,
    /** What to do about it, e.g. "run `npm run setup`, or set K6_BIN to ...". */
    hint: string,
    problem = `${tool} was not found`,
  ) {
    super(`${problem}: ${hint}`, hint);
  }
}

/** Where `npm run setup` keeps what it builds, outside the repository so clones share it. */
export function toolsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), ".cache");
  return join(base, "meshproof", "tools");
}

export interface ToolManifestEntry {
  path: string;
  version: string;
}

/** Written by `npm run setup`: what it built or found, so later runs need not search. */
export interface ToolManifest {
  schemaVersion: 1;
  writtenAt: string;
  tools: Partial<Record<ToolName, ToolManifestEntry>>;
}

export function manifestPath(cacheDir: string): string {
  return join(cacheDir, "manifest.json");
}

/** The manifest, or undefined when setup never ran or the file is not one we wrote. */
export function readToolManifest(cacheDir: string): ToolManifest | undefined {
  let text: string;
  try {
    text = readFileSync(manifestPath(cacheDir), "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ToolManifest>;
    if (parsed.schemaVersion !== 1 || typeof parsed.tools !== "object" || parsed.tools === null) return undefined;
    return parsed as ToolManifest;
  } catch {
    return undefined;
  }
}

export interface FindToolOptions {
  env?: NodeJS.ProcessEnv;
  /** Defaults to toolsCacheDir(env). */
  cacheDir?: string;
}

/**
 * Resolve a tool or throw ToolMissingError. An environment variable naming a file that is not
 * an executable also throws: the user asked for that binary, so falling back would hide it.
 */
export function findTool(name: ToolName, options: FindToolOptions = {}): ResolvedTool {
  const found = tryFindTool(name, options);
  if (!found) throw new ToolMissingError(name, TOOLS[name].install);
  return found;
}

/** Like findTool, but undefined when the tool is nowhere (a bad env variable still throws). */
export function tryFindTool(name: ToolName, options: FindToolOptions = {}): ResolvedTool | undefined {
  const env = options.env ?? process.env;
  const variable = TOOLS[name].env;
  const explicit = env[variable];
  if (explicit) {
    const path = resolve(explicit);
    if (!isExecutableFile(path)) {
      throw new ToolMissingError(
        name,
        `point ${variable} at an executable ${name}, or unset it to search the setup cache and PATH`,
        `${variable} is set to ${explicit}, but there is no executable file there`,
      );
    }
    return { name, path, source: "env" };
  }

  const cacheDir = options.cacheDir ?? toolsCacheDir(env);
  const cached = readToolManifest(cacheDir)?.tools[name];
  // Only binaries that live inside the cache count as "from the cache"; the manifest also
  // records system-wide tools (apt's prometheus), which PATH finds under their true source.
  if (cached && isInside(cacheDir, cached.path) && isExecutableFile(cached.path)) {
    return { name, path: cached.path, source: "cache" };
  }

  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue; // a relative PATH entry would depend on the cwd
    for (const candidate of TOOLS[name].pathNames) {
      const path = join(dir, candidate);
      if (isExecutableFile(path)) return { name, path, source: "path" };
    }
  }
  return undefined;
}

/** For progress lines: "loadgen from the setup cache (/home/me/.cache/meshproof/tools/loadgen-.../loadgen)". */
export function describeTool(tool: ResolvedTool): string {
  const where =
    tool.source === "env" ? TOOLS[tool.name].env : tool.source === "cache" ? "the setup cache" : "PATH";
  return `${tool.name} from ${where} (${tool.path})`;
}

/** How to get a tool, for messages that mention it before it is needed. */
export function toolHint(name: ToolName): string {
  return TOOLS[name].install;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/**
 * The version a tool's version command printed: the first version-like word of its first line
 * ("prometheus, version 2.42.0+ds (branch: ...)" -> "2.42.0+ds", "Client Version: v1.34.4" ->
 * "v1.34.4"), else that whole line ("version-2.20"), so "using prometheus 2.42.0+ds" reads once.
 */
export function versionFromOutput(output: string): string {
  const line = output.split("\n").find((l) => l.trim())?.trim() ?? "";
  if (!line) return "unknown";
  const word = /(?:^|[\s(:,])((?:v|go)?\d+\.\d+(?:\.\d+)?(?:[-+][\w.+-]*)?)(?=$|[\s),])/.exec(line)?.[1];
  return (word ?? line).slice(0, 120);
}
