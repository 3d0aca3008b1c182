/**
 * What the mesh registry (registry.ts) knows of one mesh: everything meshproof needs to offer it
 * on the command line, install it, judge it and report it. A mesh is one folder (its driver) and
 * one `MeshEntry` in the registry's list; nothing else names meshes.
 */
import type { ClusterName } from "../cluster/provider.js";
import type { ImageRecipe } from "../cluster/host/images/recipes.js";
import type { ToolName } from "../core/tools.js";
import type { MeshBuilds } from "./builds.js";
import type { MeshDriver, MeshName, RoutingApi } from "./driver.js";
import type { MeshVariant } from "./variant.js";

/** What a run tells a mesh's driver factory. */
export interface DriverSettings {
  cluster: ClusterName;
  /** Kube context the driver's commands use; undefined: the kubeconfig's current one. */
  context?: string;
  routing: RoutingApi;
  /** The namespace of this mesh's copy of the stack: the one the mesh enrols. */
  stackNamespace: string;
  /** The run's folder (absent when planning without a run) and the folder run folders go to. */
  runDir?: string;
  out: string;
  /** The llm-sim image the host cluster imported (a stand-in for images it cannot pull). */
  hostSimImage?: string;
}

/** A pinned default version and how to override it (DESIGN section 6). */
export interface VersionPin {
  pin: string;
  /** The command-line flag, e.g. `--istio-version`; its camel-cased name is the run option's key. */
  flag: `--${string}-version`;
  env: string;
}

/** One Prometheus job: what to scrape on each pod of the stack's workload. */
export interface ScrapeJob {
  name: string;
  port: number;
  path: string;
}

/** The stack workload a mesh's scrape jobs are computed for. */
export interface ScrapedPods {
  app: string;
  port: number;
  metricsPath: string;
}

/** A build of the mesh other than its official release, on the clusters that run it. */
export interface VariantUse {
  clusters: ClusterName[];
  variant: MeshVariant;
  /** The version to install there, when the variant fixes it (one build exists); else the flag's. */
  installVersion?: string;
  /** Images of the build that the cluster imports, from what setup built; none when it built nothing. */
  images?(builds: MeshBuilds): Promise<ImageRecipe[]>;
}

export interface MeshEntry {
  name: MeshName;
  /** As a person writes it: "Istio". */
  title: string;
  /** The no-mesh baseline: exactly one entry, joined where a scenario compares against it. */
  baseline?: true;
  /**
   * The driver with its defaults, for --capabilities and rendering without a cluster. Drivers
   * are imported when first asked for, so `--help` and usage errors never load a renderer or
   * the manifest models behind it. Call it through the registry, which checks the name.
   */
  loadDriver(): Promise<MeshDriver>;
  /** The driver bound to one run's cluster, context, routing and namespaces; loaded like loadDriver. */
  createDriver(settings: DriverSettings): Promise<MeshDriver>;
  /** Absent for the baseline, which has nothing to install. */
  version?: VersionPin;
  /** The programs its install, checks and clean-up call. */
  tools: ToolName[];
  /** The identity a meshed client running as `namespace/serviceAccount` presents; undefined without one. */
  workloadIdentity(namespace: string, serviceAccount: string): string | undefined;
  /** How the stack's Prometheus scrapes the workload's pods with this mesh. */
  scrapeJobs(pods: ScrapedPods): ScrapeJob[];
  variants: VariantUse[];
  /** Its colour in every chart; meshes without one get the chart library's defaults. */
  colour?: string;
}

/** The workload's own endpoint: what every mesh scrapes at least (the baseline nothing else). */
export function workloadJob(pods: ScrapedPods): ScrapeJob {
  return { name: pods.app, port: pods.port, path: pods.metricsPath };
}
