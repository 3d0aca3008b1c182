/**
 * Where built images live: beside setup's tools cache (same XDG rule, one place decides it),
 * under meshproof/images/, one archive per image name and content key.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { dirname, join } from "node:path";
import { toolsCacheDir } from "../../../core/tools.js";

/** ${XDG_CACHE_HOME:-~/.cache}/meshproof/images */
export function imagesCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dirname(toolsCacheDir(env)), "images");
}

/** The cached archive of one image: <images>/<name>-<tag>.oci.tar */
export function archivePath(cacheDir: string, name: string, tag: string): string {
  return join(cacheDir, `${name}-${tag}.oci.tar`);
}

/** A short, stable key over labelled parts: a change to any part gives another key. */
export class KeyBuilder {
  private readonly hash = createHash("sha256");

  add(label: string, value: string | Uint8Array): this {
    this.hash.update(label).update("\0").update(value).update("\0");
    return this;
  }

  async addFile(label: string, path: string): Promise<this> {
    this.add(label, await sha256File(path));
    return this;
  }

  digest(length = 16): string {
    return this.hash.digest("hex").slice(0, length);
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
