/**
 * What the dry-run shows for images: per image, the build (skipped when the archive is cached)
 * and the import into the cluster's containerd, as command steps with their exact argv.
 */
import type { CommandStep } from "../../../plan/steps.js";
import { archivePath } from "./cache.js";
import { importStep, type ContainerdTarget } from "./containerd.js";
import type { ImageRecipe } from "./recipes.js";

/** The setup module that builds images by name; runnable on its own. */
export const BUILD_IMAGES_SCRIPT = "scripts/setup/images.ts";
const BUILD_TIMEOUT_MS = 30 * 60_000;

export interface PlannedImage {
  name: string;
  ref: string;
  archive: string;
  buildEnv?: Record<string, string>;
}

/** Where an image will be and what it will be called, without building it. */
export async function plannedImage(recipe: ImageRecipe, cacheDir: string): Promise<PlannedImage> {
  const tag = await recipe.tag();
  return {
    name: recipe.name,
    ref: `${recipe.repository}:${tag}`,
    archive: archivePath(cacheDir, recipe.name, tag),
    ...(recipe.buildEnv ? { buildEnv: recipe.buildEnv } : {}),
  };
}

export async function plannedImages(recipes: readonly ImageRecipe[], cacheDir: string): Promise<PlannedImage[]> {
  return Promise.all(recipes.map((recipe) => plannedImage(recipe, cacheDir)));
}

export function buildStep(image: PlannedImage): CommandStep {
  return {
    kind: "command",
    id: `build-image-${image.name}`,
    name: `build the ${image.name} image (${image.ref}) unless it is cached`,
    timeoutMs: BUILD_TIMEOUT_MS,
    argv: ["npx", "tsx", BUILD_IMAGES_SCRIPT, image.name],
    ...(image.buildEnv ? { env: image.buildEnv } : {}),
    skipIf: ["test", "-s", image.archive],
  };
}

/** Build and import each image, in order (pause first: containerd needs it for every pod). */
export function imagePlanSteps(target: ContainerdTarget, images: readonly PlannedImage[], opts: { undo?: boolean } = {}): CommandStep[] {
  return images.flatMap((image) => [buildStep(image), importStep(target, image, opts)]);
}
