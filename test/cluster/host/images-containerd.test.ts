/**
 * The images for real: imported into a containerd this file starts on its own socket and
 * folders, then run with runc. pause must sleep until SIGTERM and exit 0; llm-sim must answer its
 * readiness probe inside its container; the loadgen recipe must hold any static binary.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  debianImageRecipe,
  ensureImage,
  importImage,
  imagesCacheDir,
  listImages,
  llmSimRecipe,
  loadImages,
  loadgenRecipe,
  pauseRecipe,
  prometheusRecipe,
  type EnsuredImage,
} from "../../../src/cluster/host/images/index.js";
import { CleanupStack } from "../../../src/core/cleanup.js";
import { findTool } from "../../../src/core/tools.js";
import { freePort } from "../../../src/metrics/free-port.js";
import { startPrivateContainerd, type PrivateContainerd } from "./private-containerd.js";

const exec = promisify(execFile);
const isRoot = process.getuid?.() === 0;
/** Starting a container on a busy machine: generous, and only an upper bound. */
const TASK_TIMEOUT_MS = 60_000;
/** debootstrap of a cold Debian base took about two minutes on a busy machine. */
const DEBIAN_BUILD_TIMEOUT_MS = 20 * 60_000;
const STAND_IN_EXIT = 7;

let containerd: PrivateContainerd;
let scratch: string;
let pause: EnsuredImage;
let sim: EnsuredImage;
let loadgen: EnsuredImage;
let loaded: EnsuredImage[];

/**
 * A static stand-in for the load generator that exits 7: an exit code survives `ctr task exec`
 * on a busy machine, where the output of so short a process is sometimes lost.
 */
async function staticStandIn(dir: string): Promise<string> {
  const src = join(dir, "standin");
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, "go.mod"), "module standin\n\ngo 1.22\n");
  writeFileSync(join(src, "main.go"), `package main\n\nimport "os"\n\nfunc main() { os.Exit(${STAND_IN_EXIT}) }\n`);
  const out = join(dir, "loadgen");
  await exec(findTool("go").path, ["build", "-C", src, "-trimpath", "-o", out, "."], { env: { ...process.env, CGO_ENABLED: "0" } });
  return out;
}

interface Running {
  done: Promise<number | null>;
  output: () => string;
}

