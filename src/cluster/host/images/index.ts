/**
 * Images for the host cluster without a registry: OCI archives built locally (deterministic,
 * cached by a key of their inputs under ${XDG_CACHE_HOME:-~/.cache}/meshproof/images) and
 * imported into the cluster's containerd. A cluster start:
 *
 *   const recipes = hostImageRecipes({ loadgenBinary, prometheusBinary });
 *   const sandboxImage = await imageRef(pauseRecipe);            // containerd's sandbox_image
 *   await loadImages({ address: socket }, recipes, { cacheDir: imagesCacheDir() });
 *
 * and its dry-run: imagePlanSteps({ address: socket }, await plannedImages(recipes, cacheDir)).
 * Manifests name the images by imageRef(...) with imagePullPolicy IfNotPresent.
 */
export { imagesCacheDir } from "./cache.js";
export { CRI_NAMESPACE, importArgv, importImage, importStep, listImages, loadImages, removeArgv, type ContainerdTarget } from "./containerd.js";
export { aptMirror, ensureDebianBase, DEBIAN_SUITE, type DebianBase } from "./debian.js";
export { writeOciArchive, type FileEntry, type ImageConfig, type ImageSpec, type LayerSource, type WrittenImage } from "./oci.js";
export { BUILD_IMAGES_SCRIPT, buildStep, imagePlanSteps, plannedImage, plannedImages, type PlannedImage } from "./plan.js";
export {
  debianImageRecipe,
  ensureImage,
  ensurePauseBinary,
  hostBinaryEntries,
  hostImageRecipes,
  imageRef,
  LLM_SIM_IMAGE,
  llmSimRecipe,
  LOADGEN_IMAGE,
  loadgenRecipe,
  LOCAL_REGISTRY,
  PAUSE_IMAGE,
  pauseRecipe,
  PROMETHEUS_IMAGE,
  prometheusRecipe,
  staticBinaryRecipe,
  type DebianImageOptions,
  type EnsuredImage,
  type ImageRecipe,
} from "./recipes.js";
export { ImageBuildError } from "./run.js";

/** Debian packages the builder and the import test need (setup installs them). */
export const IMAGE_BUILD_PACKAGES = ["debootstrap", "containerd", "runc"] as const;
