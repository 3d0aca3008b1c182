/**
 * `npm run setup`: get the tools meshproof runs on the host, idempotently.
 *
 * - meshproof's load generator, a static binary built from tools/loadgen (CGO off) into a cache
 *   outside the repository, in a folder named by a hash of the sources and the Go version, so
 *   a change to either builds afresh and an unchanged tree costs one `loadgen version`. Go's
 *   own module and build caches are left where Go keeps them, so CI can cache those too. k6 is
 *   never built: it is an optional engine users bring (K6_BIN or PATH).
 * - Prometheus and the Pushgateway from Debian's packages, when they are not already there.
 * - meshproof's TypeScript compiled into the folder scripts/launch.mjs runs the npm scripts from,
 *   when the sources changed since the last build.
 *
 * Writes <cache>/manifest.json for tool discovery (src/core/tools.ts). Exit 4, with one
 * line saying what to install, when a tool cannot be had.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { LOADGEN_VERSION } from "../src/load/loadgen.js";
import {
  findTool,
  manifestPath,
  readToolManifest,
  ToolMissingError,
  toolsCacheDir,
  tryFindTool,
  type ResolvedTool,
  type ToolManifest,
  type ToolManifestEntry,
} from "../src/core/tools.js";
import { build } from "./launch.mjs";
import { aptInstall, lastLine, runCommand } from "./setup/common.js";
import { SetupError } from "./setup/errors.js";
import { setupMeshes } from "./setup/meshes.js";
import { prefetchJobs, startPrefetch } from "./setup/prefetch.js";

export const LOADGEN_SOURCES = fileURLToPath(new URL("../tools/loadgen/", import.meta.url));
/** Part of the cache key: a change here must not reuse a binary built another way. */
const BUILD_FLAGS = ["-trimpath"];
const BUILD_ENV = { CGO_ENABLED: "0" };
const ENVIRONMENT_EXIT = 4;

/** A tool cannot be had: the message is the one line the user needs (exit 4). */
export { SetupError };

// ---------------------------------------------------------------------------------------------
// Pure helpers (unit-tested)

/** "go1.26.8" or "1.25.0" -> [1, 26, 8]; undefined for development builds. */
export function parseGoVersion(text: string): number[] | undefined {
  const match = /^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

export function versionAtLeast(have: readonly number[], need: readonly number[]): boolean {
  for (let i = 0; i < Math.max(have.length, need.length); i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** The `go` directive of a go.mod: the oldest Go that may build the module. */
export function goDirective(goMod: string): string | undefined {
  return /^go\s+(\d+\.\d+(?:\.\d+)?)\s*$/m.exec(goMod)?.[1];
}

/** Files whose content goes into the binary: go.mod, go.sum and non-test Go sources. */
export async function goSourceFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) found.push(relative(dir, path));
    }
  };
  await walk(dir);
  return found
    .filter((path) => path === "go.mod" || path === "go.sum" || (path.endsWith(".go") && !path.endsWith("_test.go")))
    .sort();
}

/** Short hash naming the build: sources, Go version and build flags. */
export async function buildCacheKey(dir: string, goVersion: string): Promise<string> {
  const hash = createHash("sha256");
  for (const path of await goSourceFiles(dir)) {
    hash.update(path).update("\0").update(await readFile(join(dir, path))).update("\0");
  }
  hash.update(`${goVersion}\0${BUILD_FLAGS.join(" ")}\0${JSON.stringify(BUILD_ENV)}`);
  return hash.digest("hex").slice(0, 12);
}

export function loadgenBuildDir(cacheDir: string, key: string): string {
  return join(cacheDir, `loadgen-${key}`);
}

// ---------------------------------------------------------------------------------------------
// Steps

type Outcome = "built" | "already there" | "installed" | "taken from LOADGEN_BIN";

interface StepResult {
  outcome: Outcome;
  entry: ToolManifestEntry;
}

/** A loadgen that runs and is this checkout's version; its version line. */
async function loadgenIdentity(path: string): Promise<string | undefined> {
  const { code, output } = await runCommand([path, "version"], { timeoutMs: 30_000 });
  if (code !== 0 || !output.includes(`meshproof loadgen ${LOADGEN_VERSION}`)) return undefined;
  return output.split("\n")[0]?.trim();
}

