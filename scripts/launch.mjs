#!/usr/bin/env node
/**
 * How every npm script runs a TypeScript entry point: `node scripts/launch.mjs src/cli/main.ts ARGS`.
 *
 * Compiling TypeScript on every call costs a second or more of start-up, so `npm run build` (and
 * `npm run setup`, which calls it) emits JavaScript into BUILD_DIR with tsc. That tree is used
 * only when it was built from exactly the sources now on disk: the build records a hash of every
 * source file's path and content, and the launcher compares it before each run. After an edit, a
 * checkout or a new file the launcher runs the sources through tsx instead, and says so once on
 * stderr, so nobody silently runs old code. Either way the program runs in this process (tsx's
 * loader is registered here rather than started as a second process), so a Ctrl-C reaches it
 * once and npm returns the prompt only after its cleanup.
 *
 * Plain JavaScript on purpose: it must run before anything is compiled.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** tsc's configuration for the compiled tree: its outDir and the folders it compiles. */
export const BUILD_CONFIG = "tsconfig.build.json";
/** Written last by a build: the hash of the sources it compiled. No stamp, no compiled runs. */
const STAMP = "build-stamp.json";

/** The compiled tree's folder and the source folders it is built from, as tsconfig.build.json says. */
export function buildLayout(root = ROOT) {
  const config = JSON.parse(readFileSync(path.join(root, BUILD_CONFIG), "utf8"));
  return { outDir: path.join(root, config.compilerOptions.outDir), include: config.include };
}

/** Every file the build depends on, relative to root and sorted: the sources and both tsconfig files. */
export function sourceFiles(root = ROOT) {
  const files = ["tsconfig.json", BUILD_CONFIG];
  const walk = (dir) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith(".ts")) files.push(rel);
    }
  };
  for (const dir of buildLayout(root).include) walk(dir);
  return files.sort();
}

/** One hash over every source file's path and content. */
export function sourcesHash(root = ROOT, files = sourceFiles(root)) {
  const hash = createHash("sha256");
  for (const file of files) hash.update(`${file}\0`).update(readFileSync(path.join(root, file))).update("\0");
  return hash.digest("hex");
}

/**
 * Where to run `entry` (a path of a source file relative to root) from: the compiled file when the
 * build is current, else the source and the reason the build cannot be used.
 */
export function chooseEntry(entry, root = ROOT) {
  const source = path.resolve(root, entry);
  const compiled = path.join(buildLayout(root).outDir, path.relative(root, source)).replace(/\.ts$/, ".js");
  const stale = staleBecause(root);
  if (stale) return { file: source, compiled: false, reason: stale };
  if (!existsSync(compiled)) return { file: source, compiled: false, reason: `the build has no ${path.relative(root, compiled)}` };
  return { file: compiled, compiled: true };
}

/** Why the compiled tree does not match the sources on disk, or undefined when it does. */
export function staleBecause(root = ROOT) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(buildLayout(root).outDir, STAMP), "utf8"));
  } catch {
    return "there is no compiled build";
  }
  const files = sourceFiles(root);
  if (stamp.sources === sourcesHash(root, files)) return undefined;
  const changed = files.find((f) => !stamp.files?.includes(f)) ?? stamp.files?.find((f) => !files.includes(f));
  return changed ? `${changed} was added or removed since the last build` : "a source file changed since the last build";
}

/**
 * tsc's emit of tsconfig.build.json into a fresh outDir, then the stamp. Types are not checked
 * here (`npm run typecheck` does that): tsx would run the same sources unchecked too. The hash is
 * taken before compiling, so a file saved during the build makes the stamp stale, never wrong.
 */
export async function build(root = ROOT, { ifStale = false } = {}) {
  const { outDir } = buildLayout(root);
  if (ifStale && !staleBecause(root)) return { outDir, files: 0, skipped: true };
  const ts = (await import("typescript")).default;
  const files = sourceFiles(root);
  const sources = sourcesHash(root, files);
  rmSync(outDir, { recursive: true, force: true });
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(root, BUILD_CONFIG), { noCheck: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n")); } });
  if (!parsed) throw new Error(`cannot read ${BUILD_CONFIG}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const result = program.emit();
  const problems = [...parsed.errors, ...result.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  if (result.emitSkipped || problems.length > 0) throw new Error(`tsc could not emit ${BUILD_CONFIG}:\n${problems.join("\n")}`);
  writeFileSync(path.join(outDir, STAMP), `${JSON.stringify({ sources, files }, null, 1)}\n`);
  return { outDir, files: parsed.fileNames.length, skipped: false };
}

async function main() {
  const [entry, ...args] = process.argv.slice(2);
  if (entry === "--build") {
    const started = performance.now();
    const { outDir, files } = await build();
    process.stderr.write(`compiled ${files} files into ${path.relative(ROOT, outDir)}/ in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return;
  }
  if (!entry) throw new Error("usage: node scripts/launch.mjs <entry.ts> [args...] | --build");
  const choice = chooseEntry(entry);
  if (!choice.compiled) {
    process.stderr.write(`meshproof: ${choice.reason}: running the TypeScript sources through tsx, which starts slower (\`npm run build\` compiles them)\n`);
    (await import("tsx/esm/api")).register();
  }
  // The program sees itself as the script run, as it would under `node file` or `tsx file`.
  process.argv = [process.argv[0], choice.file, ...args];
  await import(pathToFileURL(choice.file).href);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  await main();
}
