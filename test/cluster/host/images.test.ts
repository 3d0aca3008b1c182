import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BUILD_IMAGES_SCRIPT,
  ensureImage,
  ensurePauseBinary,
  hostImageRecipes,
  imagePlanSteps,
  imagesCacheDir,
  LLM_SIM_IMAGE,
  LOADGEN_IMAGE,
  PAUSE_IMAGE,
  plannedImages,
  loadgenRecipe,
  pauseRecipe,
  plannedImage,
  writeOciArchive,
  type ImageSpec,
} from "../../../src/cluster/host/images/index.js";
import { debootstrapArgv, mirrorFromSources } from "../../../src/cluster/host/images/debian.js";
import { tagOf } from "../../../src/cluster/host/images/oci.js";
import { isStaticElf, parseLdd } from "../../../src/cluster/host/images/recipes.js";

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "meshproof-images-"));
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** The archive's members as name -> bytes (GNU tar reads it back). */
function members(archive: string): Map<string, Buffer> {
  const out = join(scratch, `x-${Math.random().toString(36).slice(2)}`);
  mkdirSync(out);
  execFileSync("tar", ["-xf", archive, "-C", out]);
  const read = (path: string) => readFileSync(join(out, path));
  const index = JSON.parse(read("index.json").toString()) as { manifests: Array<{ digest: string; annotations: Record<string, string> }> };
  const found = new Map<string, Buffer>([
    ["index.json", read("index.json")],
    ["oci-layout", read("oci-layout")],
  ]);
  for (const name of execFileSync("ls", [join(out, "blobs", "sha256")]).toString().trim().split("\n")) {
    found.set(`blobs/sha256/${name}`, read(join("blobs", "sha256", name)));
  }
  expect(index.manifests).toHaveLength(1);
  return found;
}

function blob(files: Map<string, Buffer>, digest: string): Buffer {
  const bytes = files.get(`blobs/sha256/${digest.replace("sha256:", "")}`);
  if (!bytes) throw new Error(`no blob ${digest}`);
  return bytes;
}

function sampleSpec(dir: string, ref = "meshproof.local/sample:t1"): ImageSpec {
  mkdirSync(join(dir, "rootfs", "etc"), { recursive: true });
  mkdirSync(join(dir, "rootfs", "dev"), { recursive: true });
  writeFileSync(join(dir, "rootfs", "etc", "hostname"), "sample\n");
  writeFileSync(join(dir, "rootfs", "dev", "junk"), "excluded\n");
  writeFileSync(join(dir, "tool"), "#!/bin/sh\necho hi\n");
  chmodSync(join(dir, "tool"), 0o755);
  return {
    ref,
    layers: [
      { kind: "rootfs", dir: join(dir, "rootfs"), exclude: ["dev/*"], description: "a tiny rootfs" },
      {
        kind: "files",
        description: "a tool",
        entries: [
          { path: "/usr/local/bin/tool", from: join(dir, "tool") },
          { path: "/etc/motd", content: "hello\n", mode: 0o600 },
          { path: "/tmp", directory: true, mode: 0o1777 },
          { path: "/bin/t", symlink: "/usr/local/bin/tool" },
        ],
      },
    ],
    config: { entrypoint: ["/usr/local/bin/tool"], cmd: ["--x"], env: { A: "1" }, user: "1000:1000", workingDir: "/tmp", labels: { l: "v" }, exposedPorts: [8000] },
  };
}

