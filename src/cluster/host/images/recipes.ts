/**
 * The images the host cluster runs, as recipes: a tag computed cheaply from the sources (so a
 * dry-run and a manifest can name the image without building it), and a build that turns the
 * inputs into an ImageSpec. Every image is called meshproof.local/<name>:<tag>: a reference
 * with a registry host part that no one serves, so containerd and kubelet never mistake it for
 * Docker Hub (a bare `meshproof/x` would mean docker.io/meshproof/x, a real namespace someone
 * could own); with `imagePullPolicy: IfNotPresent` and the image imported, neither ever tries
 * to pull it.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { REPO_ROOT } from "../../../core/repo.js";
import { findTool } from "../../../core/tools.js";
import { archivePath, KeyBuilder } from "./cache.js";
import { debianBaseKey, ensureDebianBase } from "./debian.js";
import { writeOciArchive, type FileEntry, type ImageConfig, type ImageSpec, type LayerSource } from "./oci.js";
import { ImageBuildError, runChecked } from "./run.js";

/** Registry host part of every local image (see the header for why). */
export const LOCAL_REGISTRY = "meshproof.local";
export const PAUSE_IMAGE = `${LOCAL_REGISTRY}/pause`;
export const LLM_SIM_IMAGE = `${LOCAL_REGISTRY}/llm-sim`;
export const LOADGEN_IMAGE = `${LOCAL_REGISTRY}/loadgen`;
export const PROMETHEUS_IMAGE = `${LOCAL_REGISTRY}/prometheus`;

export const PAUSE_SOURCES = join(REPO_ROOT, "tools", "pause");
export const LLM_SIM_SOURCES = join(REPO_ROOT, "fixtures", "llm-sim");
/** Part of every tag: a change to how recipes build must not reuse an archive built the old way. */
const RECIPE_VERSION = "1";
const GO_BUILD_TIMEOUT_MS = 10 * 60_000;
/** uid/gid of Kubernetes' own pause image, which needs no privilege. */
const PAUSE_USER = "65535:65535";
const SIM_USER = "1000:1000";
const SIM_PORT = 8000;

export interface BuildContext {
  /** The images cache (imagesCacheDir()). */
  cacheDir: string;
  /** Scratch space for this build, removed afterwards. */
  workDir: string;
}

export interface ImageRecipe {
  /** Short name: the last part of the reference and of the archive's file name. */
  name: string;
  /** Full reference without the tag, e.g. meshproof.local/pause. */
  repository: string;
  /** Content key of the inputs, computed without building anything. */
  tag(): Promise<string>;
  /** Make the image's layers and config (may compile or bundle). */
  spec(ref: string, ctx: BuildContext): Promise<ImageSpec>;
  /** Environment the standalone build script needs for this recipe (LOADGEN_BIN). */
  buildEnv?: Record<string, string>;
}

export async function imageRef(recipe: ImageRecipe): Promise<string> {
  return `${recipe.repository}:${await recipe.tag()}`;
}

// ---------------------------------------------------------------------------------------------
// pause

/** The pause program's Go sources (go.mod and every non-test .go file), sorted. */
async function goSources(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names.filter((name) => name === "go.mod" || name === "go.sum" || (name.endsWith(".go") && !name.endsWith("_test.go"))).sort();
}

async function sourcesKey(dir: string, names: readonly string[], key: KeyBuilder): Promise<KeyBuilder> {
  for (const name of names) await key.addFile(name, join(dir, name));
  return key;
}

export function pauseBinaryPath(cacheDir: string, tag: string): string {
  return join(cacheDir, "bin", `pause-${tag}`);
}

/** Flags of the pause build, part of its tag: static, no paths or build id in the binary. */
const PAUSE_BUILD = { env: { CGO_ENABLED: "0" }, flags: ["-trimpath", "-ldflags=-s -w -buildid="] };

