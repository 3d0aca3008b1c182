/**
 * The images `linkerd install` renders at version-2.20, from the binaries built from source:
 *   controller: /controller (identity, destination, sp-validator, proxy-injector are its
 *               subcommands) and /linkerd-policy-controller (the policy container's command);
 *               the Rust policy controller links glibc, hence the Debian base
 *   proxy:      /usr/lib/linkerd/linkerd2-proxy-identity (entrypoint; it fetches the certificate,
 *               then execs /usr/lib/linkerd/linkerd2-proxy), and /usr/lib/linkerd/linkerd2-proxy-init
 *               with iptables (nft and legacy), the linkerd-init container's command
 * Layout as linkerd2's Dockerfile.proxy and controller/Dockerfile at version-2.20; there are no
 * separate proxy-init or policy-controller images in this version's render.
 */
import { join } from "node:path";
import type { ImageRecipe } from "../../cluster/host/images/recipes.js";
import type { MeshBuild } from "../builds.js";
import { meshImageRecipe } from "../images.js";
import { LINKERD_LOCAL_REGISTRY, LINKERD_SOURCE_VERSION } from "./built-from-source.js";

const BIN = 0o755;
/** The nobody user upstream's images run as; the pods set their own uids (2102, 2103). */
const NOBODY = "65534:65534";

export async function linkerdImageRecipes(build: MeshBuild, registry: string = LINKERD_LOCAL_REGISTRY): Promise<ImageRecipe[]> {
  const from = (name: string) => join(build.dir, name);
  const controller = await meshImageRecipe({
    name: "linkerd-controller",
    repository: `${registry}/controller`,
    tag: LINKERD_SOURCE_VERSION,
    include: [],
    files: [
      { path: "/controller", from: from("controller"), mode: BIN },
      { path: "/linkerd-policy-controller", from: from("linkerd-policy-controller"), mode: BIN },
    ],
    config: { entrypoint: ["/controller"], user: NOBODY },
  });
  const proxy = await meshImageRecipe({
    name: "linkerd-proxy",
    repository: `${registry}/proxy`,
    tag: LINKERD_SOURCE_VERSION,
    include: ["iptables"],
    files: [
      { path: "/usr/lib/linkerd/linkerd2-proxy-identity", from: from("proxy-identity"), mode: BIN },
      { path: "/usr/lib/linkerd/linkerd2-proxy", from: from("linkerd2-proxy"), mode: BIN },
      { path: "/usr/lib/linkerd/linkerd2-proxy-init", from: from("linkerd2-proxy-init"), mode: BIN },
    ],
    config: {
      entrypoint: ["/usr/lib/linkerd/linkerd2-proxy-identity"],
      env: { LINKERD2_PROXY_LOG: "warn,linkerd=info", LINKERD2_PROXY_LOG_FORMAT: "plain", PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
      user: NOBODY,
    },
  });
  return [controller, proxy];
}
