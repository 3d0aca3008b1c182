/**
 * Where setup takes Linkerd's binaries from (MESHPROOF_LINKERD_BINARIES, a folder or an
 * archive, else ../shared beside the repository or its main worktree) and the checksum gate
 * that keeps any other build out.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ToolMissingError } from "../../src/core/tools.js";
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { LINKERD_BINARIES_ENV, LINKERD_BINARY_SHA256 } from "../../src/mesh/linkerd/built-from-source.js";
import { defaultArchiveCandidates, ensureLinkerdBinaries, linkerdBinarySource, verifyLinkerdBinaries } from "../../scripts/setup/linkerd.js";

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "meshproof-linkerd-binaries-"));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("where the Linkerd binaries come from", () => {
  it("takes the folder or archive the variable names", () => {
    const folder = join(scratch, "folder");
    mkdirSync(folder, { recursive: true });
    const archive = join(scratch, "l5d.tar.gz");
    writeFileSync(archive, "");
    expect(linkerdBinarySource({ [LINKERD_BINARIES_ENV]: folder }, [])).toEqual({ kind: "folder", path: folder, from: "env" });
    expect(linkerdBinarySource({ [LINKERD_BINARIES_ENV]: archive }, [])).toEqual({ kind: "archive", path: archive, from: "env" });
  });

  it("refuses a variable naming nothing, with exit 4 and what to do", () => {
    const call = () => linkerdBinarySource({ [LINKERD_BINARIES_ENV]: join(scratch, "absent") }, []);
    expect(call).toThrow(ToolMissingError);
    expect(call).toThrow(/MESHPROOF_LINKERD_BINARIES=.*absent does not exist: point it at a folder or a \.tar\.gz/);
  });

  it("falls back to the first default that exists, and to nothing", () => {
    const present = join(scratch, "l5d.tar.gz");
    expect(linkerdBinarySource({}, [join(scratch, "nope.tar.gz"), present])).toEqual({ kind: "archive", path: present, from: "default" });
    expect(linkerdBinarySource({}, [join(scratch, "nope.tar.gz")])).toBeUndefined();
  });

  it("looks beside the repository and, in a linked worktree, beside the main one", () => {
    const repo = join(scratch, "wt", "feature");
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, ".git"), "gitdir: /srv/main/.git/worktrees/feature\n");
    expect(defaultArchiveCandidates(repo)).toEqual([join(scratch, "wt", "shared", "linkerd-2.20-linux-amd64.tar.gz"), "/srv/shared/linkerd-2.20-linux-amd64.tar.gz"]);
    const clone = join(scratch, "clone");
    mkdirSync(join(clone, ".git"), { recursive: true });
    expect(defaultArchiveCandidates(clone)).toEqual([join(scratch, "shared", "linkerd-2.20-linux-amd64.tar.gz")]);
  });
});

describe("the checksum gate", () => {
  it("passes the pinned build and names every binary that differs or is missing", async () => {
    const build = readMeshBuilds().linkerd;
    expect(build, "run `npm run setup` with the Linkerd binaries at hand").toBeDefined();
    expect(await verifyLinkerdBinaries(build!.dir)).toEqual([]);

    const tampered = join(scratch, "tampered");
    mkdirSync(tampered, { recursive: true });
    for (const name of Object.keys(LINKERD_BINARY_SHA256)) copyFileSync(join(build!.dir, name), join(tampered, name));
    writeFileSync(join(tampered, "linkerd2-proxy"), "not the proxy\n");
    rmSync(join(tampered, "proxy-identity"));
    const problems = await verifyLinkerdBinaries(tampered);
    expect(problems).toEqual([expect.stringMatching(/^linkerd2-proxy has sha256 [0-9a-f]{64}, expected c9992d87/), "proxy-identity is missing"]);

    const cache = join(scratch, "cache");
    const attempt = ensureLinkerdBinaries(cache, { kind: "folder", path: tampered, from: "env" });
    await expect(attempt).rejects.toThrow(ToolMissingError);
    await expect(ensureLinkerdBinaries(cache, { kind: "folder", path: tampered, from: "env" })).rejects.toThrow(/are not the pinned build: linkerd2-proxy has sha256/);
  });
});