export const pauseRecipe: ImageRecipe = {
  name: "pause",
  repository: PAUSE_IMAGE,
  async tag() {
    const key = new KeyBuilder().add("recipe", RECIPE_VERSION).add("build", JSON.stringify(PAUSE_BUILD));
    return (await sourcesKey(PAUSE_SOURCES, await goSources(PAUSE_SOURCES), key)).digest(12);
  },
  async spec(ref, ctx) {
    const binary = await ensurePauseBinary(ctx.cacheDir);
    return {
      ref,
      layers: [{ kind: "files", description: "pause (tools/pause, static Go)", entries: [{ path: "/pause", from: binary, mode: 0o755 }] }],
      config: { entrypoint: ["/pause"], user: PAUSE_USER, labels: { "org.opencontainers.image.title": "meshproof pause" } },
    };
  },
};

/** The static pause binary, built by Go once per source tag (well under a second warm). */
export async function ensurePauseBinary(cacheDir: string): Promise<string> {
  const tag = await pauseRecipe.tag();
  const binary = pauseBinaryPath(cacheDir, tag);
  if (existsSync(binary)) return binary;
  await mkdir(join(cacheDir, "bin"), { recursive: true });
  const go = findTool("go");
  const partial = `${binary}.partial-${process.pid}`;
  try {
    await runChecked([go.path, "build", "-C", PAUSE_SOURCES, ...PAUSE_BUILD.flags, "-o", partial, "."], {
      what: "building the pause binary (tools/pause)",
      timeoutMs: GO_BUILD_TIMEOUT_MS,
      env: PAUSE_BUILD.env,
    });
    await rename(partial, binary);
  } finally {
    await rm(partial, { force: true });
  }
  return binary;
}

// ---------------------------------------------------------------------------------------------
// static binaries (loadgen, and any other single static program)

/** True when the ELF file at `path` has no program interpreter, i.e. needs no dynamic loader. */
export async function isStaticElf(path: string): Promise<boolean> {
  const file = await open(path, "r");
  try {
    const header = Buffer.alloc(64);
    await file.read(header, 0, 64, 0);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) return false; // ELF64 little-endian only
    const phoff = Number(header.readBigUInt64LE(32));
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const table = Buffer.alloc(phentsize * phnum);
    await file.read(table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) {
      if (table.readUInt32LE(i * phentsize) === 3) return false; // PT_INTERP
    }
    return true;
  } finally {
    await file.close();
  }
}

/**
 * An image of one static binary at /<name>, with /tmp, kept alive by /pause: a pod runs it
 * idle and the harness execs the binary in it (`kubectl exec ... -- /loadgen ...`), so the load
 * generator's own exit never restarts the pod.
 */
export function staticBinaryRecipe(opts: { name: string; repository: string; binary: string; config?: ImageConfig }): ImageRecipe {
  const inImage = `/${opts.name}`;
  return {
    name: opts.name,
    repository: opts.repository,
    async tag() {
      if (!existsSync(opts.binary)) throw new ImageBuildError(`${opts.name} binary ${opts.binary} does not exist: build it first`);
      const key = new KeyBuilder().add("recipe", RECIPE_VERSION).add("pause", await pauseRecipe.tag());
      await key.addFile("binary", opts.binary);
      return key.add("config", JSON.stringify(opts.config ?? {})).digest(12);
    },
    async spec(ref, ctx) {
      if (!(await isStaticElf(opts.binary))) {
        throw new ImageBuildError(`${opts.binary} is not a static x86-64 binary: build it with CGO_ENABLED=0`);
      }
      const pause = await ensurePauseBinary(ctx.cacheDir);
      return {
        ref,
        layers: [
          {
            kind: "files",
            description: `${opts.name} (${basename(opts.binary)}) and pause`,
            entries: [
              { path: inImage, from: opts.binary, mode: 0o755 },
              { path: "/pause", from: pause, mode: 0o755 },
              { path: "/tmp", directory: true, mode: 0o1777 },
            ],
          },
        ],
        config: { entrypoint: ["/pause"], user: PAUSE_USER, workingDir: "/tmp", ...opts.config },
      };
    },
  };
}

