/**
 * Linkerd built from source: the plan's identity steps and install flags, run for real against
 * the CLI `npm run setup` unpacked (offline: --ignore-cluster), with a mutant for every claim.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandStep, Step } from "../../../src/plan/steps.js";
import { findTool } from "../../../src/core/tools.js";
import { createLinkerdDriver } from "../../../src/mesh/linkerd/index.js";
import { fromBinariesInstallArgs, fromBinariesRenderProblems, identityFilesIn, opensslIdentitySteps } from "../../../src/mesh/linkerd/from-binaries.js";
import { LINKERD_LOCAL_REGISTRY, LINKERD_SOURCE_VERSION } from "../../../src/mesh/linkerd/built-from-source.js";
import { render, runCli } from "../render-cli.js";

const INSTALL = { version: "version-2.20", method: "cli" as const, gatewayApiVersion: "v1.5.1" };

/** Run command steps as the executor would: skipIf first, then argv; any failure throws. */
async function runSteps(steps: Step[]): Promise<string[]> {
  const ran: string[] = [];
  for (const step of steps) {
    if (step.kind !== "command") throw new Error(`unexpected ${step.kind} step ${step.id}`);
    if (step.skipIf && (await runCli(step.skipIf)).code === 0) continue;
    const result = await runCli(step.argv, step.timeoutMs);
    if (result.code !== 0) throw new Error(`${step.id} failed: ${result.stderr}`);
    ran.push(step.id);
  }
  return ran;
}

describe("the install plan of the from-binaries variant", () => {
  it("generates the identity before rendering, and renders with local images and that identity", () => {
    const driver = createLinkerdDriver({ identityDir: "/run/id", fromBinaries: {} });
    const steps = driver.install(INSTALL) as CommandStep[];
    const ids = steps.map((s) => s.id);
    expect(ids.indexOf("linkerd-issuer")).toBeGreaterThan(-1);
    expect(ids.indexOf("linkerd-issuer")).toBeLessThan(ids.indexOf("linkerd-render-control-plane"));
    const renderStep = steps.find((s) => s.id === "linkerd-render-control-plane");
    expect(renderStep?.argv).toEqual(["linkerd", "install", ...fromBinariesInstallArgs("/run/id")]);
    expect(renderStep?.argv).toContain(LINKERD_LOCAL_REGISTRY);
  });

  it("mutant: the official variant neither generates an identity nor renames images", () => {
    const steps = createLinkerdDriver({ identityDir: "/run/id" }).install(INSTALL) as CommandStep[];
    expect(steps.map((s) => s.id)).not.toContain("linkerd-issuer");
    expect(steps.find((s) => s.id === "linkerd-render-control-plane")?.argv).toEqual(["linkerd", "install"]);
  });
});

describe("the built CLI renders the install offline", () => {
  let cli: string;
  let scratch: string;
  let identityDir: string;

  beforeAll(async () => {
    cli = findTool("linkerd").path;
    scratch = mkdtempSync(join(tmpdir(), "meshproof-linkerd-render-"));
    identityDir = join(scratch, "identity");
    await runSteps(opensslIdentitySteps(identityDir));
  });
  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("is the pinned build (run `npm run setup` with the Linkerd binaries at hand)", async () => {
    const { code, stdout } = await runCli([cli, "version", "--client", "--short"]);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(LINKERD_SOURCE_VERSION);
  });

  it("renders the CRDs", async () => {
    const objects = await render([cli, "install", "--crds", "--ignore-cluster"]);
    expect(objects.length).toBeGreaterThanOrEqual(10);
    expect(new Set(objects.map((o) => o.kind))).toEqual(new Set(["CustomResourceDefinition"]));
  });

  it("renders the control plane with the local images and the generated trust anchor", async () => {
    const objects = await render([cli, "install", "--ignore-cluster", ...fromBinariesInstallArgs(identityDir)]);
    const trustAnchorsPem = readFileSync(identityFilesIn(identityDir).trustAnchorsPem, "utf8");
    expect(fromBinariesRenderProblems(objects, { trustAnchorsPem })).toEqual([]);
    const images = new Set(objects.flatMap((o) => JSON.stringify(o).match(/meshproof\.local\/linkerd\/[a-z-]+:[\w.-]+/g) ?? []));
    expect([...images].sort()).toEqual([`${LINKERD_LOCAL_REGISTRY}/controller:${LINKERD_SOURCE_VERSION}`, `${LINKERD_LOCAL_REGISTRY}/proxy:${LINKERD_SOURCE_VERSION}`]);
  });

  it("mutant: without the registry flag the official images are caught", async () => {
    const args = fromBinariesInstallArgs(identityDir);
    const withoutRegistry = args.filter((_, i) => i !== args.indexOf("--registry") && i !== args.indexOf("--registry") + 1);
    const objects = await render([cli, "install", "--ignore-cluster", ...withoutRegistry]);
    const problems = fromBinariesRenderProblems(objects, { trustAnchorsPem: readFileSync(identityFilesIn(identityDir).trustAnchorsPem, "utf8") });
    expect(problems.join("\n")).toMatch(/runs cr\.l5d\.io\/linkerd\/controller.*not an image of meshproof\.local\/linkerd/);
    expect(problems.join("\n")).toMatch(/the injector would add cr\.l5d\.io\/linkerd\/proxy/);
  });

  it("mutant: linkerd-init as the unprivileged default is caught", async () => {
    const args = fromBinariesInstallArgs(identityDir).filter((a, i, all) => a !== "proxyInit.runAsRoot=true" && all[i + 1] !== "proxyInit.runAsRoot=true");
    const objects = await render([cli, "install", "--ignore-cluster", ...args]);
    const problems = fromBinariesRenderProblems(objects, { trustAnchorsPem: readFileSync(identityFilesIn(identityDir).trustAnchorsPem, "utf8") });
    expect(problems).toEqual([expect.stringMatching(/linkerd-init would run as uid 65534/)]);
  });

  it("mutant: an identity the CLI generated itself is caught", async () => {
    const objects = await render([cli, "install", "--ignore-cluster", "--registry", LINKERD_LOCAL_REGISTRY, "--set", "proxyInit.runAsRoot=true"]);
    const problems = fromBinariesRenderProblems(objects, { trustAnchorsPem: readFileSync(identityFilesIn(identityDir).trustAnchorsPem, "utf8") });
    expect(problems).toEqual([expect.stringMatching(/trust roots are not the generated trust anchor/)]);
  });

  it("mutant: an issuer signed by another trust anchor is refused by the CLI", async () => {
    const other = join(scratch, "other");
    await runSteps(opensslIdentitySteps(other));
    const args = fromBinariesInstallArgs(identityDir);
    args[args.indexOf("--identity-trust-anchors-file") + 1] = identityFilesIn(other).trustAnchorsPem;
    const result = await runCli([cli, "install", "--ignore-cluster", ...args]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/issuer|trust|verif|certificate/i);
  });

  it("the identity steps are idempotent: a second run keeps the trust anchor", async () => {
    const anchor = identityFilesIn(identityDir).trustAnchorsPem;
    const before = { text: readFileSync(anchor, "utf8"), mtime: statSync(anchor).mtimeMs };
    const ran = await runSteps(opensslIdentitySteps(identityDir));
    expect(ran).toEqual(["linkerd-identity-dir"]);
    expect(readFileSync(anchor, "utf8")).toBe(before.text);
    expect(statSync(anchor).mtimeMs).toBe(before.mtime);
  });
});
