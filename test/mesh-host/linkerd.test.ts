/**
 * Linkerd for real on the host cluster: version-2.20 built from source (the binaries setup
 * unpacks). One run of the whole nightly catalog on one install, every scenario followed by its
 * mutants (`suite nightly --mutants --mesh linkerd`).
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { catalogOf } from "./catalog.js";
import { describeRealMesh } from "./real-mesh.js";

const SUITE = "nightly";

describeRealMesh({
  mesh: "linkerd",
  missing: () =>
    readMeshBuilds().linkerd ? undefined : "run `npm run setup` first with the Linkerd binaries (MESHPROOF_LINKERD_BINARIES or ../shared/linkerd-2.20-linux-amd64.tar.gz)",
  suite: SUITE,
  ...catalogOf(SUITE, "linkerd"),
  rate: 60,
  budgetMs: 80 * 60_000,
});
