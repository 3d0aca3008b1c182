/**
 * Linkerd for real on the host cluster: version-2.20 built from source (the binaries setup
 * unpacks). The smoke suite with its mutants runs here; the whole catalog runs in
 * `npm run suite -- nightly --mutants --mesh linkerd --cluster host` (see the README for its figures).
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { describeRealMesh } from "./real-mesh.js";

describeRealMesh({
  mesh: "linkerd",
  missing: () =>
    readMeshBuilds().linkerd ? undefined : "run `npm run setup` first with the Linkerd binaries (MESHPROOF_LINKERD_BINARIES or ../shared/linkerd-2.20-linux-amd64.tar.gz)",
  suite: "smoke",
  rate: 60,
});
