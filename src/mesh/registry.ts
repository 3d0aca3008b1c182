/**
 * The mesh registry: the one list of meshes meshproof knows. The CLI's `--mesh` choices and
 * version flags, the option schema, what `both` means, the capability table, the drivers a run
 * binds, the variants a cluster installs, workload identities, scrape jobs and the order of
 * meshes in comparisons and charts all derive from it. Adding a mesh is its folder (a driver) and
 * one line in MESHES below; a test builds a registry with a stub mesh the same way (`with`).
 */
import type { ClusterName } from "../cluster/provider.js";
import type { MeshDriver, MeshName } from "./driver.js";
import type { DriverSettings, MeshEntry, VariantUse } from "./entry.js";
import { istioMesh } from "./istio/mesh.js";
import { linkerdMesh } from "./linkerd/mesh.js";
import { noneMesh } from "./none/mesh.js";

/** The baseline's name: no mesh. */
export const BASELINE_MESH = "none";

/** `--mesh both`: every mesh of the registry but the baseline (istio and linkerd in MESHES). */
export const EVERY_MESH = "both";

export class MeshRegistry {
  readonly entries: readonly MeshEntry[];

  constructor(entries: readonly MeshEntry[]) {
    const names = entries.map((e) => e.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (twice.length > 0) throw new Error(`the mesh registry names ${twice.join(", ")} twice`);
    const baselines = entries.filter((e) => e.baseline);
    if (baselines.length !== 1 || baselines[0]!.name !== BASELINE_MESH) throw new Error(`the mesh registry needs exactly one baseline, named ${BASELINE_MESH}`);
    for (const e of entries) {
      if (!/^[a-z][a-z0-9-]*$/.test(e.name) || e.name === EVERY_MESH) throw new Error(`mesh name ${JSON.stringify(e.name)}: use lower-case letters, digits and '-', and not "${EVERY_MESH}"`);
      if (!e.baseline && !e.version) throw new Error(`mesh ${e.name}: a mesh needs a pinned version and its flag`);
    }
    this.entries = entries;
  }

  /** This registry with more meshes, after the ones it has. */
  with(...more: MeshEntry[]): MeshRegistry {
    return new MeshRegistry([...this.entries, ...more]);
  }

  /** Every mesh, baseline included, in the order comparisons, charts and the capability table use. */
  get names(): MeshName[] {
    return this.entries.map((e) => e.name);
  }

  /** The meshes `both` stands for: all but the baseline. */
  get compared(): MeshName[] {
    return this.entries.filter((e) => !e.baseline).map((e) => e.name);
  }

  /** What `--mesh` accepts. */
  get choices(): string[] {
    return [...this.names, EVERY_MESH];
  }

  /** Meshes with a version to pin: each has a flag and an environment variable. */
  get versioned(): (MeshEntry & { version: NonNullable<MeshEntry["version"]> })[] {
    return this.entries.filter((e): e is MeshEntry & { version: NonNullable<MeshEntry["version"]> } => e.version !== undefined);
  }

  has(name: string): boolean {
    return this.entries.some((e) => e.name === name);
  }

  entry(name: string): MeshEntry {
    const found = this.entries.find((e) => e.name === name);
    if (!found) throw new Error(`no mesh named ${name} in the registry (${this.names.join(", ")})`);
    return found;
  }

  /** The meshes a `--mesh` value names: `both` is every compared mesh. */
  named(mesh: string): MeshName[] {
    return mesh === EVERY_MESH ? this.compared : [mesh];
  }

  /** Where a scenario runs: the baseline first when it joins it, then every compared mesh. */
  meshesFor(scenario: { baseline: boolean }): MeshName[] {
    return scenario.baseline ? [BASELINE_MESH, ...this.compared] : this.compared;
  }

  /** `mesh`'s driver with its defaults (loaded on first use). */
  async driver(mesh: string): Promise<MeshDriver> {
    return checkedDriver(mesh, await this.entry(mesh).loadDriver());
  }

  /** `mesh`'s driver bound to one run's settings. */
  async createDriver(mesh: string, settings: DriverSettings): Promise<MeshDriver> {
    return checkedDriver(mesh, await this.entry(mesh).createDriver(settings));
  }

  /** The build of `mesh` a cluster runs when it is not the official release. */
  variantOn(mesh: string, cluster: ClusterName | string): VariantUse | undefined {
    return this.entry(mesh).variants.find((v) => v.clusters.includes(cluster as ClusterName));
  }
}

/** A driver that answers to another name would bind the wrong mesh's manifests to this one. */
function checkedDriver(mesh: string, driver: MeshDriver): MeshDriver {
  if (driver.name !== mesh) throw new Error(`mesh ${mesh}: its driver calls itself ${driver.name}`);
  return driver;
}

/** The run-option key of a version flag: `--istio-version` -> `istioVersion`, as the CLI parser names it. */
export function versionOptionKey(entry: Pick<MeshEntry, "version">): string {
  const flag = entry.version?.flag ?? "";
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Every mesh meshproof knows. */
export const MESHES = new MeshRegistry([istioMesh, linkerdMesh, noneMesh]);
