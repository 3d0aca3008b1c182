/**
 * Linkerd for real on the host cluster: version-2.20 built from source (the binaries setup
 * unpacks). One run on one install of the part of the catalog that fits the CI
 * budget, every scenario followed by its mutants (`suite host-ci --mutants --mesh linkerd`); the
 * whole catalog with its mutants is `suite nightly --mutants`.
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { catalogOf } from "./catalog.js";
import { describeRealMesh } from "./real-mesh.js";

/** What fits the CI budget (suites/host-ci.ts); the whole catalog with its mutants runs nightly. */
const SUITE = "host-ci";

describeRealMesh({
  mesh: "linkerd",
  missing: () =>
    readMeshBuilds().linkerd ? undefined : "run `npm run setup` first with the Linkerd binaries (MESHPROOF_LINKERD_BINARIES or ../shared/linkerd-2.20-linux-amd64.tar.gz)",
  suite: SUITE,
  ...catalogOf(SUITE, "linkerd"),
  rate: 60,
  budgetMs: 45 * 60_000,
});