describe("OCI archives", () => {
  it("are an image layout with the reference in the index, config and layers linked by digest", async () => {
    const spec = sampleSpec(scratch);
    const written = await writeOciArchive(spec, join(scratch, "a.tar"), join(scratch, "work"));
    const files = members(written.archive);
    expect(JSON.parse(files.get("oci-layout")!.toString())).toEqual({ imageLayoutVersion: "1.0.0" });
    const index = JSON.parse(files.get("index.json")!.toString());
    const entry = index.manifests[0];
    expect(entry.digest).toBe(written.manifestDigest);
    expect(entry.annotations).toEqual({ "io.containerd.image.name": spec.ref, "org.opencontainers.image.ref.name": "t1" });
    expect(entry.platform).toEqual({ architecture: "amd64", os: "linux" });

    // Every digest is the sha256 of its blob: a layout containerd verifies on import.
    for (const [name, bytes] of files) {
      if (name.startsWith("blobs/")) expect(createHash("sha256").update(bytes).digest("hex")).toBe(name.slice("blobs/sha256/".length));
    }
    const manifest = JSON.parse(blob(files, entry.digest).toString());
    expect(manifest.layers).toHaveLength(2);
    const config = JSON.parse(blob(files, manifest.config.digest).toString());
    expect(config.config).toEqual({
      User: "1000:1000",
      ExposedPorts: { "8000/tcp": {} },
      Env: ["A=1"],
      Entrypoint: ["/usr/local/bin/tool"],
      Cmd: ["--x"],
      WorkingDir: "/tmp",
      Labels: { l: "v" },
    });
    expect(config.created).toBe("1970-01-01T00:00:00Z");

    // diff_ids are the digests of the uncompressed layers.
    const layerTars = manifest.layers.map((layer: { digest: string }) => gunzipSync(blob(files, layer.digest)));
    expect(config.rootfs.diff_ids).toEqual(layerTars.map((tar: Buffer) => `sha256:${createHash("sha256").update(tar).digest("hex")}`));

    const listing = (tar: Buffer) => {
      const path = join(scratch, `l-${Math.random().toString(36).slice(2)}.tar`);
      writeFileSync(path, tar);
      return execFileSync("tar", ["-tvf", path, "--numeric-owner", "--full-time"]).toString();
    };
    const base = listing(layerTars[0]);
    expect(base).toContain("etc/hostname");
    expect(base).not.toContain("dev/junk");
    expect(base).not.toMatch(/^\S+ \S+ +\d+ \S+ \S+ \.\/?$/m); // no "./" entry for the image root
    const top = listing(layerTars[1]);
    expect(top).toMatch(/^-rwxr-xr-x 0\/0 .* 1970-01-01 00:00:00 usr\/local\/bin\/tool$/m);
    expect(top).toMatch(/^-rw------- 0\/0 .* etc\/motd$/m);
    expect(top).toMatch(/^drwxrwxrwt 0\/0 .* tmp\/$/m);
    expect(top).toMatch(/^lrwxrwxrwx 0\/0 .* bin\/t -> \/usr\/local\/bin\/tool$/m);
    expect(top).toMatch(/^drwxr-xr-x 0\/0 .* usr\/local\/$/m);
  });

  it("are the same bytes for the same inputs, whatever the inputs' mtimes, and differ when a byte does", async () => {
    const spec = sampleSpec(scratch);
    const first = await writeOciArchive(spec, join(scratch, "1.tar"), join(scratch, "work"));
    utimesSync(join(scratch, "tool"), new Date(2020, 1, 1), new Date(2020, 1, 1));
    utimesSync(join(scratch, "rootfs", "etc", "hostname"), new Date(2021, 1, 1), new Date(2021, 1, 1));
    const second = await writeOciArchive(spec, join(scratch, "2.tar"), join(scratch, "work"));
    expect(readFileSync(second.archive).equals(readFileSync(first.archive))).toBe(true);

    writeFileSync(join(scratch, "tool"), "#!/bin/sh\necho bye\n");
    const changed = await writeOciArchive(spec, join(scratch, "3.tar"), join(scratch, "work"));
    expect(changed.manifestDigest).not.toBe(first.manifestDigest);
  });

  it("reuse a packed rootfs layer kept in packedCache instead of packing the tree again", async () => {
    const spec = sampleSpec(scratch);
    const packedCache = join(scratch, "base-layer.tar.gz");
    const cachedSpec: ImageSpec = { ...spec, layers: spec.layers.map((l) => (l.kind === "rootfs" ? { ...l, packedCache } : l)) };
    const first = await writeOciArchive(cachedSpec, join(scratch, "1.tar"), join(scratch, "work"));
    const plain = await writeOciArchive(spec, join(scratch, "2.tar"), join(scratch, "work"));
    expect(first.manifestDigest).toBe(plain.manifestDigest);
    // With the tree gone, only the kept layer can supply it.
    rmSync(join(scratch, "rootfs"), { recursive: true });
    const again = await writeOciArchive(cachedSpec, join(scratch, "3.tar"), join(scratch, "work"));
    expect(readFileSync(again.archive).equals(readFileSync(first.archive))).toBe(true);
    await expect(writeOciArchive(spec, join(scratch, "4.tar"), join(scratch, "work"))).rejects.toThrow();
  });

  it("refuse a reference without a tag and file paths that are not absolute", async () => {
    expect(() => tagOf("meshproof.local:5000/pause")).toThrow(/has no tag/);
    expect(tagOf("meshproof.local:5000/pause:v1")).toBe("v1");
    const spec: ImageSpec = { ref: "meshproof.local/x:1", config: {}, layers: [{ kind: "files", description: "bad", entries: [{ path: "etc/x", content: "" }] }] };
    await expect(writeOciArchive(spec, join(scratch, "bad.tar"), join(scratch, "work"))).rejects.toThrow(/must be absolute/);
  });
});

