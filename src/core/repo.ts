/**
 * The repository's root folder, found the same way whether this code runs from its TypeScript
 * sources or from the compiled tree `npm run build` writes beside them (scripts/launch.mjs), where
 * `import.meta.url` is one folder deeper. Files read at run time (the k6 scripts, the statistical
 * planner's sources that key its cache, the sources images are built from) are found from here,
 * never relative to the module that reads them.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): string {
  // The first folder up from here with a package.json: the compiled tree has none of its own.
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

export const REPO_ROOT = findRoot();

/** A path inside the repository, e.g. repoPath("fixtures", "k6"). */
export function repoPath(...parts: string[]): string {
  return path.join(REPO_ROOT, ...parts);
}
