/**
 * Linkerd release names. The project ships only edge releases (edge-YY.M.N); a major version
 * such as 2.20 is a `version-2.20` tag on the commit of one edge release, and Helm charts are
 * versioned YYYY.M.N from the edge name (bin/compute-edge-version in linkerd2).
 * Source: https://linkerd.io/releases/ ("Corresponding edge release") and the linkerd2 tags.
 */
export const LINKERD_DEFAULT_VERSION = "version-2.20";

/** Major versions and the edge release their `version-2.X` tag corresponds to. */
const MAJOR_TO_EDGE: Record<string, string> = {
  "version-2.18": "edge-25.4.4",
  "version-2.19": "edge-25.10.7",
  "version-2.20": "edge-26.6.3",
};

export interface LinkerdRelease {
  /** As the user named it: version-2.20 or edge-26.6.3. */
  requested: string;
  /** The edge release: the CLI's `version --client --short` output and the image tag. */
  edge: string;
  /** Version of the linkerd-crds and linkerd-control-plane charts in the linkerd-edge repository. */
  chartVersion: string;
}

export function resolveLinkerdRelease(version: string): LinkerdRelease {
  const edge = MAJOR_TO_EDGE[version] ?? version;
  const m = /^edge-(\d{2})\.(\d{1,2})\.(\d+)$/.exec(edge);
  if (!m) {
    throw new Error(
      `unknown Linkerd version "${version}": pass an edge release (edge-YY.M.N) or one of ${Object.keys(MAJOR_TO_EDGE).join(", ")}`,
    );
  }
  return { requested: version, edge, chartVersion: `20${m[1]}.${m[2]}.${m[3]}` };
}