/** The loadgen image: the static Go load generator at /loadgen (findTool("loadgen") finds it). */
export function loadgenRecipe(binary: string): ImageRecipe {
  return { ...staticBinaryRecipe({ name: "loadgen", repository: LOADGEN_IMAGE, binary }), buildEnv: { LOADGEN_BIN: binary } };
}

// ---------------------------------------------------------------------------------------------
// Debian-based images (istio pilot/proxyv2, linkerd, ...)

export interface DebianImageOptions {
  name: string;
  /** Defaults to meshproof.local/<name>. */
  repository?: string;
  /** Extra Debian packages debootstrap installs into the base (iptables, ...); one base per list. */
  include?: string[];
  /** Files on top of the base (binaries, templates, configuration). */
  files: FileEntry[];
  /** Users added to the base's /etc/passwd and /etc/group (each with a group of the same name and id). */
  users?: Array<{ name: string; uid: number; home?: string }>;
  config: ImageConfig;
}

/** A recipe for the base + files + config shape the mesh images share. */
export function debianImageRecipe(opts: DebianImageOptions): ImageRecipe {
  const include = opts.include ?? [];
  return {
    name: opts.name,
    repository: opts.repository ?? `${LOCAL_REGISTRY}/${opts.name}`,
    async tag() {
      const key = new KeyBuilder().add("recipe", RECIPE_VERSION).add("base", debianBaseKey(include));
      await addEntriesToKey(key, opts.files);
      return key.add("users", JSON.stringify(opts.users ?? [])).add("config", JSON.stringify(opts.config)).digest(12);
    },
    async spec(ref, ctx) {
      const base = await ensureDebianBase(ctx.cacheDir, include);
      const layers: LayerSource[] = [base.layer];
      const files = [...opts.files, ...(await userFiles(base.rootfs, opts.users ?? []))];
      if (files.length) layers.push({ kind: "files", description: `${opts.name} files`, entries: files });
      return { ref, layers, config: opts.config };
    },
  };
}

/** The base's /etc/passwd and /etc/group with `users` appended (nothing when there are none). */
async function userFiles(rootfs: string, users: NonNullable<DebianImageOptions["users"]>): Promise<FileEntry[]> {
  if (!users.length) return [];
  const passwd = await readFile(join(rootfs, "etc", "passwd"), "utf8");
  const group = await readFile(join(rootfs, "etc", "group"), "utf8");
  const withNewline = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);
  return [
    { path: "/etc/passwd", content: withNewline(passwd) + users.map((u) => `${u.name}:x:${u.uid}:${u.uid}::${u.home ?? "/nonexistent"}:/usr/sbin/nologin\n`).join(""), mode: 0o644 },
    { path: "/etc/group", content: withNewline(group) + users.map((u) => `${u.name}:x:${u.uid}:\n`).join(""), mode: 0o644 },
  ];
}

async function addEntriesToKey(key: KeyBuilder, entries: readonly FileEntry[]): Promise<void> {
  for (const entry of entries) {
    const { path, ...rest } = entry;
    key.add("path", path);
    if ("from" in entry) await key.addFile("from", entry.from);
    if ("content" in entry) key.add("content", entry.content);
    const meta = Object.fromEntries(Object.entries(rest).filter(([name]) => name !== "from" && name !== "content"));
    key.add("meta", JSON.stringify(meta));
  }
}

// ---------------------------------------------------------------------------------------------
// llm-sim

/** The sim's sources and lockfile: what its bundle is made of. */
async function simSourceNames(): Promise<string[]> {
  const src = (await readdir(join(LLM_SIM_SOURCES, "src"))).filter((name) => name.endsWith(".ts")).map((name) => `src/${name}`);
  return [...src, "package.json", "package-lock.json"].sort();
}

/**
 * The dynamic libraries an executable loads, from `ldd`: the absolute paths after "=>" and the
 * loader itself (its path is written into the binary, so it must exist at that exact place).
 */