describe("the Debian base", () => {
  it("takes the mirror apt uses for bookworm from deb822 and one-line sources", () => {
    const deb822 = [
      "Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\nComponents: main",
      "Types: deb\n# http://snapshot.debian.org/archive/debian/20250520T000000Z\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main",
    ].join("\n\n");
    expect(mirrorFromSources([{ name: "debian.sources", text: deb822 }])).toBe("http://mirror.example/debian");
    expect(mirrorFromSources([{ name: "debian.sources", text: deb822.replace("bookworm bookworm-updates", "trixie") }])).toBeUndefined();
    expect(mirrorFromSources([{ name: "x.sources", text: "Enabled: no\nTypes: deb\nURIs: http://off.example\nSuites: bookworm" }])).toBeUndefined();
    const list = "# deb http://old.example/debian bookworm main\ndeb [arch=amd64] http://list.example/debian bookworm main\n";
    expect(mirrorFromSources([{ name: "sources.list", text: list }])).toBe("http://list.example/debian");
    // A .disabled file is not read as either format.
    expect(mirrorFromSources([{ name: "x.list.disabled", text: list }])).toBeUndefined();
  });

  it("is made by debootstrap minbase with the packages sorted into one --include", () => {
    expect(debootstrapArgv("/t", "http://m/debian", ["iptables", "ca-certificates"])).toEqual([
      "debootstrap",
      "--variant=minbase",
      "--include=ca-certificates,iptables",
      "bookworm",
      "/t",
      "http://m/debian",
    ]);
  });
});

