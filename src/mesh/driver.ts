/**
 * The contract each mesh implements: install/upgrade/uninstall as plan steps, namespace
 * enrolment, and rendering of mesh-agnostic intents into the mesh's own resources.
 */
import type { KubeObject, Step } from "../plan/steps.js";
import type { Intent, IntentKind, Target } from "./intent.js";

/** A mesh of the registry (src/mesh/registry.ts): "istio", "linkerd", the baseline "none", or one a test adds. */
export type MeshName = string;

/**
 * native: the mesh has a resource for it; emulated: built from other parts (e.g. Linkerd fault
 * injection as a weighted backend that serves errors); unsupported: cannot be expressed.
 */
export type Support = "native" | "emulated" | "unsupported";

export interface CapabilityEntry {
  support: Support;
  /** For native and emulated: the resource or mechanism; for unsupported: the reason. */
  note: string;
}

export type Capabilities = Record<IntentKind, CapabilityEntry>;

export interface UnsupportedIntent {
  intent: IntentKind;
  reason: string;
  /** True when only this part is missing and the rest of the intent was rendered (e.g. a retry budget). */
  partial?: boolean;
}

export interface Rendered {
  manifests: KubeObject[];
  /** Intents (or parts of one) the mesh cannot express; never silently dropped. */
  unsupported: UnsupportedIntent[];
}

/** How traffic policy is expressed: the mesh's own API, or Gateway API routes (GAMMA). */
export type RoutingApi = "native" | "gamma";

export interface InstallOptions {
  version: string;
  /** Istio revision for canary control-plane upgrades; ignored by meshes without one. */
  revision?: string;
  method: "cli" | "helm";
  /** Gateway API CRD version to install alongside (meshes that route with it need it). */
  gatewayApiVersion: string;
}

export interface MeshDriver {
  readonly name: MeshName;
  readonly defaultVersion: string;
  /** The docs page(s) of the pinned version that rendered fields come from. */
  readonly references: string[];
  capabilities(routing: RoutingApi): Capabilities;
  install(opts: InstallOptions): Step[];
  verifyReady(opts: InstallOptions): Step[];
  /** In-place upgrade from `from` to `to` (Istio: revision-based canary control plane). */
  upgrade(from: InstallOptions, to: InstallOptions): Step[];
  /** Leaves no CRDs, webhooks or namespaces behind. */
  uninstall(opts: InstallOptions): Step[];
  /** Labels and annotations that enrol a namespace in the mesh. */
  enrollNamespace(): { labels: Record<string, string>; annotations: Record<string, string> };
  /** Pod-template annotations (sidecar resource requests and limits). */
  podAnnotations(): Record<string, string>;
  render(intents: Intent[], target: Target, routing: RoutingApi): Rendered;
  /** The peer identity a request carried, from headers the backend echoed; undefined if none. */
  identityOf(echoedHeaders: Record<string, string>): string | undefined;
}
