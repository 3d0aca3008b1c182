/**
 * Image recipes for the meshes' own binaries on the host cluster, built with the host cluster's
 * image builder (src/cluster/host/images): a Debian base from debootstrap, the binaries on top,
 * and users appended to the base's own /etc/passwd and /etc/group.
 *
 * A mesh CLI renders image names with a version tag (pilot:1.31-alpha..., proxy:version-2.20),
 * so the reference carries that fixed tag, while the archive in the cache stays named by a key
 * of its content: a new binary builds a new archive under the same reference.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { KeyBuilder } from "../cluster/host/images/cache.js";
import { debianBaseKey, ensureDebianBase } from "../cluster/host/images/debian.js";
import type { FileEntry, ImageConfig } from "../cluster/host/images/oci.js";
import type { ImageRecipe } from "../cluster/host/images/recipes.js";

/** Bump when these recipes change how they build. */
const MESH_RECIPE_VERSION = "1";

export interface MeshImageOptions {
  /** Short name for the archive, e.g. istio-proxyv2. */
  name: string;
  /** The reference without its tag, e.g. meshproof.local/istio/proxyv2. */
  repository: string;
  /** The tag the mesh's manifests name. */
  tag: string;
  /** Debian packages in the base (iptables for traffic redirection). */
  include: string[];
  /** Binaries and files copied from the host (each `from` is hashed into the key). */
  files: Array<{ path: string; from: string; mode: number }>;
  /** Whole lines appended to the base's /etc/passwd and /etc/group. */
  users?: { passwd: string[]; group: string[] };
  config: ImageConfig;
}

/** The archive's content key: base, files, users and config. */
export async function meshImageKey(o: MeshImageOptions): Promise<string> {
  const key = new KeyBuilder().add("recipe", MESH_RECIPE_VERSION).add("base", debianBaseKey(o.include));
  for (const file of o.files) {
    key.add("path", file.path).add("mode", String(file.mode));
    await key.addFile("from", file.from);
  }
  return key.add("users", JSON.stringify(o.users ?? {})).add("config", JSON.stringify(o.config)).digest(12);
}

export async function meshImageRecipe(o: MeshImageOptions): Promise<ImageRecipe> {
  const content = await meshImageKey(o);
  return {
    // The builder names the archive <name>-<tag>; the content key in the name keeps it content-addressed.
    name: `${o.name}-${content}`,
    repository: o.repository,
    tag: async () => o.tag,
    async spec(ref, ctx) {
      const base = await ensureDebianBase(ctx.cacheDir, o.include);
      const entries: FileEntry[] = o.files.map((file) => ({ path: file.path, from: file.from, mode: file.mode }));
      if (o.users) {
        const passwd = await readFile(join(base.rootfs, "etc", "passwd"), "utf8");
        const group = await readFile(join(base.rootfs, "etc", "group"), "utf8");
        entries.push(
          { path: "/etc/passwd", content: passwd + o.users.passwd.map((line) => `${line}\n`).join(""), mode: 0o644 },
          { path: "/etc/group", content: group + o.users.group.map((line) => `${line}\n`).join(""), mode: 0o644 },
        );
      }
      return { ref, layers: [base.layer, { kind: "files", description: `${o.name} binaries`, entries }], config: o.config };
    },
  };
}
