/**
 * OCI image archives written without a registry, a daemon or a base-image pull: each layer is a
 * GNU tar made deterministic (names sorted, every mtime 0, numeric owners), gzipped by Node
 * (whose gzip header carries no name and no time), and the config, manifest, index.json and
 * oci-layout around it are a few lines of JSON. The same inputs give the same bytes, so an
 * archive can be cached by a key of its inputs and its digest means something.
 *
 * Why not umoci (Debian 0.4.7), the obvious tool: it stores each file's mtime from disk, so the
 * layer digest changes whenever an input is touched, and it leaves superseded blobs behind until
 * `umoci gc`; making it deterministic would need the same staging this module does anyway.
 *
 * The archive is what `ctr -n k8s.io images import` reads (image-spec v1.1 image layout); the
 * image name travels in the index entry's `io.containerd.image.name` annotation, its tag also
 * in `org.opencontainers.image.ref.name`.
 * Format: https://github.com/opencontainers/image-spec/blob/v1.1.0/image-layout.md
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, copyFile, lchown, link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { runChecked } from "./run.js";

/** The image's runtime settings (the `config` object of an OCI image config). */
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  env?: Record<string, string>;
  /** "uid", "uid:gid" or a user name the image's /etc/passwd knows. */
  user?: string;
  workingDir?: string;
  labels?: Record<string, string>;
  /** TCP ports, for `ExposedPorts` (documentation only; Kubernetes ignores it). */
  exposedPorts?: number[];
  stopSignal?: string;
}

/** One entry of a files layer, at an absolute path inside the image. */
export type FileEntry =
  | { path: string; from: string; mode?: number; uid?: number; gid?: number }
  | { path: string; content: string | Uint8Array; mode?: number; uid?: number; gid?: number }
  | { path: string; directory: true; mode?: number; uid?: number; gid?: number }
  | { path: string; symlink: string };

export type LayerSource =
  /**
   * A folder that becomes the image's `/` (a debootstrap tree); `exclude` holds tar patterns such
   * as "dev/*". With `packedCache`, the packed layer is kept at that path and reused by every
   * image built on the same tree (packing a Debian base takes seconds each time otherwise).
   */
  | { kind: "rootfs"; dir: string; exclude?: string[]; description: string; packedCache?: string }
  /** Files placed at their paths; parent folders are created 0755, owned by root. */
  | { kind: "files"; entries: FileEntry[]; description: string };

export interface ImageSpec {
  /** Full reference, e.g. meshproof.local/pause:3f2a...; what kubelet and containerd will call it. */
  ref: string;
  layers: LayerSource[];
  config: ImageConfig;
}

export interface WrittenImage {
  ref: string;
  archive: string;
  /** Digest of the manifest: what `ctr images ls` shows for the imported image. */
  manifestDigest: string;
  bytes: number;
}

const MEDIA = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
} as const;

/** Every timestamp in an image: the epoch, so nothing about the build time leaks into digests. */
const EPOCH = "1970-01-01T00:00:00Z";
const TAR_TIMEOUT_MS = 10 * 60_000;
/** Flags that make GNU tar's output a function of the tree's names, contents, modes and owners. */
const DETERMINISTIC_TAR = ["--sort=name", "--mtime=@0", "--numeric-owner", "--format=gnu"];

interface Blob {
  digest: string;
  size: number;
}

/** "meshproof.local/pause:abc" -> "abc". */
export function tagOf(ref: string): string {
  const colon = ref.lastIndexOf(":");
  if (colon <= ref.lastIndexOf("/")) throw new Error(`image reference ${ref} has no tag`);
  return ref.slice(colon + 1);
}

/** The OCI image config document (exported for tests). */
export function imageConfigDocument(config: ImageConfig, diffIds: string[], layerDescriptions: string[]): object {
  const body: Record<string, unknown> = {};
  if (config.user !== undefined) body.User = config.user;
  if (config.exposedPorts?.length) {
    body.ExposedPorts = Object.fromEntries(config.exposedPorts.map((port) => [`${port}/tcp`, {}]));
  }
  if (config.env) body.Env = Object.entries(config.env).map(([name, value]) => `${name}=${value}`);
  if (config.entrypoint) body.Entrypoint = config.entrypoint;
  if (config.cmd) body.Cmd = config.cmd;
  if (config.workingDir !== undefined) body.WorkingDir = config.workingDir;
  if (config.labels) body.Labels = config.labels;
  if (config.stopSignal !== undefined) body.StopSignal = config.stopSignal;
  return {
    created: EPOCH,
    architecture: "amd64",
    os: "linux",
    config: body,
    rootfs: { type: "layers", diff_ids: diffIds },
    history: layerDescriptions.map((description) => ({ created: EPOCH, created_by: description })),
  };
}

