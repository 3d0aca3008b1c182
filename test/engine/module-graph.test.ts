/**
 * The module graph of src/: the engine sits above the folders it drives (src/mesh, src/cluster,
 * src/load, src/report and the rest), which share the plan vocabulary (src/plan) and the process
 * layer (src/core) without importing the engine; and only the composition root,
 * src/cli/catalog.ts and src/cli/definitions.ts, imports the scenario catalog and the suites.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** The modules of src/ that may import scenarios/ and suites/. */
const COMPOSITION_ROOT = ["src/cli/catalog.ts", "src/cli/definitions.ts"];

type Graph = Map<string, string[]>;

/** Relative specifiers of static `import`/`export ... from`, side-effect imports and `import()`. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  ];
  // Comments may quote imports (doc examples); they are not edges.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]!);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}

/** File -> files it imports, as repository-relative paths with the .ts the .js specifier names. */
function fileGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles("src")) {
    const targets = importsOf(readFileSync(path.join(ROOT, file), "utf8")).map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, ".ts"));
    graph.set(file, targets);
  }
  return graph;
}

/** src/<folder> for files of src/, else the top folder (scenarios, suites, fixtures). */
function folderOf(file: string): string {
  const parts = file.split("/");
  return parts[0] === "src" ? `src/${parts[1]!.replace(/\.ts$/, "")}` : parts[0]!;
}

export function folderGraph(files: Graph): Graph {
  const graph: Graph = new Map();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? [];
    for (const to of targets.map(folderOf)) if (to !== from && !edges.includes(to)) edges.push(to);
    graph.set(from, edges);
  }
  return graph;
}

/** A path from `from` back to itself, or undefined when no cycle passes through it. */
export function cycleThrough(graph: Graph, from: string): string[] | undefined {
  const seen = new Set<string>();
  const walk = (node: string, trail: string[]): string[] | undefined => {
    for (const next of graph.get(node) ?? []) {
      if (next === from) return [...trail, next];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = walk(next, [...trail, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(from, [from]);
}

/** One importing file per folder edge of a cycle, so a failure names what to move. */
function explain(files: Graph, cycle: string[]): string[] {
  return cycle.slice(1).map((to, i) => {
    const from = cycle[i]!;
    const [file, targets] = [...files].find(([f, ts]) => folderOf(f) === from && ts.some((t) => folderOf(t) === to)) ?? ["?", []];
    return `${file} -> ${targets.find((t) => folderOf(t) === to)}`;
  });
}

describe("the module graph of src/", () => {
  const files = fileGraph();
  const folders = folderGraph(files);

  it("reads every kind of relative import, and nothing in comments", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type { B } from "../b/b.js";',
      'export { c } from "./c.js";',
      'import "./side-effect.js";',
      'const d = await import("../d.js");',
      "/** e.g. import { x } from \"./commented.js\"; */",
      'import { z } from "zod";',
    ].join("\n");
    expect(importsOf(source)).toEqual(["./a.js", "../b/b.js", "./c.js", "./side-effect.js", "../d.js"]);
  });

  it("finds a cycle through a folder, and none where the edges only go down", () => {
    const down: Graph = new Map([["src/engine", ["src/mesh", "src/plan"]], ["src/mesh", ["src/plan"]], ["src/plan", []]]);
    expect(cycleThrough(down, "src/engine")).toBeUndefined();
    const up: Graph = new Map([...down, ["src/plan", ["src/core"]], ["src/core", ["src/engine"]]]);
    expect(cycleThrough(up, "src/engine")).toEqual(["src/engine", "src/mesh", "src/plan", "src/core", "src/engine"]);
  });

  it("holds the folders this test is about", () => {
    for (const folder of ["src/engine", "src/mesh", "src/cluster", "src/load", "src/report", "src/plan", "src/core", "src/cli"]) expect([...folders.keys()]).toContain(folder);
    // The engine drives the meshes and writes results: those edges exist, so only the way back is forbidden.
    expect(folders.get("src/engine")).toEqual(expect.arrayContaining(["src/mesh", "src/report", "src/plan"]));
  });

  it("has no import cycle through src/engine (mesh, cluster, load and report share src/plan and src/core instead)", () => {
    const cycle = cycleThrough(folders, "src/engine");
    expect(cycle && `${cycle.join(" -> ")}\n  ${explain(files, cycle).join("\n  ")}`).toBeUndefined();
  });

  it("imports scenarios/ and suites/ only from the composition root", () => {
    const offenders = [...files].flatMap(([file, targets]) => targets.filter((t) => /^(scenarios|suites)\//.test(t)).map((t) => `${file} -> ${t}`)).filter((edge) => !COMPOSITION_ROOT.some((root) => edge.startsWith(`${root} ->`)));
    expect(offenders).toEqual([]);
    // The light half holds the names and suites, the heavy half the scenario definitions.
    expect(files.get("src/cli/catalog.ts")).toEqual(expect.arrayContaining(["scenarios/catalog.ts", "suites/index.ts"]));
    expect(files.get("src/cli/definitions.ts")).toEqual(expect.arrayContaining(["scenarios/index.ts"]));
  });
});
