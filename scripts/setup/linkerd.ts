/**
 * Linkerd built from source, for the host cluster (src/mesh/linkerd/from-binaries.ts): the six
 * binaries from a folder or a .tar.gz named by MESHPROOF_LINKERD_BINARIES, or by default the
 * archive in the `shared` folder beside the repository. Each is checked against its pinned
 * sha256, then copied into a versioned folder of the tools cache; the CLI is recorded as
 * `linkerd`. Without the variable and without the default archive there is nothing to do: a
 * machine with registry access installs the official CLI and images instead.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { BUILT_FROM_SOURCE_VARIANT, LINKERD_BINARIES_ENV, LINKERD_BINARY_SHA256, LINKERD_SOURCE_VERSION } from "../../src/mesh/linkerd/built-from-source.js";
import type { ToolManifestEntry } from "../../src/core/tools.js";
import { lastLine, report, runCommand, setupFailure, sha256File } from "./common.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ARCHIVE_NAME = "linkerd-2.20-linux-amd64.tar.gz";

/**
 * Where CI and the project's machines keep the archive: ../shared relative to the repository,
 * or, in a linked git worktree, relative to the main worktree (its .git file says where).
 */
export function defaultArchiveCandidates(repoRoot: string = REPO_ROOT): string[] {
  const candidates = [join(repoRoot, "..", "shared", ARCHIVE_NAME)];
  try {
    const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(join(repoRoot, ".git"), "utf8"))?.[1]?.trim();
    const main = gitdir ? /^(.*)\/\.git\/worktrees\/[^/]+$/.exec(gitdir)?.[1] : undefined;
    if (main) candidates.push(join(main, "..", "shared", ARCHIVE_NAME));
  } catch {
    // .git is a folder (an ordinary clone) or absent (an exported tree): the first candidate only
  }
  return candidates;
}
export const DEFAULT_LINKERD_ARCHIVE = defaultArchiveCandidates()[0] ?? "";
const QUICK_MS = 60_000;

export type BinarySource = { kind: "folder" | "archive"; path: string; from: "env" | "default" };

/** Where the binaries come from, or undefined when nothing names them and the default is absent. */
export function linkerdBinarySource(env: NodeJS.ProcessEnv = process.env, defaults: string[] = defaultArchiveCandidates()): BinarySource | undefined {
  const named = env[LINKERD_BINARIES_ENV];
  if (named) {
    const path = isAbsolute(named) ? named : resolve(named);
    if (!existsSync(path)) {
      throw setupFailure("linkerd", `${LINKERD_BINARIES_ENV}=${named} does not exist`, `point it at a folder or a .tar.gz holding ${Object.keys(LINKERD_BINARY_SHA256).join(", ")}, or unset it`);
    }
    return { kind: statSync(path).isDirectory() ? "folder" : "archive", path, from: "env" };
  }
  const found = defaults.find((path) => existsSync(path));
  return found ? { kind: "archive", path: found, from: "default" } : undefined;
}

/** Every expected binary present with its pinned checksum; the list of problems otherwise. */
export async function verifyLinkerdBinaries(dir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(LINKERD_BINARY_SHA256)) {
    const path = join(dir, name);
    if (!existsSync(path)) {
      problems.push(`${name} is missing`);
      continue;
    }
    const actual = await sha256File(path);
    if (actual !== expected) problems.push(`${name} has sha256 ${actual}, expected ${expected}`);
  }
  return problems;
}

/** The folder name: the version and a hash of the pinned checksums, so a new set never reuses an old one. */
export function linkerdCacheDir(cacheDir: string): string {
  const key = createHash("sha256").update(JSON.stringify(LINKERD_BINARY_SHA256)).digest("hex").slice(0, 12);
  return join(cacheDir, `linkerd-${LINKERD_SOURCE_VERSION}-${key}`);
}

async function cliVersion(path: string): Promise<string | undefined> {
  const { code, output } = await runCommand([path, "version", "--client", "--short"], { timeoutMs: QUICK_MS });
  return code === 0 && output.trim() === LINKERD_SOURCE_VERSION ? output.trim() : undefined;
}

export async function ensureLinkerdBinaries(cacheDir: string, source: BinarySource): Promise<{ outcome: string; dir: string; entry: ToolManifestEntry }> {
  const dir = linkerdCacheDir(cacheDir);
  const entry = { path: join(dir, "linkerd"), version: LINKERD_SOURCE_VERSION };
  if (existsSync(join(dir, "build.json")) && (await verifyLinkerdBinaries(dir)).length === 0 && (await cliVersion(entry.path))) {
    return { outcome: "already there", dir, entry };
  }
  const scratch = await mkdtemp(join(tmpdir(), "meshproof-linkerd-"));
  const partial = `${dir}.partial-${process.pid}`;
  const hint = `set ${LINKERD_BINARIES_ENV} to a folder or .tar.gz with the Linkerd version-2.20 binaries listed in src/mesh/linkerd/from-binaries.ts`;
  try {
    let from = source.path;
    if (source.kind === "archive") {
      const untar = await runCommand(["tar", "-xzf", source.path, "-C", scratch], { timeoutMs: 5 * QUICK_MS });
      if (untar.code !== 0) throw setupFailure("linkerd", `cannot unpack ${source.path} (${lastLine(untar.output)})`, hint);
      from = scratch;
    }
    const problems = await verifyLinkerdBinaries(from);
    if (problems.length > 0) throw setupFailure("linkerd", `the Linkerd binaries in ${source.path} are not the pinned build: ${problems.join("; ")}`, hint);

    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    for (const name of Object.keys(LINKERD_BINARY_SHA256)) {
      await copyFile(join(from, name), join(partial, name));
      await chmod(join(partial, name), 0o755);
    }
    // The CLI under the name every plan runs it by; `cli` stays, so the checksums still hold.
    await symlink("cli", join(partial, "linkerd"));
    const version = await cliVersion(join(partial, "linkerd"));
    if (!version) throw setupFailure("linkerd", `the Linkerd CLI from ${source.path} does not report ${LINKERD_SOURCE_VERSION}`, hint);
    const files = Object.fromEntries(Object.entries(LINKERD_BINARY_SHA256).map(([name, sha256]) => [name, { sha256 }]));
    await writeFile(
      join(partial, "build.json"),
      JSON.stringify({ variant: BUILT_FROM_SOURCE_VARIANT.name, version, source: BUILT_FROM_SOURCE_VARIANT.provenance, files, builtAt: new Date().toISOString() }, null, 2) + "\n",
    );
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return { outcome: `unpacked from ${source.kind === "archive" ? "the archive" : "the folder"}`, dir, entry };
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(partial, { recursive: true, force: true });
  }
}

/** Setup's Linkerd step: the CLI entry, or nothing when no binaries are at hand. */
export async function setupLinkerd(cacheDir: string): Promise<{ linkerd?: ToolManifestEntry; dir?: string }> {
  const started = performance.now();
  const source = linkerdBinarySource();
  if (!source) {
    console.log(`[linkerd] Linkerd from source: skipped (no ${LINKERD_BINARIES_ENV} and no ${DEFAULT_LINKERD_ARCHIVE}; the official CLI and images serve machines with registry access)`);
    return {};
  }
  console.log(`[linkerd] Linkerd ${LINKERD_SOURCE_VERSION} built from source, from ${source.path} ...`);
  const linkerd = await ensureLinkerdBinaries(cacheDir, source);
  report("[linkerd] Linkerd", linkerd.outcome, started, `${linkerd.dir}, ${linkerd.entry.version}`);
  return { linkerd: linkerd.entry, dir: linkerd.dir };
}