/**
 * Write `spec` as an OCI archive at `archive` (atomically: a concurrent reader sees the old file
 * or the whole new one). `scratchDir` holds the staging trees and the layout while it is built.
 */
export async function writeOciArchive(spec: ImageSpec, archive: string, scratchDir: string): Promise<WrittenImage> {
  const tag = tagOf(spec.ref);
  await mkdir(scratchDir, { recursive: true });
  const work = await mkdtemp(join(scratchDir, "build-"));
  try {
    const layout = join(work, "layout");
    const blobs = join(layout, "blobs", "sha256");
    await mkdir(blobs, { recursive: true });

    const layers: Blob[] = [];
    const diffIds: string[] = [];
    for (const [index, layer] of spec.layers.entries()) {
      const cache = layer.kind === "rootfs" ? layer.packedCache : undefined;
      const cached = cache ? await reusePackedLayer(cache, blobs) : undefined;
      if (cached) {
        layers.push(cached.blob);
        diffIds.push(cached.diffId);
        continue;
      }
      const tarPath = join(work, `layer-${index}.tar`);
      await writeLayerTar(layer, tarPath, join(work, `stage-${index}`));
      const packed = await gzipIntoBlob(tarPath, blobs);
      await rm(tarPath, { force: true });
      if (cache) await keepPackedLayer(cache, blobs, packed);
      layers.push(packed.blob);
      diffIds.push(packed.diffId);
    }

    const configBlob = await writeJsonBlob(
      blobs,
      imageConfigDocument(
        spec.config,
        diffIds,
        spec.layers.map((layer) => layer.description),
      ),
    );
    const manifestBlob = await writeJsonBlob(blobs, {
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, ...configBlob },
      layers: layers.map((layer) => ({ mediaType: MEDIA.layerGzip, ...layer })),
    });
    await writeFile(join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await writeFile(
      join(layout, "index.json"),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.index,
        manifests: [
          {
            mediaType: MEDIA.manifest,
            ...manifestBlob,
            platform: { architecture: "amd64", os: "linux" },
            annotations: { "io.containerd.image.name": spec.ref, "org.opencontainers.image.ref.name": tag },
          },
        ],
      }),
    );

    await mkdir(dirname(archive), { recursive: true });
    const partial = `${archive}.partial-${process.pid}`;
    await runChecked(
      ["tar", "--create", `--file=${partial}`, `--directory=${layout}`, ...DETERMINISTIC_TAR, "--owner=0", "--group=0", "oci-layout", "index.json", "blobs"],
      { what: `writing the archive of ${spec.ref}`, timeoutMs: TAR_TIMEOUT_MS },
    );
    await rename(partial, archive);
    return { ref: spec.ref, archive, manifestDigest: manifestBlob.digest, bytes: (await stat(archive)).size };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function writeLayerTar(layer: LayerSource, tarPath: string, stageDir: string): Promise<void> {
  if (layer.kind === "rootfs") {
    // Top-level names listed one by one (sorted) rather than ".", so no "./" entry with the
    // folder's own mode and owner becomes the image's root directory.
    const names = (await readdir(layer.dir)).sort();
    const excludes = (layer.exclude ?? []).map((pattern) => `--exclude=${pattern}`);
    await runChecked(
      ["tar", "--create", `--file=${tarPath}`, `--directory=${layer.dir}`, ...DETERMINISTIC_TAR, "--anchored", ...excludes, "--", ...names],
      { what: `packing ${layer.description}`, timeoutMs: TAR_TIMEOUT_MS },
    );
    return;
  }
  await stageFiles(layer.entries, stageDir);
  const names = (await readdir(stageDir)).sort();
  await runChecked(
    ["tar", "--create", `--file=${tarPath}`, `--directory=${stageDir}`, ...DETERMINISTIC_TAR, "--", ...names],
    { what: `packing ${layer.description}`, timeoutMs: TAR_TIMEOUT_MS },
  );
}

