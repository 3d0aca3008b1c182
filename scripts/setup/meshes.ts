/**
 * The meshes of the host cluster, for `npm run setup`: Istio (upstream-envoy variant) and
 * Linkerd (built from source). Returns the tool-manifest entries (istioctl, linkerd) and writes
 * mesh-builds.json beside the manifest, naming the folder of each build (src/mesh/builds.ts);
 * then builds their images for the host cluster (mesh-images.ts).
 */
import { writeFile } from "node:fs/promises";
import type { ToolManifest } from "../../src/core/tools.js";
import { meshBuildsPath, readMeshBuilds, type MeshBuilds } from "../../src/mesh/builds.js";
import { setupIstio } from "./istio.js";
import { setupLinkerd } from "./linkerd.js";
import { setupMeshImages } from "./mesh-images.js";

export async function setupMeshes(cacheDir: string): Promise<ToolManifest["tools"]> {
  const builds: MeshBuilds = { ...readMeshBuilds(cacheDir), schemaVersion: 1 };
  const { istioctl, istio, envoy } = await setupIstio(cacheDir);
  builds.istio = istio;
  builds.envoy = envoy;
  const { linkerd, dir } = await setupLinkerd(cacheDir);
  if (linkerd && dir) builds.linkerd = { dir, version: linkerd.version };
  await writeFile(meshBuildsPath(cacheDir), JSON.stringify(builds, null, 2) + "\n");
  await setupMeshImages(builds);
  return linkerd ? { istioctl, linkerd } : { istioctl };
}