/** A static binary has no program interpreter: the loadgen image is this file and nothing else. */
async function isStatic(path: string): Promise<boolean> {
  const binary = await readFile(path);
  return !binary.includes("/ld-linux") && !binary.includes("/ld-musl");
}

async function ensureLoadgen(cacheDir: string): Promise<StepResult> {
  if (process.env.LOADGEN_BIN) {
    const loadgen = findTool("loadgen"); // throws, saying so, when LOADGEN_BIN names no executable
    const version = await loadgenIdentity(loadgen.path);
    if (!version) {
      throw new SetupError(`LOADGEN_BIN=${loadgen.path} is not meshproof loadgen ${LOADGEN_VERSION}: unset LOADGEN_BIN to let setup build it`);
    }
    return { outcome: "taken from LOADGEN_BIN", entry: { path: loadgen.path, version } };
  }

  const goModText = await readFile(join(LOADGEN_SOURCES, "go.mod"), "utf8");
  const needed = goDirective(goModText) ?? "1.25.0";
  const go = tryFindTool("go");
  if (!go) {
    throw new SetupError(`Go is not installed: install Go >= ${needed} (https://go.dev/dl/) to build the load generator, or set LOADGEN_BIN`);
  }
  const goVersion = await goVersionOf(go);
  const have = parseGoVersion(goVersion);
  const need = parseGoVersion(needed);
  if (have && need && !versionAtLeast(have, need)) {
    throw new SetupError(`${go.path} is ${goVersion}, but the load generator needs Go >= ${needed}: install a newer Go`);
  }

  const dir = loadgenBuildDir(cacheDir, await buildCacheKey(LOADGEN_SOURCES, goVersion));
  const binary = join(dir, "loadgen");
  if (existsSync(binary)) {
    const version = await loadgenIdentity(binary);
    if (version) return { outcome: "already there", entry: { path: binary, version } };
  }

  await mkdir(dir, { recursive: true });
  const partial = join(dir, `loadgen.partial-${process.pid}`);
  process.stderr.write(`      building with ${goVersion}\n`);
  const build = await runCommand([go.path, "build", ...BUILD_FLAGS, "-o", partial, "."], {
    cwd: LOADGEN_SOURCES,
    env: BUILD_ENV,
    echo: true,
  });
  if (build.code !== 0) {
    await rm(partial, { force: true });
    throw new SetupError(`go build of the load generator failed (${lastLine(build.output)}): check the Go module proxy is reachable`);
  }
  if (!(await isStatic(partial))) {
    await rm(partial, { force: true });
    throw new SetupError(`the load generator was not linked statically: build it with CGO_ENABLED=0`);
  }
  await rename(partial, binary); // atomic: a concurrent setup never sees half a binary
  const version = await loadgenIdentity(binary);
  if (!version) throw new SetupError(`the loadgen just built at ${binary} does not report ${LOADGEN_VERSION}`);
  return { outcome: "built", entry: { path: binary, version } };
}

async function goVersionOf(go: ResolvedTool): Promise<string> {
  const { code, output } = await runCommand([go.path, "env", "GOVERSION"], { timeoutMs: 30_000 });
  if (code !== 0) throw new SetupError(`${go.path} env GOVERSION failed (${lastLine(output)}): check the Go install`);
  return output.trim();
}

async function ensureDebianTool(tool: "prometheus" | "pushgateway", pkg: string): Promise<StepResult> {
  let found = tryFindTool(tool);
  let outcome: Outcome = "already there";
  if (!found) {
    await aptInstall([pkg], `install the Debian package ${pkg} (sudo apt-get install ${pkg}), or set ${tool === "prometheus" ? "PROMETHEUS_BIN" : "PUSHGATEWAY_BIN"}`);
    found = tryFindTool(tool);
    if (!found) throw new SetupError(`${pkg} was installed but no ${tool} executable is on PATH: set ${tool === "prometheus" ? "PROMETHEUS_BIN" : "PUSHGATEWAY_BIN"}`);
    outcome = "installed";
  }
  const { output } = await runCommand([found.path, "--version"], { timeoutMs: 30_000 });
  const version = /version (\S+)/.exec(output)?.[1] ?? "unknown";
  return { outcome, entry: { path: found.path, version } };
}

