/**
 * The mesh images: named exactly as the mesh CLIs render them, cached by content, and (after
 * `npm run setup`) holding each binary where the rendered pods look for it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { archivePath } from "../../src/cluster/host/images/cache.js";
import { imagesCacheDir } from "../../src/cluster/host/images/index.js";
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { meshImageKey, type MeshImageOptions } from "../../src/mesh/images.js";
import { istioImageRecipes } from "../../src/mesh/istio/images.js";
import { ISTIO_HOST_VERSION, ISTIO_LOCAL_HUB } from "../../src/mesh/istio/upstream-envoy-variant.js";
import { LINKERD_LOCAL_REGISTRY, LINKERD_SOURCE_VERSION } from "../../src/mesh/linkerd/built-from-source.js";
import { linkerdImageRecipes } from "../../src/mesh/linkerd/images.js";

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "meshproof-mesh-images-"));
});
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function fakeBuild(name: string, files: string[]): { dir: string; version: string } {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const file of files) writeFileSync(join(dir, file), `${file} v1\n`);
  return { dir, version: "test" };
}

describe("mesh image recipes", () => {
  it("name the images the CLIs render, with the version tag", async () => {
    const istio = fakeBuild("istio", ["pilot-discovery", "pilot-agent", "envoy_bootstrap_tmpl.json"]);
    const envoy = fakeBuild("envoy", ["envoy"]);
    const linkerd = fakeBuild("linkerd", ["controller", "linkerd-policy-controller", "proxy-identity", "linkerd2-proxy", "linkerd2-proxy-init"]);
    const refs = async (recipes: Array<{ repository: string; tag(): Promise<string> }>) => Promise.all(recipes.map(async (r) => `${r.repository}:${await r.tag()}`));
    expect(await refs(await istioImageRecipes({ istio, envoy }))).toEqual([`${ISTIO_LOCAL_HUB}/pilot:${ISTIO_HOST_VERSION}`, `${ISTIO_LOCAL_HUB}/proxyv2:${ISTIO_HOST_VERSION}`]);
    expect(await refs(await linkerdImageRecipes(linkerd))).toEqual([`${LINKERD_LOCAL_REGISTRY}/controller:${LINKERD_SOURCE_VERSION}`, `${LINKERD_LOCAL_REGISTRY}/proxy:${LINKERD_SOURCE_VERSION}`]);
  });

  it("key the archive by content: a changed binary is a new archive under the same reference", async () => {
    const { dir } = fakeBuild("keyed", ["agent"]);
    const options: MeshImageOptions = { name: "x", repository: "meshproof.local/x", tag: "v1", include: ["iptables"], files: [{ path: "/agent", from: join(dir, "agent"), mode: 0o755 }], config: {} };
    const before = await meshImageKey(options);
    expect(await meshImageKey(options)).toBe(before);
    writeFileSync(join(dir, "agent"), "agent v2\n");
    expect(await meshImageKey(options)).not.toBe(before);
    expect(await meshImageKey({ ...options, include: [] })).not.toBe(await meshImageKey(options));
    expect(await meshImageKey({ ...options, files: [{ ...options.files[0]!, path: "/usr/bin/agent" }] })).not.toBe(await meshImageKey(options));
  });
});

/** Every path in the image's layers (all gzip blobs), from the archive setup wrote. */
function imagePaths(archive: string): { ref: string; paths: Set<string>; config: { config?: { Entrypoint?: string[]; User?: string } } } {
  const dir = mkdtempSync(join(scratch, "oci-"));
  execFileSync("tar", ["-xf", archive, "-C", dir]);
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { manifests: Array<{ digest: string; annotations: Record<string, string> }> };
  const entry = index.manifests[0]!;
  const blob = (digest: string) => join(dir, "blobs", "sha256", digest.replace("sha256:", ""));
  const manifest = JSON.parse(readFileSync(blob(entry.digest), "utf8")) as { config: { digest: string }; layers: Array<{ digest: string }> };
  const paths = new Set<string>();
  for (const layer of manifest.layers) {
    for (const line of execFileSync("tar", ["-tzf", blob(layer.digest)], { maxBuffer: 256 * 1024 * 1024 }).toString().split("\n")) {
      if (line) paths.add(`/${line.replace(/^\.?\//, "").replace(/\/$/, "")}`);
    }
  }
  return { ref: entry.annotations["io.containerd.image.name"]!, paths, config: JSON.parse(readFileSync(blob(manifest.config.digest), "utf8")) };
}

describe("the mesh images setup built", () => {
  async function archiveOf(recipe: { name: string; tag(): Promise<string> }): Promise<string> {
    const path = archivePath(imagesCacheDir(), recipe.name, await recipe.tag());
    expect(existsSync(path), `${path}: run \`npm run setup\``).toBe(true);
    return path;
  }

  it("Linkerd's proxy image holds the proxy, its identity helper and proxy-init with both iptables", async () => {
    const build = readMeshBuilds().linkerd;
    expect(build, "run `npm run setup` with the Linkerd binaries at hand").toBeDefined();
    const [controller, proxy] = await linkerdImageRecipes(build!);
    const p = imagePaths(await archiveOf(proxy!));
    expect(p.ref).toBe(`${LINKERD_LOCAL_REGISTRY}/proxy:${LINKERD_SOURCE_VERSION}`);
    for (const path of ["/usr/lib/linkerd/linkerd2-proxy", "/usr/lib/linkerd/linkerd2-proxy-identity", "/usr/lib/linkerd/linkerd2-proxy-init", "/usr/sbin/iptables-nft", "/usr/sbin/iptables-legacy"]) {
      expect(p.paths.has(path), path).toBe(true);
    }
    expect(p.config.config?.Entrypoint).toEqual(["/usr/lib/linkerd/linkerd2-proxy-identity"]);
    const c = imagePaths(await archiveOf(controller!));
    expect(c.paths.has("/controller") && c.paths.has("/linkerd-policy-controller")).toBe(true);
    expect(c.paths.has("/usr/sbin/iptables-nft"), "the controller needs no iptables").toBe(false);
  });

  it("Istio's proxyv2 holds pilot-agent, stock Envoy where pilot-agent looks, the bootstrap template, iptables and uid 1337", async () => {
    const { istio, envoy } = readMeshBuilds();
    expect(istio && envoy, "run `npm run setup` (it builds Istio and unpacks Envoy)").toBeTruthy();
    const [pilot, proxyv2] = await istioImageRecipes({ istio: istio!, envoy: envoy! });
    const p = imagePaths(await archiveOf(proxyv2!));
    expect(p.ref).toBe(`${ISTIO_LOCAL_HUB}/proxyv2:${ISTIO_HOST_VERSION}`);
    for (const path of ["/usr/local/bin/pilot-agent", "/usr/local/bin/envoy", "/var/lib/istio/envoy/envoy_bootstrap_tmpl.json", "/usr/sbin/iptables-nft", "/usr/sbin/iptables-legacy"]) {
      expect(p.paths.has(path), path).toBe(true);
    }
    const g = imagePaths(await archiveOf(pilot!));
    expect(g.paths.has("/usr/local/bin/pilot-discovery")).toBe(true);
    expect(g.config.config?.User).toBe("1337:1337");
  });
});