/** Lay `entries` out under `stageDir` with their modes and owners (root unless an entry says). */
export async function stageFiles(entries: readonly FileEntry[], stageDir: string): Promise<void> {
  await mkdir(stageDir, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const owned: Array<{ path: string; uid: number; gid: number }> = [];
  const madeDirs = new Set<string>();
  const ensureParents = async (inImage: string): Promise<void> => {
    const parts = posix.dirname(inImage).split("/").filter(Boolean);
    let here = "";
    for (const part of parts) {
      here = `${here}/${part}`;
      if (madeDirs.has(here)) continue;
      madeDirs.add(here);
      await mkdir(join(stageDir, here), { recursive: true, mode: 0o755 });
      await chmod(join(stageDir, here), 0o755);
      owned.push({ path: join(stageDir, here), uid: 0, gid: 0 });
    }
  };

  for (const entry of entries) {
    if (!posix.isAbsolute(entry.path) || posix.normalize(entry.path) !== entry.path || entry.path === "/") {
      throw new Error(`image file path ${entry.path} must be absolute and normalised`);
    }
    await ensureParents(entry.path);
    const target = join(stageDir, entry.path);
    if ("symlink" in entry) {
      await symlink(entry.symlink, target);
      owned.push({ path: target, uid: 0, gid: 0 });
      continue;
    }
    if ("directory" in entry) {
      await mkdir(target, { recursive: true });
      await chmod(target, entry.mode ?? 0o755);
      madeDirs.add(entry.path);
    } else if ("from" in entry) {
      await copyFile(entry.from, target);
      await chmod(target, entry.mode ?? ((await stat(entry.from)).mode & 0o7777));
    } else {
      await writeFile(target, entry.content);
      await chmod(target, entry.mode ?? 0o644);
    }
    owned.push({ path: target, uid: entry.uid ?? 0, gid: entry.gid ?? 0 });
  }

  if (asRoot) {
    for (const { path, uid, gid } of owned) await lchown(path, uid, gid);
    await chmod(stageDir, 0o755);
  } else if (entries.some((entry) => ("uid" in entry && entry.uid) || ("gid" in entry && entry.gid))) {
    throw new Error("files owned by another user than root can only be staged as root");
  }
}

/** sha256 of everything that passes through, without holding it. */
function hashingStream(hash: ReturnType<typeof createHash>, counter: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      counter.bytes += chunk.length;
      callback(null, chunk);
    },
  });
}

async function gzipIntoBlob(tarPath: string, blobs: string): Promise<{ diffId: string; blob: Blob }> {
  const raw = createHash("sha256");
  const packed = createHash("sha256");
  const rawCount = { bytes: 0 };
  const packedCount = { bytes: 0 };
  const partial = join(blobs, `partial-${process.pid}`);
  await pipeline(
    createReadStream(tarPath),
    hashingStream(raw, rawCount),
    createGzip({ level: 6 }),
    hashingStream(packed, packedCount),
    createWriteStream(partial),
  );
  const digest = packed.digest("hex");
  await rename(partial, join(blobs, digest));
  return { diffId: `sha256:${raw.digest("hex")}`, blob: { digest: `sha256:${digest}`, size: packedCount.bytes } };
}

interface PackedLayer {
  diffId: string;
  blob: Blob;
}

/** A layer packed earlier, linked (or copied) into `blobs`; undefined when there is none. */
async function reusePackedLayer(cache: string, blobs: string): Promise<PackedLayer | undefined> {
  let packed: PackedLayer;
  try {
    packed = JSON.parse(await readFile(`${cache}.json`, "utf8")) as PackedLayer;
  } catch {
    return undefined;
  }
  const target = join(blobs, packed.blob.digest.replace("sha256:", ""));
  try {
    await link(cache, target);
  } catch {
    await copyFile(cache, target);
  }
  return packed;
}

async function keepPackedLayer(cache: string, blobs: string, packed: PackedLayer): Promise<void> {
  const partial = `${cache}.partial-${process.pid}`;
  await copyFile(join(blobs, packed.blob.digest.replace("sha256:", "")), partial);
  await rename(partial, cache);
  // The description last: a reader that finds it finds the whole blob.
  await writeFile(`${cache}.json.partial-${process.pid}`, JSON.stringify(packed));
  await rename(`${cache}.json.partial-${process.pid}`, `${cache}.json`);
}

async function writeJsonBlob(blobs: string, document: object): Promise<Blob> {
  const bytes = Buffer.from(JSON.stringify(document));
  const digest = createHash("sha256").update(bytes).digest("hex");
  await writeFile(join(blobs, digest), bytes);
  return { digest: `sha256:${digest}`, size: bytes.length };
}