export function parseLdd(output: string): string[] {
  const found = new Set<string>();
  for (const line of output.split("\n")) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    if (arrow) found.add(arrow[1]!);
    else {
      const loader = /^\s*(\/\S+)\s+\(0x/.exec(line);
      if (loader) found.add(loader[1]!);
    }
  }
  return [...found].sort();
}

/**
 * Host executables at their paths in the image, with every library `ldd` says they load at the
 * same path as on the host (the loader's path is written into each binary): a distribution-free
 * image of programs this host already runs.
 */
export async function hostBinaryEntries(binaries: ReadonlyArray<{ from: string; path: string }>): Promise<FileEntry[]> {
  const libraries = new Set<string>();
  for (const { from } of binaries) {
    if (await isStaticElf(from)) continue;
    const found = parseLdd(await runChecked(["ldd", from], { what: `listing the libraries of ${from}`, timeoutMs: 30_000 }));
    if (!found.some((path) => path.includes("ld-linux"))) {
      throw new ImageBuildError(`ldd ${from} named no dynamic loader: cannot tell which libraries it needs`);
    }
    for (const path of found) libraries.add(path);
  }
  const inImage = new Set(binaries.map((binary) => binary.path));
  return [
    ...binaries.map(({ from, path }) => ({ path, from, mode: 0o755 })),
    ...[...libraries].filter((path) => !inImage.has(path)).sort().map((path) => ({ path, from: path, mode: 0o755 })),
  ];
}

/** One JavaScript file of the sim and its packages (prom-client, zod), built by esbuild. */
async function bundleSim(outFile: string): Promise<void> {
  // esbuild comes with tsx (a dependency); loaded only when an image is built.
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [join(LLM_SIM_SOURCES, "src", "main.ts")],
    outfile: outFile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "silent",
    legalComments: "eof",
    // The CommonJS packages in the bundle (prom-client) call require() for Node's own modules,
    // which an ES module bundle only has when it makes one.
    banner: { js: 'import { createRequire as __meshproofRequire } from "node:module"; const require = __meshproofRequire(import.meta.url);' },
  });
}

/**
 * The llm-sim image: this host's node binary and the libraries it links (no distribution),
 * the sim bundled into /app/llm-sim.mjs, listening on 0.0.0.0:8000 as uid 1000. Settings come
 * as LLMSIM_* variables (the stack sets them); pod args add to the entrypoint's flags, as with
 * fixtures/llm-sim/Dockerfile.
 */
