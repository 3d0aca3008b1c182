/**
 * The host cluster's mesh images, built with its image builder from what setup built or
 * unpacked (mesh-builds.json): Istio's pilot and proxyv2, Linkerd's controller and proxy. Each
 * archive is cached by content; one timed line per image. Runnable on its own:
 *   npx tsx scripts/setup/mesh-images.ts
 */
import { pathToFileURL } from "node:url";
import { ensureImage, imagesCacheDir, type EnsuredImage, type ImageRecipe } from "../../src/cluster/host/images/index.js";
import { readMeshBuilds, type MeshBuilds } from "../../src/mesh/builds.js";
import { istioImageRecipes } from "../../src/mesh/istio/images.js";
import { linkerdImageRecipes } from "../../src/mesh/linkerd/images.js";
import { ensureImagePackages } from "./images.js";

export async function meshImageRecipes(builds: MeshBuilds): Promise<ImageRecipe[]> {
  const recipes: ImageRecipe[] = [];
  if (builds.istio && builds.envoy) recipes.push(...(await istioImageRecipes({ istio: builds.istio, envoy: builds.envoy })));
  if (builds.linkerd) recipes.push(...(await linkerdImageRecipes(builds.linkerd)));
  return recipes;
}

export async function setupMeshImages(builds: MeshBuilds = readMeshBuilds()): Promise<EnsuredImage[]> {
  await ensureImagePackages();
  const images: EnsuredImage[] = [];
  for (const recipe of await meshImageRecipes(builds)) {
    console.log(`[mesh images] ${recipe.repository} ...`);
    const image = await ensureImage(recipe, imagesCacheDir());
    const size = `${(image.bytes / 1024 / 1024).toFixed(1)} MiB`;
    console.log(`[mesh images] ${image.ref}: ${image.built ? "built" : "already there"} in ${image.seconds.toFixed(1)} s (${size}, ${image.archive})`);
    images.push(image);
  }
  return images;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await setupMeshImages();
}
