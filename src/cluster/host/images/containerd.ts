/**
 * Getting archives into a containerd: `ctr -n k8s.io images import`, the namespace the CRI
 * plugin (and so kubelet) reads. The same argv serves the run and the dry-run's plan.
 */
import type { CleanupStack } from "../../../core/cleanup.js";
import type { CommandStep } from "../../../plan/steps.js";
import { ensureImage, type EnsuredImage, type ImageRecipe } from "./recipes.js";
import { runChecked } from "./run.js";

/** The containerd namespace of Kubernetes' CRI plugin. */
export const CRI_NAMESPACE = "k8s.io";
const IMPORT_TIMEOUT_MS = 5 * 60_000;
const REMOVE_TIMEOUT_MS = 60_000;

export interface ContainerdTarget {
  /** containerd's socket (the cluster's own, never assumed to be /run/containerd). */
  address: string;
  /** Defaults to k8s.io. */
  namespace?: string;
}

export function importArgv(target: ContainerdTarget, archive: string): string[] {
  // --no-unpack is not given: unpacking now means the first pod starts without waiting for it.
  return ["ctr", "--address", target.address, "-n", target.namespace ?? CRI_NAMESPACE, "images", "import", archive];
}

export function removeArgv(target: ContainerdTarget, ref: string): string[] {
  return ["ctr", "--address", target.address, "-n", target.namespace ?? CRI_NAMESPACE, "images", "rm", ref];
}

/**
 * Import one archive. With `cleanup`, removing the image is registered the moment it is in:
 * wanted where the containerd outlives the run; the host cluster's own containerd loses its
 * images with its state folder and needs no such entry.
 */
export async function importImage(target: ContainerdTarget, image: { ref: string; archive: string }, cleanup?: CleanupStack): Promise<void> {
  await runChecked(importArgv(target, image.archive), { what: `importing ${image.ref} into containerd at ${target.address}`, timeoutMs: IMPORT_TIMEOUT_MS });
  cleanup?.push(`remove image ${image.ref}`, async () => {
    await runChecked(removeArgv(target, image.ref), { what: `removing ${image.ref}`, timeoutMs: REMOVE_TIMEOUT_MS });
  });
}

/**
 * Build what is not cached, then import each image, in the recipes' order: what a cluster's
 * start calls once its containerd answers (pause before anything that needs a pod).
 */
export async function loadImages(
  target: ContainerdTarget,
  recipes: readonly ImageRecipe[],
  opts: { cacheDir: string; cleanup?: CleanupStack },
): Promise<EnsuredImage[]> {
  const loaded: EnsuredImage[] = [];
  for (const recipe of recipes) {
    const image = await ensureImage(recipe, opts.cacheDir);
    await importImage(target, image, opts.cleanup);
    loaded.push(image);
  }
  return loaded;
}

/** The references containerd holds in the namespace (`ctr images ls -q`). */
export async function listImages(target: ContainerdTarget): Promise<string[]> {
  const out = await runChecked(["ctr", "--address", target.address, "-n", target.namespace ?? CRI_NAMESPACE, "images", "ls", "-q"], {
    what: `listing images of containerd at ${target.address}`,
    timeoutMs: REMOVE_TIMEOUT_MS,
  });
  return out.split("\n").map((line) => line.trim()).filter(Boolean);
}

/** Plan step importing an image (the dry-run shows it; the executor runs it). */
export function importStep(target: ContainerdTarget, image: { name: string; ref: string; archive: string }, opts: { undo?: boolean } = {}): CommandStep {
  return {
    kind: "command",
    id: `import-image-${image.name}`,
    name: `import the ${image.name} image (${image.ref}) into the cluster's containerd`,
    timeoutMs: IMPORT_TIMEOUT_MS,
    argv: importArgv(target, image.archive),
    ...(opts.undo
      ? { undo: [{ kind: "command" as const, id: `remove-image-${image.name}`, name: `remove the ${image.name} image`, timeoutMs: REMOVE_TIMEOUT_MS, argv: removeArgv(target, image.ref), allowFailure: true }] }
      : {}),
  };
}
