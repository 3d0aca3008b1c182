/**
 * `--help`, `--list` and usage errors answer before anything heavy loads: src/cli/main.ts and
 * what it imports statically reach only light modules (the commands load their work when they
 * run). Read from the import statements, so it holds on any machine, however busy.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The packages a help text may need: the parser, the option schema, the "did you mean". */
const LIGHT_PACKAGES = new Set(["commander", "zod", "fastest-levenshtein"]);
/** Every module `entry` loads before it runs anything: static imports, not `import type`, not `await import(...)`. */
function staticGraph(entry: string): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(?:import|export)\s+(?!type\s)(?:[^;"']*?\s+from\s+)?["']([^"']+)["'];?/gm)) {
      const spec = m[1]!;
      if (spec.startsWith("node:")) continue;
      if (spec.startsWith(".")) visit(path.resolve(path.dirname(file), spec).replace(/\.js$/, ".ts"));
      else packages.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!);
    }
  };
  visit(entry);
  return { files: [...files].map((f) => path.relative(ROOT, f)).sort(), packages: [...packages].sort() };
}

describe("start-up", () => {
  it("main.ts loads only light modules before a command runs", () => {
    const { files, packages } = staticGraph(path.join(ROOT, "src/cli/main.ts"));
    expect(packages.filter((p) => !LIGHT_PACKAGES.has(p)), `packages reached from main.ts: ${packages.join(", ")}`).toEqual([]);
    // The mesh registry names each mesh's driver without importing it (MeshEntry.loadDriver).
    for (const heavy of ["scenarios/index.ts", "src/cli/run.ts", "src/cli/wiring.ts", "src/engine/executor.ts", "src/report/index.ts", "src/mesh/istio/index.ts", "src/mesh/linkerd/index.ts", "src/mesh/gamma/index.ts"]) expect(files).not.toContain(heavy);
    expect(files).toContain("scenarios/catalog.ts");
  });

  it("the graph walk sees through an index to a package (the check can fail)", () => {
    // src/stack/index.ts re-exports the stack's manifests, which are built with kubernetes-models.
    const { files, packages } = staticGraph(path.join(ROOT, "src/stack/index.ts"));
    expect(files.length).toBeGreaterThan(1);
    expect(packages).toContain("kubernetes-models");
  });
});
