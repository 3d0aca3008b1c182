/**
 * scripts/launch.mjs, which every npm script that runs meshproof goes through: the compiled tree
 * when it was built from exactly the sources on disk, else the sources through tsx with one line
 * on stderr saying why; either way in the launcher's own process. Exercised on a small
 * repository of its own (the real one's build takes half a minute), with the real launcher and
 * the real repository-root helper copied in.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { build, chooseEntry, staleBecause } from "../../scripts/launch.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");

let repo: string;

const ENTRY = `import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./core/repo.js";
// Run only as the script itself, as src/cli/main.ts does: the launcher must make argv[1] this file.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify({ url: import.meta.url, pid: process.pid, args: process.argv.slice(2), root: REPO_ROOT }));
}
`;

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  writeFileSync(path.join(repo, file), text);
}

/** The launcher of the small repository, as npm runs it: `node scripts/launch.mjs src/entry.ts ...`. */
function launch(...args: string[]) {
  const run = spawnSync(process.execPath, [path.join(repo, "scripts", "launch.mjs"), "src/entry.ts", ...args], { cwd: repo, encoding: "utf8", timeout: 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return { ...(JSON.parse(run.stdout) as { url: string; pid: number; args: string[]; root: string }), childPid: run.pid, stderr: run.stderr };
}

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), "meshproof-launch-"));
  write("package.json", `${JSON.stringify({ name: "launch-test", private: true, type: "module" })}\n`);
  write("tsconfig.json", `${JSON.stringify({ compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true, skipLibCheck: true, types: [] } })}\n`);
  write("tsconfig.build.json", `${JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { noEmit: false, outDir: ".build", rootDir: "." }, include: ["src"] })}\n`);
  write("src/entry.ts", ENTRY);
  mkdirSync(path.join(repo, "scripts"));
  copyFileSync(path.join(ROOT, "scripts", "launch.mjs"), path.join(repo, "scripts", "launch.mjs"));
  write("src/core/repo.ts", readFileSync(path.join(ROOT, "src", "core", "repo.ts"), "utf8"));
  symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"));
}, 60_000);

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe("the launcher", () => {
  it("runs the sources through tsx, saying so once, when nothing was built", () => {
    const run = launch("--help", "x");
    expect(run.url).toBe(`file://${path.join(repo, "src", "entry.ts")}`);
    expect(run.args).toEqual(["--help", "x"]);
    expect(run.stderr.match(/meshproof: there is no compiled build: running the TypeScript sources through tsx/g)?.length).toBe(1);
  });

  it("runs the compiled tree once it is built from the sources on disk, silently, and it finds the repository's root", async () => {
    await build(repo);
    expect(staleBecause(repo)).toBeUndefined();
    const run = launch("a");
    expect(run.url).toBe(`file://${path.join(repo, ".build", "src", "entry.js")}`);
    expect(run.args).toEqual(["a"]);
    expect(run.stderr).toBe("");
    // Found from one folder deeper than in the sources, so files read at run time (and the plan cache's key) stay the same.
    expect(run.root).toBe(repo);
  });

  it("runs in its own process either way, so a Ctrl-C reaches the program once and npm waits for its cleanup", async () => {
    await build(repo);
    const compiled = launch();
    expect(compiled.pid).toBe(compiled.childPid);
    rmSync(path.join(repo, ".build"), { recursive: true });
    const sources = launch();
    expect(sources.pid).toBe(sources.childPid);
  });

  it("goes back to the sources after an edit, a new file or a removed one, naming the cause", async () => {
    await build(repo);
    write("src/entry.ts", `${ENTRY}// edited\n`);
    expect(chooseEntry("src/entry.ts", repo)).toMatchObject({ compiled: false, reason: "a source file changed since the last build" });
    const edited = launch();
    expect(edited.url).toMatch(/\/src\/entry\.ts$/);
    expect(edited.stderr).toMatch(/^meshproof: a source file changed since the last build: running the TypeScript sources through tsx/);

    await build(repo);
    expect(chooseEntry("src/entry.ts", repo).compiled).toBe(true);
    write("src/extra.ts", "export const extra = 1;\n");
    expect(chooseEntry("src/entry.ts", repo).reason).toBe("src/extra.ts was added or removed since the last build");

    await build(repo);
    rmSync(path.join(repo, "src", "extra.ts"));
    expect(chooseEntry("src/entry.ts", repo).reason).toBe("src/extra.ts was added or removed since the last build");
    expect(launch().url).toMatch(/\/src\/entry\.ts$/);

    // A rebuild catches up, and drops what the removed source compiled to.
    await build(repo);
    expect(launch().url).toMatch(/\/\.build\/src\/entry\.js$/);
    expect(() => readFileSync(path.join(repo, ".build", "src", "extra.js"))).toThrow();
  }, 60_000);

  it("skips a build that is already current when asked to (npm run setup does)", async () => {
    await build(repo);
    expect((await build(repo, { ifStale: true })).skipped).toBe(true);
    write("src/entry.ts", `${ENTRY}// edited again\n`);
    expect((await build(repo, { ifStale: true })).skipped).toBe(false);
    expect(chooseEntry("src/entry.ts", repo).compiled).toBe(true);
  }, 60_000);
});
