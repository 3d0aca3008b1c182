/**
 * A Debian base tree from `debootstrap --variant=minbase`, for images that need a distribution
 * (iptables, a shell, users): built once per suite and package list, then cached. The mirror is
 * the one apt on this host already uses, so the base comes from wherever the host's packages come.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KeyBuilder } from "./cache.js";
import type { LayerSource } from "./oci.js";
import { runChecked } from "./run.js";

export const DEBIAN_SUITE = "bookworm";
export const DEFAULT_DEBIAN_MIRROR = "http://deb.debian.org/debian";
/** Bump when the way the base is made changes, so old trees are not reused. */
const BASE_RECIPE = "1";
const DEBOOTSTRAP_TIMEOUT_MS = 20 * 60_000;
/** Not part of an image: device nodes (the runtime makes /dev), apt's package lists and downloads. */
export const BASE_EXCLUDES = ["dev/*", "proc/*", "sys/*", "run/*", "tmp/*", "var/cache/apt/*", "var/lib/apt/lists/*", "var/log/*"];

export interface DebianBase {
  rootfs: string;
  /** Content key of the tree: the suite, package list and recipe. */
  key: string;
  /** The tree as an image's first layer. */
  layer: LayerSource;
}

/**
 * The Debian mirror apt uses for `suite`, from /etc/apt/sources.list and sources.list.d
 * (one-line and deb822 formats); undefined when none names it.
 */
export function mirrorFromSources(files: ReadonlyArray<{ name: string; text: string }>, suite = DEBIAN_SUITE): string | undefined {
  for (const { name, text } of files) {
    if (name.endsWith(".sources")) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const fields = new Map<string, string>();
        for (const line of stanza.split("\n")) {
          if (line.trimStart().startsWith("#")) continue;
          const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
          if (match) fields.set(match[1]!.toLowerCase(), match[2]!.trim());
        }
        const types = (fields.get("types") ?? "").split(/\s+/);
        const suites = (fields.get("suites") ?? "").split(/\s+/);
        const enabled = (fields.get("enabled") ?? "yes").toLowerCase() !== "no";
        const uri = (fields.get("uris") ?? "").split(/\s+/)[0];
        if (enabled && types.includes("deb") && suites.includes(suite) && uri) return uri;
      }
    } else if (name.endsWith(".list")) {
      for (const raw of text.split("\n")) {
        const line = raw.replace(/#.*/, "").trim();
        const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
        if (match && match[2] === suite) return match[1];
      }
    }
  }
  return undefined;
}

/** The mirror of this host's apt configuration, or Debian's own redirector. */
export async function aptMirror(root = "/etc/apt"): Promise<string> {
  const files: Array<{ name: string; text: string }> = [];
  const read = async (path: string, name: string) => {
    try {
      files.push({ name, text: await readFile(path, "utf8") });
    } catch {
      // absent: nothing to learn from it
    }
  };
  await read(join(root, "sources.list"), "sources.list");
  let names: string[] = [];
  try {
    names = (await readdir(join(root, "sources.list.d"))).sort();
  } catch {
    names = [];
  }
  for (const name of names) await read(join(root, "sources.list.d", name), name);
  return mirrorFromSources(files) ?? DEFAULT_DEBIAN_MIRROR;
}

export function debianBaseKey(include: readonly string[]): string {
  return new KeyBuilder()
    .add("recipe", BASE_RECIPE)
    .add("suite", DEBIAN_SUITE)
    .add("variant", "minbase")
    .add("include", [...include].sort().join(","))
    .add("excludes", BASE_EXCLUDES.join(","))
    .digest(12);
}

export function debootstrapArgv(target: string, mirror: string, include: readonly string[]): string[] {
  return [
    "debootstrap",
    "--variant=minbase",
    ...(include.length ? [`--include=${[...include].sort().join(",")}`] : []),
    DEBIAN_SUITE,
    target,
    mirror,
  ];
}

export function debianBaseDir(cacheDir: string, include: readonly string[]): string {
  return join(cacheDir, `debian-${DEBIAN_SUITE}-minbase-${debianBaseKey(include)}`);
}

/** The cached base tree, made by debootstrap the first time (about a minute). */
export async function ensureDebianBase(cacheDir: string, include: readonly string[] = []): Promise<DebianBase & { built: boolean }> {
  const dir = debianBaseDir(cacheDir, include);
  const rootfs = join(dir, "rootfs");
  const done = join(dir, "complete");
  const key = debianBaseKey(include);
  const base = { rootfs, key, layer: baseLayer(dir, rootfs, key) };
  if (existsSync(done)) return { ...base, built: false };

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const partial = join(dir, "rootfs.partial");
  const mirror = await aptMirror();
  await runChecked(debootstrapArgv(partial, mirror, include), {
    what: `debootstrap of Debian ${DEBIAN_SUITE} from ${mirror}`,
    timeoutMs: DEBOOTSTRAP_TIMEOUT_MS,
  });
  await rename(partial, rootfs);
  await writeFile(done, `${new Date().toISOString()} ${mirror}\n`);
  return { ...base, built: true };
}

function baseLayer(dir: string, rootfs: string, key: string): LayerSource {
  return {
    kind: "rootfs",
    dir: rootfs,
    exclude: BASE_EXCLUDES,
    description: `debootstrap --variant=minbase ${DEBIAN_SUITE} (${key})`,
    packedCache: join(dir, "layer.tar.gz"),
  };
}
