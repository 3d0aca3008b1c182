/**
 * The two images of the upstream-envoy variant, as Istio's own Dockerfiles lay them out
 * (pilot/docker/Dockerfile.pilot and Dockerfile.proxyv2 in the built module):
 *   pilot:   /usr/local/bin/pilot-discovery, run as 1337:1337
 *   proxyv2: /usr/local/bin/pilot-agent (entrypoint), stock Envoy at /usr/local/bin/envoy (where
 *            pilot-agent's default binaryPath looks), the bootstrap template at
 *            /var/lib/istio/envoy/envoy_bootstrap_tmpl.json, iptables (nft and legacy, for
 *            istio-init) and the istio-proxy user, uid 1337, that the sidecar runs as.
 * Named <hub>/<image>:<tag>, what `istioctl manifest generate` renders with upstreamEnvoyManifestArgs.
 */
import { join } from "node:path";
import type { ImageRecipe } from "../../cluster/host/images/recipes.js";
import type { MeshBuild } from "../builds.js";
import { meshImageRecipe } from "../images.js";
import { DEFAULT_LOCAL_IMAGES, type LocalImages } from "./upstream-envoy.js";

const ISTIO_UID = 1337;
const BIN = 0o755;

export async function istioImageRecipes(builds: { istio: MeshBuild; envoy: MeshBuild }, images: LocalImages = DEFAULT_LOCAL_IMAGES): Promise<ImageRecipe[]> {
  const pilot = await meshImageRecipe({
    name: "istio-pilot",
    repository: `${images.hub}/pilot`,
    tag: images.tag,
    include: [],
    files: [{ path: "/usr/local/bin/pilot-discovery", from: join(builds.istio.dir, "pilot-discovery"), mode: BIN }],
    config: { entrypoint: ["/usr/local/bin/pilot-discovery"], user: `${ISTIO_UID}:${ISTIO_UID}` },
  });
  const proxyv2 = await meshImageRecipe({
    name: "istio-proxyv2",
    repository: `${images.hub}/proxyv2`,
    tag: images.tag,
    include: ["iptables"],
    files: [
      { path: "/usr/local/bin/pilot-agent", from: join(builds.istio.dir, "pilot-agent"), mode: BIN },
      { path: "/usr/local/bin/envoy", from: join(builds.envoy.dir, "envoy"), mode: BIN },
      { path: "/var/lib/istio/envoy/envoy_bootstrap_tmpl.json", from: join(builds.istio.dir, "envoy_bootstrap_tmpl.json"), mode: 0o644 },
    ],
    users: {
      passwd: [`istio-proxy:x:${ISTIO_UID}:${ISTIO_UID}:istio-proxy:/home/istio-proxy:/usr/sbin/nologin`],
      group: [`istio-proxy:x:${ISTIO_UID}:`],
    },
    config: { entrypoint: ["/usr/local/bin/pilot-agent"] },
  });
  return [pilot, proxyv2];
}