describe("recipes", () => {
  it("list the loader and every library ldd resolves", () => {
    const ldd = [
      "\tlinux-vdso.so.1 (0x00007ffd)",
      "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f80)",
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f80)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f80)",
    ].join("\n");
    expect(parseLdd(ldd)).toEqual(["/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib64/ld-linux-x86-64.so.2"]);
  });

  it("tell a static binary from a dynamic one", async () => {
    const pause = await ensurePauseBinary(join(scratch, "cache"));
    expect(await isStaticElf(pause)).toBe(true);
    expect(await isStaticElf(process.execPath)).toBe(false);
    writeFileSync(join(scratch, "script"), "#!/bin/sh\n");
    expect(await isStaticElf(join(scratch, "script"))).toBe(false);
  });

  it("tag loadgen by its binary and refuse a dynamic one with the fix in the message", async () => {
    const pause = await ensurePauseBinary(join(scratch, "cache"));
    const binary = join(scratch, "loadgen");
    copyFileSync(pause, binary);
    const before = await plannedImage(loadgenRecipe(binary), join(scratch, "cache"));
    expect(before.ref).toMatch(new RegExp(`^${LOADGEN_IMAGE}:[0-9a-f]{12}$`));
    writeFileSync(binary, Buffer.concat([readFileSync(pause), Buffer.from("x")]));
    const after = await plannedImage(loadgenRecipe(binary), join(scratch, "cache"));
    expect(after.ref).not.toBe(before.ref);

    const dynamic = join(scratch, "dynamic");
    copyFileSync("/bin/ls", dynamic);
    await expect(ensureImage(loadgenRecipe(dynamic), join(scratch, "cache"))).rejects.toThrow(/not a static x86-64 binary: build it with CGO_ENABLED=0/);
    await expect(plannedImage(loadgenRecipe(join(scratch, "absent")), join(scratch, "cache"))).rejects.toThrow(/does not exist: build it first/);
  });

  it("build once per content key and then take the archive from the cache", async () => {
    const cache = join(scratch, "cache");
    const first = await ensureImage(pauseRecipe, cache);
    expect(first.built).toBe(true);
    const again = await ensureImage(pauseRecipe, cache);
    expect(again).toMatchObject({ built: false, ref: first.ref, archive: first.archive, bytes: first.bytes });
  });

  it("cache under XDG_CACHE_HOME/meshproof/images, beside the tools", () => {
    expect(imagesCacheDir({ XDG_CACHE_HOME: "/x", HOME: "/h" })).toBe("/x/meshproof/images");
    expect(imagesCacheDir({ XDG_CACHE_HOME: "relative", HOME: "/h" })).toBe("/h/.cache/meshproof/images");
  });
});

describe("the plan", () => {
  it("builds (unless cached) and imports each image into the named containerd, pause first", async () => {
    const cache = join(scratch, "cache");
    const pause = await plannedImage(pauseRecipe, cache);
    const steps = imagePlanSteps({ address: "/state/containerd.sock" }, [pause], { undo: true });
    expect(steps.map((step) => step.argv)).toEqual([
      ["npx", "tsx", BUILD_IMAGES_SCRIPT, "pause"],
      ["ctr", "--address", "/state/containerd.sock", "-n", "k8s.io", "images", "import", pause.archive],
    ]);
    expect(steps[0]!.skipIf).toEqual(["test", "-s", pause.archive]);
    expect(steps[1]!.undo?.[0]).toMatchObject({ kind: "command", argv: ["ctr", "--address", "/state/containerd.sock", "-n", "k8s.io", "images", "rm", pause.ref] });
    expect(imagePlanSteps({ address: "/s" }, [pause])[1]!.undo).toBeUndefined();
    expect(steps[0]!.env).toBeUndefined();
  });

  it("lists pause, llm-sim and (given its binary) loadgen, whose build step names the binary", async () => {
    const cache = join(scratch, "cache");
    expect(hostImageRecipes().map((recipe) => recipe.name)).toEqual(["pause", "llm-sim"]);
    const binary = await ensurePauseBinary(cache);
    const planned = await plannedImages(hostImageRecipes({ loadgenBinary: binary }), cache);
    expect(planned.map((image) => image.ref.split(":")[0])).toEqual([PAUSE_IMAGE, LLM_SIM_IMAGE, LOADGEN_IMAGE]);
    const loadgenBuild = imagePlanSteps({ address: "/s" }, planned)[4]!;
    expect(loadgenBuild.argv).toEqual(["npx", "tsx", BUILD_IMAGES_SCRIPT, "loadgen"]);
    expect(loadgenBuild.env).toEqual({ LOADGEN_BIN: binary });
  });
});