/** `ctr run --rm` in the foreground, as a child whose exit code is the container's. */
function runContainer(ref: string, id: string, extra: string[] = [], command: string[] = []): Running {
  const child = spawn("ctr", ["--address", containerd.address, "-n", "k8s.io", "run", "--rm", ...containerd.runFlags, ...extra, ref, id, ...command], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { done: new Promise((resolve) => child.on("close", (code) => resolve(code))), output: () => output };
}

/** Poll until `probe` resolves true; the last failure is in the timeout's message. */
async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = TASK_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      if (await probe()) return;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The task's row of `ctr task ls`: id, pid, status. */
async function taskRow(id: string): Promise<string[] | undefined> {
  const { stdout } = await containerd.ctr(["task", "ls"]);
  return stdout.split("\n").map((line) => line.trim().split(/\s+/)).find((cols) => cols[0] === id);
}

async function taskStatus(id: string): Promise<string | undefined> {
  return (await taskRow(id))?.[2];
}

async function taskPid(id: string): Promise<string | undefined> {
  return (await taskRow(id))?.[1];
}

describe.skipIf(!isRoot)("images in a private containerd (needs root, containerd and runc from setup)", () => {
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "meshproof-images-ctd-"));
    // The real cache: setup has usually built these already, and their keys make that safe.
    pause = await ensureImage(pauseRecipe, imagesCacheDir());
    sim = await ensureImage(llmSimRecipe, imagesCacheDir());
    // The test's own loadgen goes to a scratch cache, so it never shadows the real one.
    loadgen = await ensureImage(loadgenRecipe(await staticStandIn(scratch)), join(scratch, "cache"));
    containerd = await startPrivateContainerd();
    // pause and llm-sim as a cluster start loads them (cached by now, so only imported), loadgen alone.
    loaded = await loadImages({ address: containerd.address }, [pauseRecipe, llmSimRecipe], { cacheDir: imagesCacheDir() });
    await importImage({ address: containerd.address }, loadgen);
  });

  afterAll(async () => {
    await containerd?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("imports each archive under its reference, and a damaged archive fails naming the command", async () => {
    expect(loaded.map((image) => [image.ref, image.built])).toEqual([[pause.ref, false], [sim.ref, false]]);
    const refs = await listImages({ address: containerd.address });
    expect(refs).toEqual(expect.arrayContaining([pause.ref, sim.ref, loadgen.ref]));

    const damaged = join(scratch, "damaged.tar");
    writeFileSync(damaged, "not an archive");
    await expect(importImage({ address: containerd.address }, { ref: "meshproof.local/damaged:1", archive: damaged })).rejects.toThrow(
      /importing meshproof\.local\/damaged:1 .* failed .*ctr --address .* images import/s,
    );
  });

  it("registers the image's removal when asked, and removing it leaves it gone", async () => {
    const cleanup = new CleanupStack();
    const target = { address: containerd.address, namespace: "meshproof-test" };
    await importImage(target, pause, cleanup);
    expect(await listImages(target)).toContain(pause.ref);
    expect(cleanup.pending()).toEqual([`remove image ${pause.ref}`]);
    await cleanup.runAll();
    expect(await listImages(target)).not.toContain(pause.ref);
  });

  it("runs pause as uid 65535 until SIGTERM, then it exits 0", async () => {
    const running = runContainer(pause.ref, "pause-test");
    await waitFor("the pause task to run", async () => (await taskStatus("pause-test")) === "RUNNING");
    expect(readFileSync(`/proc/${await taskPid("pause-test")}/status`, "utf8")).toMatch(/^Uid:\s+65535\s/m);
    // Still running a moment later: it sleeps rather than exiting at once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await taskStatus("pause-test")).toBe("RUNNING");
    await containerd.ctr(["task", "kill", "-s", "SIGTERM", "pause-test"]);
    expect(await running.done, running.output()).toBe(0);
  });

  it("runs llm-sim on 0.0.0.0 with the LLMSIM_* settings, ready inside its own network namespace", async () => {
    const running = runContainer(sim.ref, "sim-test", ["--env", "LLMSIM_VERSION=canary"]);
    const probe = [
      "task", "exec", ...containerd.execFlags, "--exec-id", "probe", "sim-test", "/usr/local/bin/node", "-e",
      "fetch('http://127.0.0.1:8000/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
    ];
    await waitFor("llm-sim's readiness inside the container", async () => {
      await containerd.ctr(probe, 30_000);
      return true;
    });
    const listening = running.output().split("\n").find((line) => line.includes('"listening"'));
    expect(JSON.parse(listening ?? "{}")).toMatchObject({ host: "0.0.0.0", port: 8000, version: "canary", pid: 1 });
    await containerd.ctr(["task", "kill", "-s", "SIGTERM", "sim-test"]);
    expect(await running.done, running.output()).toBe(0);
    expect(running.output()).toContain('"stopped"');
  });

  it("holds the load generator at /loadgen in a pod kept alive by pause", async () => {
    const running = runContainer(loadgen.ref, "loadgen-test");
    await waitFor("the loadgen task to run", async () => (await taskStatus("loadgen-test")) === "RUNNING");
    const exitOf = (args: string[]) => containerd.ctr(["task", "exec", ...containerd.execFlags, ...args]).then(() => 0, (error: { code?: unknown }) => error.code);
    expect(await exitOf(["--exec-id", "run", "loadgen-test", "/loadgen"])).toBe(STAND_IN_EXIT);
    expect(await exitOf(["--exec-id", "missing", "loadgen-test", "/k6"])).not.toBe(STAND_IN_EXIT);
    await containerd.ctr(["task", "kill", "-s", "SIGTERM", "loadgen-test"]);
    expect(await running.done, running.output()).toBe(0);
  });

  it(
    "builds a Debian-based image (base + files + users + config) that runs as its declared user",
    async () => {
      // The shape the mesh images take: debootstrap base, files on top, a uid 1337 user.
      const recipe = debianImageRecipe({
        name: "debian-sample",
        files: [{ path: "/etc/meshproof-sample", content: "sample file\n" }],
        users: [{ name: "istio-proxy", uid: 1337 }],
        config: { entrypoint: ["/bin/sh", "-c"], cmd: ["cat /etc/debian_version /etc/meshproof-sample; id -un"], user: "1337" },
      });
      // The scratch cache would build the base afresh each run: the real one keeps it.
      const image = await ensureImage(recipe, imagesCacheDir());
      await importImage({ address: containerd.address }, image);
      const running = runContainer(image.ref, "debian-test");
      expect(await running.done, running.output()).toBe(0);
      expect(running.output()).toMatch(/^12\.\d+\nsample file\nistio-proxy\n$/);
    },
    DEBIAN_BUILD_TIMEOUT_MS,
  );

  it("runs the in-cluster Prometheus image as nobody, with its TSDB in /prometheus, until it is ready", async () => {
    const image = await ensureImage(prometheusRecipe(findTool("prometheus").path), join(scratch, "cache"));
    await importImage({ address: containerd.address }, image);
    const config = join(scratch, "prometheus");
    mkdirSync(config);
    writeFileSync(join(config, "prometheus.yml"), "global:\n  scrape_interval: 15s\nscrape_configs: []\n");
    // The host's network, listening on loopback only: the test reaches it there and nowhere else.
    const port = await freePort();
    const mount = ["--net-host", "--mount", `type=bind,src=${config},dst=/etc/prometheus,options=rbind:ro`];
    const command = ["/bin/prometheus", "--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", `--web.listen-address=127.0.0.1:${port}`];
    const running = runContainer(image.ref, "prometheus-test", mount, command);
    await waitFor("Prometheus to be ready", async () => (await fetch(`http://127.0.0.1:${port}/-/ready`)).ok);
    // The image's user: uid 65534 as the kernel sees the process.
    expect(readFileSync(`/proc/${await taskPid("prometheus-test")}/status`, "utf8")).toMatch(/^Uid:\s+65534\s/m);
    await containerd.ctr(["task", "kill", "-s", "SIGTERM", "prometheus-test"]);
    expect(await running.done, running.output()).toBe(0);
    expect(running.output()).toMatch(/Server is ready to receive web requests/);
    expect(running.output()).not.toMatch(/permission denied/i);
  });
});
