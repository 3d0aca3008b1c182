/**
 * Images for the host cluster without a registry: OCI archives built locally (deterministic,
 * cached by a key of their inputs) and imported into the cluster's containerd.
 */
export { imagesCacheDir } from "./cache.js";
export { CRI_NAMESPACE, importArgv, importImage, importStep, listImages, removeArgv, type ContainerdTarget } from "./containerd.js";
export { aptMirror, ensureDebianBase, DEBIAN_SUITE, type DebianBase } from "./debian.js";
export { writeOciArchive, type FileEntry, type ImageConfig, type ImageSpec, type LayerSource, type WrittenImage } from "./oci.js";
export { BUILD_IMAGES_SCRIPT, buildStep, imagePlanSteps, plannedImage, type PlannedImage } from "./plan.js";
export {
  debianImageRecipe,
  ensureImage,
  ensurePauseBinary,
  imageRef,
  LLM_SIM_IMAGE,
  llmSimRecipe,
  LOADGEN_IMAGE,
  loadgenRecipe,
  LOCAL_REGISTRY,
  PAUSE_IMAGE,
  pauseRecipe,
  staticBinaryRecipe,
  type DebianImageOptions,
  type EnsuredImage,
  type ImageRecipe,
} from "./recipes.js";
export { ImageBuildError } from "./run.js";

/** Debian packages the builder and the import test need (setup installs them). */
export const IMAGE_BUILD_PACKAGES = ["debootstrap", "containerd", "runc"] as const;
