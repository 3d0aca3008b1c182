/**
 * What the "built-from-source" variant of Linkerd is: the binaries it is made of (and their
 * checksums), the version and image names they carry, and what a report says of it. How it is
 * installed is from-binaries.ts; these facts stay apart from it so that the mesh registry (and
 * `--help`) reads them without loading the install steps.
 */
import type { MeshVariant } from "../variant.js";

/** sha256 of each binary in linkerd-2.20-linux-amd64.tar.gz (its build notes list the same). */
export const LINKERD_BINARY_SHA256: Readonly<Record<string, string>> = {
  cli: "97e1fb1103f051eb8a68d1cef9fd4cd7db205374ac8c701e2910c8e92ad73344",
  controller: "a8ab6a5a27f49a91861888bed09cec812bd160fbd988e546eef50bcabefce513",
  "linkerd-policy-controller": "47e9798ee56ae506a6490bba36207007dad57864ef832d5bd381700afaa5e311",
  "linkerd2-proxy": "c9992d8740efe8895952f6e1eaa807dd85d2cefb2aa865b5db4fc1fd55855902",
  "linkerd2-proxy-init": "35a6b9fc0c9f9269ba20c611aaf2782617830108c519b56379f2980f7e6083d6",
  "proxy-identity": "10be34f6136e360bec1d96df4919e37973850e2ec9e59ea818b470bbc1ced4b3",
};

/** Names the binaries' folder or archive; documented in the README. */
export const LINKERD_BINARIES_ENV = "MESHPROOF_LINKERD_BINARIES";

/** What the built CLI prints for `linkerd version --client --short`. */
export const LINKERD_SOURCE_VERSION = "version-2.20";

/** Image registry of the local build: <registry>/controller and <registry>/proxy. */
export const LINKERD_LOCAL_REGISTRY = "meshproof.local/linkerd";

export const BUILT_FROM_SOURCE_VARIANT: MeshVariant = {
  mesh: "linkerd",
  name: "built-from-source",
  controlPlaneVersion: LINKERD_SOURCE_VERSION,
  proxy: { name: "linkerd2-proxy", version: "v2.359.0" },
  provenance:
    "linkerd2 version-2.20, linkerd2-proxy v2.359.0 and linkerd2-proxy-init v2.4.9 built from their public sources (Rust 1.95, gnu target, Go 1.26), not the project's release images",
  limitations: [],
};

/**
 * Why the upgrade scenario cannot run on this variant: one Linkerd (version-2.20) was built from
 * source, and neither its sources nor a release can be fetched here (the Go module proxy answers
 * 403 for github.com/linkerd/linkerd2 and linkerd2-proxy-init at every version, linkerd2-proxy and
 * the policy controller are on no crate registry, and the cluster pulls no image), so there is no
 * second version to upgrade to. `linkerd upgrade` with the same CLI would re-render the same release.
 */
export const BUILT_FROM_SOURCE_UPGRADE_GAP =
  `the ${BUILT_FROM_SOURCE_VARIANT.name} variant is the only Linkerd on the host cluster: one version (${LINKERD_SOURCE_VERSION}) is provided as binaries ` +
  `built from source (${LINKERD_BINARIES_ENV}), and no second one can be had here: the Go module proxy refuses github.com/linkerd/linkerd2 and ` +
  "linkerd2-proxy-init at every version, linkerd2-proxy and the policy controller are on no crate registry, and the cluster pulls no release image, " +
  "so there is no second version to upgrade to. Point MESHPROOF_LINKERD_BINARIES at another build to rehearse one (not wired yet)";

/** The trust domain of Linkerd's identities and of the issuer's CN (the default; a cluster with another reports other names). */
export const TRUST_DOMAIN = "cluster.local";
