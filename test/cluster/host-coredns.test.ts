/**
 * The host cluster's CoreDNS build (tools/host-cluster/coredns): a binary with the plugins the
 * Corefile names, in a cache folder of its own.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { corefile } from "../../src/cluster/host/config.js";
import { COREDNS_MODULE_DIR, COREDNS_PLUGINS, COREDNS_VERSION, corednsBuildKey, hostBinaryDirs, hostLayout } from "../../src/cluster/host/settings.js";
import { requiredVersion } from "../../scripts/setup/common.js";
import { listedCorednsPlugins } from "../../scripts/setup/host-cluster.js";

const mainGo = readFileSync(join(COREDNS_MODULE_DIR, "main.go"), "utf8");
const goMod = readFileSync(join(COREDNS_MODULE_DIR, "go.mod"), "utf8");

/** The directives of the Corefile's server blocks: the first word of each line one level in. */
function corefileDirectives(text: string): string[] {
  const found: string[] = [];
  let depth = 0;
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (depth === 1 && line && !line.startsWith("#") && line !== "}") found.push(line.split(/\s+/)[0] ?? "");
    depth += (line.match(/{/g) ?? []).length - (line.match(/}/g) ?? []).length;
  }
  return found;
}

/** main.go's `var directives = []string{...}`, in order. */
function mainDirectives(source: string): string[] {
  const block = /var directives = \[\]string\{([^}]*)\}/.exec(source)?.[1] ?? "";
  return [...block.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? "");
}

function importedPlugins(source: string): string[] {
  return [...source.matchAll(/_ "github\.com\/coredns\/coredns\/plugin\/([a-z0-9_]+)"/g)].map((m) => m[1] ?? "").sort();
}

describe("the host cluster's CoreDNS build", () => {
  it("registers, in main.go, exactly the plugins settings.ts names, in the same order, and imports each", () => {
    expect(mainDirectives(mainGo)).toEqual([...COREDNS_PLUGINS]);
    expect(importedPlugins(mainGo)).toEqual([...COREDNS_PLUGINS].sort());
  });

  it("has every directive the Corefile uses", () => {
    const used = corefileDirectives(corefile(hostLayout("unit", { HOME: "/home/u" } as NodeJS.ProcessEnv)));
    expect(used).toEqual(expect.arrayContaining(["bind", "health", "ready", "kubernetes", "cache", "errors"]));
    for (const directive of used) expect(COREDNS_PLUGINS, directive).toContain(directive);
  });

  it("keeps the order of CoreDNS's plugin.cfg for the plugins it has", () => {
    // plugin.cfg v1.15.0, the lines of these six plugins (bind ... kubernetes), in its order.
    const upstreamOrder = ["bind", "ready", "health", "errors", "cache", "kubernetes"];
    expect([...COREDNS_PLUGINS].sort((a, b) => upstreamOrder.indexOf(a) - upstreamOrder.indexOf(b))).toEqual([...COREDNS_PLUGINS]);
  });

  it("requires the CoreDNS version settings.ts pins", () => {
    expect(requiredVersion(goMod, "github.com/coredns/coredns")).toBe(COREDNS_VERSION);
  });

  it("lands in a folder named by the version and a hash of the wrapper module, never the old folder", () => {
    const dir = hostBinaryDirs({ XDG_CACHE_HOME: "/c" } as NodeJS.ProcessEnv).coredns;
    expect(dir).toBe(`/c/meshproof/tools/coredns-${COREDNS_VERSION}-${corednsBuildKey()}`);
    expect(corednsBuildKey()).toMatch(/^[0-9a-f]{12}$/);
  });

  const scratch = mkdtempSync(join(tmpdir(), "meshproof-coredns-key-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it("changes its folder when main.go, go.mod or go.sum changes", () => {
    const base = corednsBuildKey();
    for (const file of ["main.go", "go.mod", "go.sum"]) {
      const copy = join(scratch, file);
      cpSync(COREDNS_MODULE_DIR, copy, { recursive: true });
      expect(corednsBuildKey(copy), "an unchanged copy").toBe(base);
      writeFileSync(join(copy, file), readFileSync(join(copy, file), "utf8") + "\n// changed\n");
      expect(corednsBuildKey(copy), file).not.toBe(base);
    }
  });

  it("reads the plugin list `coredns -plugins` prints", () => {
    // Printed by this build of v1.15.0 (the kubernetes plugin brings metadata, prometheus and transfer along).
    const printed = "bind\ncache\nerrors\nhealth\nkubernetes\nmetadata\nprometheus\nready\ntransfer\n\n";
    expect(listedCorednsPlugins(printed)).toEqual(["bind", "cache", "errors", "health", "kubernetes", "metadata", "prometheus", "ready", "transfer"]);
    expect(listedCorednsPlugins("maxprocs: Leaving GOMAXPROCS=2: CPU quota undefined\ncache\n")).toEqual(["cache"]);
  });
});
