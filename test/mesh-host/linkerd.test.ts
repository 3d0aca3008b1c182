/**
 * Linkerd for real on the host cluster: version-2.20 built from source (the binaries setup
 * unpacks). What fits the test budget runs here; the whole catalog runs in
 * `npm run suite -- nightly --mesh linkerd --cluster host` (see the README for its figures).
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { describeRealMesh } from "./real-mesh.js";

describeRealMesh({
  mesh: "linkerd",
  missing: () =>
    readMeshBuilds().linkerd ? undefined : "run `npm run setup` first with the Linkerd binaries (MESHPROOF_LINKERD_BINARIES or ../shared/linkerd-2.20-linux-amd64.tar.gz)",
  scenarios: ["mtls", "authz"],
  mutants: ["mtls-permissive"],
  rate: 60,
});
