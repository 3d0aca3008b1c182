/**
 * A mesh variant: which build of a mesh a run used, recorded beside its verdicts so a report
 * says what produced them (DESIGN section 9: "which tier and which mesh variant"). Kept small
 * until the mesh registry owns this notion.
 */
import type { MeshName } from "./driver.js";

export interface MeshVariant {
  mesh: MeshName;
  /** Stable id used in results and reports, e.g. "upstream-envoy". */
  name: string;
  /** What the control plane binaries report as their version. */
  controlPlaneVersion: string;
  /** The data-plane proxy and the version it reports. */
  proxy: { name: string; version: string };
  /** Where the binaries came from, in one sentence a report can print. */
  provenance: string;
  /** What this variant cannot show that the official release can: reasons for `unsupported`. */
  limitations: string[];
}
