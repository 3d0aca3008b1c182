/**
 * The baseline: no mesh. Nothing to install and no traffic policy to apply, so every intent is
 * reported unsupported; latency and throughput measured here are what the meshes are compared to.
 */
import type { Capabilities, MeshDriver, Rendered } from "../driver.js";
import { INTENT_KINDS, type Intent } from "../intent.js";

/** The baseline's version wherever a run records one: it installs nothing. */
export const NO_VERSION = "n/a";

const REASON = "no mesh is installed: the baseline applies no traffic policy";

export const noneDriver = {
  name: "none",
  defaultVersion: NO_VERSION,
  references: [],
  capabilities(): Capabilities {
    return Object.fromEntries(INTENT_KINDS.map((k) => [k, { support: "unsupported", note: REASON }])) as Capabilities;
  },
  install: () => [],
  verifyReady: () => [],
  upgrade: () => [],
  uninstall: () => [],
  enrollNamespace: () => ({ labels: {}, annotations: {} }),
  podAnnotations: () => ({}),
  render(intents: Intent[]): Rendered {
    const kinds = [...new Set(intents.map((i) => i.kind))];
    return { manifests: [], unsupported: kinds.map((intent) => ({ intent, reason: REASON })) };
  },
  identityOf: () => undefined,
} satisfies MeshDriver;