export const llmSimRecipe: ImageRecipe = {
  name: "llm-sim",
  repository: LLM_SIM_IMAGE,
  async tag() {
    const key = new KeyBuilder().add("recipe", RECIPE_VERSION).add("node", process.version);
    return (await sourcesKey(LLM_SIM_SOURCES, await simSourceNames(), key)).digest(12);
  },
  async spec(ref, ctx) {
    const bundle = join(ctx.workDir, "llm-sim.mjs");
    await bundleSim(bundle);
    const node = process.execPath;
    await chmod(bundle, 0o644);
    return {
      ref,
      layers: [
        {
          kind: "files",
          description: `node ${process.version} and the libraries it links`,
          entries: [
            ...(await hostBinaryEntries([{ from: node, path: "/usr/local/bin/node" }])),
            { path: "/etc/passwd", content: "root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000:llm-sim:/app:/usr/sbin/nologin\n" },
            { path: "/etc/group", content: "root:x:0:\nnode:x:1000:\n" },
            { path: "/tmp", directory: true, mode: 0o1777 },
          ],
        },
        { kind: "files", description: "llm-sim bundle", entries: [{ path: "/app/llm-sim.mjs", from: bundle, mode: 0o644 }] },
      ],
      config: {
        entrypoint: ["/usr/local/bin/node", "/app/llm-sim.mjs", "--host", "0.0.0.0"],
        cmd: [],
        env: { NODE_ENV: "production", LLMSIM_PORT: String(SIM_PORT), PATH: "/usr/local/bin:/usr/bin:/bin" },
        user: SIM_USER,
        workingDir: "/app",
        exposedPorts: [SIM_PORT],
        labels: { "org.opencontainers.image.title": "meshproof llm-sim" },
      },
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Prometheus

/** The stack's in-cluster Prometheus (src/stack/monitoring.ts) reads its config here. */
const PROMETHEUS_CONFIG = "/etc/prometheus/prometheus.yml";
const PROMETHEUS_PORT = 9090;
const NOBODY = "65534:65534";

/**
 * The in-cluster Prometheus from this host's Prometheus binary (Debian's, which links only libc)
 * and its libraries, as the upstream image lays it out: /bin/prometheus as entrypoint, run as
 * nobody, TSDB in /prometheus, configuration in /etc/prometheus (a ConfigMap in the pod).
 */
export function prometheusRecipe(binary: string): ImageRecipe {
  return {
    name: "prometheus",
    repository: PROMETHEUS_IMAGE,
    async tag() {
      if (!existsSync(binary)) throw new ImageBuildError(`Prometheus binary ${binary} does not exist: run \`npm run setup\``);
      const key = new KeyBuilder().add("recipe", RECIPE_VERSION);
      return (await key.addFile("binary", binary)).digest(12);
    },
    async spec(ref) {
      return {
        ref,
        layers: [
          {
            kind: "files",
            description: `prometheus (${binary}) and the libraries it links`,
            entries: [
              ...(await hostBinaryEntries([{ from: binary, path: "/bin/prometheus" }])),
              { path: "/etc/passwd", content: "root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" },
              { path: "/etc/group", content: "root:x:0:\nnogroup:x:65534:\n" },
              { path: "/etc/prometheus", directory: true },
              // Writable by whichever uid the pod runs it as; an emptyDir usually covers it.
              { path: "/prometheus", directory: true, mode: 0o777 },
              { path: "/tmp", directory: true, mode: 0o1777 },
            ],
          },
        ],
        config: {
          entrypoint: ["/bin/prometheus"],
          cmd: [`--config.file=${PROMETHEUS_CONFIG}`, "--storage.tsdb.path=/prometheus"],
          user: NOBODY,
          workingDir: "/prometheus",
          exposedPorts: [PROMETHEUS_PORT],
          labels: { "org.opencontainers.image.title": "meshproof prometheus" },
        },
      };
    },
  };
}

/**
 * The images every host cluster loads, pause first (containerd needs it as sandbox_image before
 * any pod starts); loadgen and Prometheus when their binaries are given.
 */
export function hostImageRecipes(opts: { loadgenBinary?: string; prometheusBinary?: string } = {}): ImageRecipe[] {
  return [
    pauseRecipe,
    llmSimRecipe,
    ...(opts.loadgenBinary ? [loadgenRecipe(opts.loadgenBinary)] : []),
    ...(opts.prometheusBinary ? [prometheusRecipe(opts.prometheusBinary)] : []),
  ];
}

// ---------------------------------------------------------------------------------------------
// building with the cache

export interface EnsuredImage {
  name: string;
  ref: string;
  archive: string;
  /** False when the archive was already in the cache. */
  built: boolean;
  bytes: number;
  seconds: number;
}

/** The image's archive in the cache, built first when it is not there. */
export async function ensureImage(recipe: ImageRecipe, cacheDir: string): Promise<EnsuredImage> {
  const started = performance.now();
  const tag = await recipe.tag();
  const ref = `${recipe.repository}:${tag}`;
  const archive = archivePath(cacheDir, recipe.name, tag);
  const seconds = () => (performance.now() - started) / 1000;
  if (existsSync(archive)) {
    return { name: recipe.name, ref, archive, built: false, bytes: (await stat(archive)).size, seconds: seconds() };
  }
  const scratch = join(cacheDir, "scratch");
  await mkdir(scratch, { recursive: true });
  const workDir = await mkdtemp(join(scratch, `${recipe.name}-`));
  try {
    const spec = await recipe.spec(ref, { cacheDir, workDir });
    const written = await writeOciArchive(spec, archive, workDir);
    return { name: recipe.name, ref, archive, built: true, bytes: written.bytes, seconds: seconds() };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