// ---------------------------------------------------------------------------------------------

export async function setup(): Promise<void> {
  const cacheDir = toolsCacheDir();
  await mkdir(cacheDir, { recursive: true });
  console.log(`meshproof setup: tools cache ${cacheDir}`);

  const steps: Array<{ name: "loadgen" | "prometheus" | "pushgateway"; title: string; action: () => Promise<StepResult> }> = [
    { name: "loadgen", title: `meshproof loadgen ${LOADGEN_VERSION} (tools/loadgen)`, action: () => ensureLoadgen(cacheDir) },
    { name: "prometheus", title: "Prometheus", action: () => ensureDebianTool("prometheus", "prometheus") },
    {
      name: "pushgateway",
      title: "Prometheus Pushgateway",
      action: () => ensureDebianTool("pushgateway", "prometheus-pushgateway"),
    },
  ];

  // The later Go builds' modules download while the steps before them run (scripts/setup/prefetch.ts).
  const go = tryFindTool("go")?.path;
  const { hostClusterSkipped } = await import("./setup/host-cluster.js");
  const prefetch = go ? startPrefetch(go, prefetchJobs({ hostCluster: !hostClusterSkipped() })) : undefined;

  try {
    const tools: ToolManifest["tools"] = { ...readToolManifest(cacheDir)?.tools };
    // Setup never provides k6 (users bring it); an entry left by an older setup must not be used.
    delete tools.k6;
    for (const [index, step] of steps.entries()) {
      const label = `[${index + 1}/${steps.length}] ${step.title}`;
      console.log(`${label} ...`);
      const started = performance.now();
      const { outcome, entry } = await step.action();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`${label}: ${outcome} in ${seconds} s (${entry.path}, ${entry.version})`);
      tools[step.name] = entry;
    }

    await (await import("./setup/host-cluster.js")).setupHostCluster(cacheDir, tools, go);
    Object.assign(tools, await setupMeshes(cacheDir)); // the host cluster's Istio and Linkerd (scripts/setup/)
    if (prefetch) console.log(await prefetch.done);
    for (const m of [await import("./setup/chromium.js"), await import("./setup/actionlint.js")]) await m.ensure(cacheDir); // report test browser, workflow lint
    const manifest: ToolManifest = { schemaVersion: 1, writtenAt: new Date().toISOString(), tools };
    await writeFile(manifestPath(cacheDir), JSON.stringify(manifest, null, 2) + "\n");
    console.log(`manifest: ${manifestPath(cacheDir)}`);

    await (await import("./setup/images.js")).setupImages(); // the host cluster's images, each timed, cached by content

    // The npm scripts start from compiled JavaScript (scripts/launch.mjs): a second or more sooner
    // than compiling TypeScript on every call. The planner below still runs from the sources, and
    // its cache is keyed by them, so the compiled runs find what it fills.
    const compileStarted = performance.now();
    const built = await build(undefined, { ifStale: true });
    console.log(`[build] compiled TypeScript: ${built.skipped ? "already there" : `built (${built.files} files)`} in ${((performance.now() - compileStarted) / 1000).toFixed(1)} s (${built.outDir})`);

    // The exact sample-size plans are pure but take seconds to compute: planning the nightly
    // suite once here keeps every later --dry-run (and the start of every run) fast.
    const started = performance.now();
    const { planRun } = await import("../src/cli/run.js");
    const { parseRunOptions } = await import("../src/cli/options.js");
    await planRun("suite", "nightly", parseRunOptions({ mesh: "both", dryRun: true }), "setup", join(cacheDir, "..", "setup-plan"));
    console.log(`statistical plans for the nightly suite: ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    prefetch?.stop(); // a failed step exits setup: no download is left running behind it
  }
}

async function main(): Promise<void> {
  try {
    await setup();
  } catch (error) {
    if (error instanceof SetupError || error instanceof ToolMissingError) {
      console.error(`setup failed: ${error.message}`);
      process.exit(ENVIRONMENT_EXIT);
    }
    console.error(error);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
