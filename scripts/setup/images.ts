/**
 * Setup's image step: the Debian packages the host cluster's images need (debootstrap for bases,
 * containerd's `ctr` for imports, runc to run them), then each image archive built once per
 * content key and skipped when cached, every one timed.
 *
 * Also runnable on its own, which is what a dry-run's build step shows:
 *   npx tsx scripts/setup/images.ts [pause] [llm-sim] ...
 * (loadgen needs its binary: LOADGEN_BIN=/path/to/loadgen npx tsx scripts/setup/images.ts loadgen)
 */
import { pathToFileURL } from "node:url";
import {
  ensureImage,
  IMAGE_BUILD_PACKAGES,
  ImageBuildError,
  imagesCacheDir,
  hostImageRecipes,
  type EnsuredImage,
} from "../../src/cluster/host/images/index.js";
import { MeshproofError } from "../../src/core/errors.js";
import { ToolMissingError, tryFindTool } from "../../src/core/tools.js";
import { aptInstall, onPath } from "./common.js";
import { SetupError } from "./errors.js";

/** The executable each package brings, to tell whether it is installed. */
const PACKAGE_PROGRAM: Record<(typeof IMAGE_BUILD_PACKAGES)[number], string> = {
  debootstrap: "debootstrap",
  containerd: "ctr",
  runc: "runc",
};

/** Setup's own error: exit 4 with one line, however `npm run setup` or this script was started. */
class ImageSetupError extends SetupError {}

/** apt-get install what is missing. */
export async function ensureImagePackages(): Promise<string[]> {
  const missing = IMAGE_BUILD_PACKAGES.filter((pkg) => !onPath(PACKAGE_PROGRAM[pkg]));
  await aptInstall(missing, `install the Debian packages ${missing.join(" ")} as root (apt-get install ${missing.join(" ")})`);
  return missing;
}

export interface ImageSetupOptions {
  /** The static loadgen binary; by default the one setup built (or LOADGEN_BIN). */
  loadgenBinary?: string;
  /** Prometheus for the in-cluster image; by default the one setup installed (or PROMETHEUS_BIN). */
  prometheusBinary?: string;
  /** Only these images (by name); all by default. */
  only?: readonly string[];
  log?: (line: string) => void;
}

function describe(image: EnsuredImage): string {
  const size = `${(image.bytes / 1024 / 1024).toFixed(1)} MiB`;
  const how = image.built ? "built" : "cached";
  return `${how} in ${image.seconds.toFixed(1)} s (${image.ref}, ${size}, ${image.archive})`;
}

/** Build every image not yet cached; one timed line each. Failures are SetupErrors (exit 4). */
export async function setupImages(opts: ImageSetupOptions = {}): Promise<EnsuredImage[]> {
  try {
    return await buildAll(opts);
  } catch (error) {
    if (error instanceof ImageBuildError || error instanceof MeshproofError || error instanceof ToolMissingError) {
      const hint = error instanceof MeshproofError && error.hint ? `: ${error.hint}` : "";
      throw new ImageSetupError(`${error.message}${hint}`);
    }
    throw error;
  }
}

async function buildAll(opts: ImageSetupOptions): Promise<EnsuredImage[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const cacheDir = imagesCacheDir();
  const started = performance.now();
  const installed = await ensureImagePackages();
  if (installed.length) log(`[images] installed ${installed.join(", ")} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const prometheusBinary = opts.prometheusBinary ?? tryFindTool("prometheus")?.path;
  // The loadgen setup built before this step (LOADGEN_BIN overrides), so its image is ready too.
  const loadgenBinary = opts.loadgenBinary ?? tryFindTool("loadgen")?.path;
  const recipes = hostImageRecipes({ ...opts, ...(prometheusBinary ? { prometheusBinary } : {}), ...(loadgenBinary ? { loadgenBinary } : {}) }).filter((recipe) => !opts.only || opts.only.includes(recipe.name));
  const unknown = (opts.only ?? []).filter((name) => !recipes.some((recipe) => recipe.name === name));
  if (unknown.length) {
    throw new ImageSetupError(
      `unknown image ${unknown.join(", ")}: known are ${hostImageRecipes({ loadgenBinary: "-", prometheusBinary: "-" }).map((r) => r.name).join(", ")} (loadgen needs LOADGEN_BIN, prometheus a Prometheus from setup)`,
    );
  }
  const images: EnsuredImage[] = [];
  for (const recipe of recipes) {
    log(`[images] ${recipe.name} ...`);
    const image = await ensureImage(recipe, cacheDir);
    log(`[images] ${recipe.name}: ${describe(image)}`);
    images.push(image);
  }
  return images;
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  try {
    await setupImages({
      ...(only.length ? { only } : {}),
      ...(process.env.LOADGEN_BIN ? { loadgenBinary: process.env.LOADGEN_BIN } : {}),
    });
  } catch (error) {
    if (error instanceof SetupError) {
      console.error(`image setup failed: ${error.message}`);
      process.exit(error.exitCode);
    }
    console.error(error);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
