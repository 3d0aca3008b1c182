/**
 * The mesh images for real (after `npm run setup`): each imports into a containerd of the
 * test's own and its binaries run under runc; and inside each image's root filesystem
 * (layers unpacked, chroot) every binary the rendered pods call starts and reports itself.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureImage, importImage, imagesCacheDir, listImages, type EnsuredImage } from "../../src/cluster/host/images/index.js";
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { istioImageRecipes } from "../../src/mesh/istio/images.js";
import { ENVOY_VERSION, ISTIO_HOST_VERSION } from "../../src/mesh/istio/upstream-envoy-variant.js";
import { linkerdImageRecipes } from "../../src/mesh/linkerd/images.js";
import { startPrivateContainerd, type PrivateContainerd } from "../cluster/host/private-containerd.js";

const exec = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const RUN_TIMEOUT_MS = 60_000;
/** Four imports of ~300 MB of layers and two container runs: minutes on a busy 2-core machine (the 60 s default cut it in CI). */
const IMPORT_AND_RUN_BUDGET_MS = 4 * 60_000 + 2 * RUN_TIMEOUT_MS;

interface Unpacked {
  image: EnsuredImage;
  root: string;
}

let scratch: string;
let containerd: PrivateContainerd;
const images: Record<"pilot" | "proxyv2" | "controller" | "proxy", Unpacked> = {} as never;

/** The image's layers, in order, unpacked into one folder (no whiteouts in these images). */
async function unpack(image: EnsuredImage, name: string): Promise<Unpacked> {
  const oci = mkdtempSync(join(scratch, `${name}-oci-`));
  const root = mkdtempSync(join(scratch, `${name}-root-`));
  await chmod(root, 0o755); // mkdtemp makes it 0700: a non-root user could not enter `/`
  await exec("tar", ["-xf", image.archive, "-C", oci]);
  const { readFile } = await import("node:fs/promises");
  const index = JSON.parse(await readFile(join(oci, "index.json"), "utf8")) as { manifests: Array<{ digest: string }> };
  const blob = (digest: string) => join(oci, "blobs", "sha256", digest.replace("sha256:", ""));
  const manifest = JSON.parse(await readFile(blob(index.manifests[0]!.digest), "utf8")) as { layers: Array<{ digest: string }> };
  for (const layer of manifest.layers) await exec("tar", ["-xzf", blob(layer.digest), "-C", root], { maxBuffer: 64 * 1024 * 1024 });
  return { image, root };
}

/** Run inside the image's filesystem; output is stdout and stderr together. */
async function inImage(u: Unpacked, argv: string[], user = "0:0"): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("chroot", [`--userspec=${user}`, u.root, ...argv], { stdio: ["ignore", "pipe", "pipe"], timeout: RUN_TIMEOUT_MS, env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" } });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

describe.skipIf(!isRoot)("the mesh images run (needs root; run `npm run setup` first)", () => {
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "meshproof-mesh-images-run-"));
    const { istio, envoy, linkerd } = readMeshBuilds();
    if (!istio || !envoy || !linkerd) throw new Error("no Istio, Envoy or Linkerd build recorded: run `npm run setup` with the Linkerd binaries at hand");
    // ensureImage only reads the cache when setup built them; the keys make that safe.
    const [pilot, proxyv2] = await istioImageRecipes({ istio, envoy });
    const [controller, proxy] = await linkerdImageRecipes(linkerd);
    const built = await Promise.all([pilot!, proxyv2!, controller!, proxy!].map((r) => ensureImage(r, imagesCacheDir())));
    images.pilot = await unpack(built[0]!, "pilot");
    images.proxyv2 = await unpack(built[1]!, "proxyv2");
    images.controller = await unpack(built[2]!, "controller");
    images.proxy = await unpack(built[3]!, "proxy");
    containerd = await startPrivateContainerd();
  }, 600_000);

  afterAll(async () => {
    await containerd?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("imports every image under the reference the CLIs render, and proxyv2's pilot-agent and Envoy run under runc", async () => {
    for (const u of Object.values(images)) await importImage({ address: containerd.address }, u.image);
    const refs = await listImages({ address: containerd.address });
    for (const u of Object.values(images)) expect(refs).toContain(u.image.ref);
    // ctr's arguments after the container id replace the whole command.
    const agent = await containerd.ctr(["run", "--rm", images.proxyv2.image.ref, "proxyv2-agent", "/usr/local/bin/pilot-agent", "version", "--short"], RUN_TIMEOUT_MS);
    expect(agent.stdout + agent.stderr).toContain(`client version: ${ISTIO_HOST_VERSION}`);
    const envoy = await containerd.ctr(["run", "--rm", images.proxyv2.image.ref, "proxyv2-envoy", "/usr/local/bin/envoy", "--version"], RUN_TIMEOUT_MS);
    expect(envoy.stdout).toContain(`/${ENVOY_VERSION}/Clean/RELEASE/BoringSSL`);
  }, IMPORT_AND_RUN_BUDGET_MS);

  it("proxyv2: stock Envoy, pilot-agent, both iptables and the istio-proxy user", async () => {
    const p = images.proxyv2;
    expect((await inImage(p, ["/usr/local/bin/envoy", "--version"], "1337:1337")).output).toMatch(new RegExp(`/${ENVOY_VERSION.replace(/\./g, "\\.")}/Clean/RELEASE/BoringSSL`));
    expect((await inImage(p, ["iptables-nft", "--version"])).output).toMatch(/nf_tables/);
    expect((await inImage(p, ["iptables-legacy", "--version"])).output).toMatch(/legacy/);
    expect((await inImage(p, ["id", "istio-proxy"])).output).toMatch(/uid=1337\(istio-proxy\) gid=1337\(istio-proxy\)/);
  });

  it("pilot: pilot-discovery runs as uid 1337", async () => {
    const r = await inImage(images.pilot, ["/usr/local/bin/pilot-discovery", "version", "--short"], "1337:1337");
    expect(r.output).toContain(`client version: ${ISTIO_HOST_VERSION}`);
  });

  it("Linkerd proxy: the proxy starts, proxy-identity and proxy-init answer, iptables is there", async () => {
    const p = images.proxy;
    // With no configuration the proxy prints its release banner and then fails on the missing settings.
    expect((await inImage(p, ["/usr/lib/linkerd/linkerd2-proxy"], "2102:2102")).output).toMatch(/linkerd2_proxy: release 2\.359\.0/);
    expect((await inImage(p, ["/usr/lib/linkerd/linkerd2-proxy-identity"], "2102:2102")).output).toMatch(/end-entity directory/);
    expect((await inImage(p, ["/usr/lib/linkerd/linkerd2-proxy-init", "--help"])).output).toMatch(/proxy-init adds a Kubernetes pod to the Linkerd service mesh/);
    expect((await inImage(p, ["iptables-nft-save", "--version"])).code).toBe(0);
  });

  it("Linkerd controller: the Go controller and the Rust policy controller start", async () => {
    const c = images.controller;
    expect((await inImage(c, ["/controller", "nonexistent"], "2103:2103")).output).toMatch(/unknown subcommand/);
    // Its argument parser answering (it takes no --help) shows the binary and its libraries load.
    const policy = await inImage(c, ["/linkerd-policy-controller", "--help"], "2103:2103");
    expect(policy.output).not.toMatch(/error while loading shared libraries|No such file/);
    expect(policy.output).toMatch(/error: unexpected argument found/);
  });
});
