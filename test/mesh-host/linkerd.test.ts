/**
 * Linkerd for real on the host cluster: version-2.20 built from source (the binaries setup
 * unpacks). The smoke suite (suites/smoke.ts) and the upgrade scenario, with their mutants,
 * run here; the whole catalog runs in
 * `npm run suite -- nightly --mutants --mesh linkerd --cluster host` (see the README for its figures).
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { describeRealMesh } from "./real-mesh.js";

describeRealMesh({
  mesh: "linkerd",
  missing: () =>
    readMeshBuilds().linkerd ? undefined : "run `npm run setup` first with the Linkerd binaries (MESHPROOF_LINKERD_BINARIES or ../shared/linkerd-2.20-linux-amd64.tar.gz)",
  // The smoke suite, then the upgrade: it cannot run on this variant (one build), and must say
  // so as a verdict of its own rather than pass on nothing.
  runs: [{ suite: "smoke" }, { scenario: "upgrade" }],
  rate: 60,
});
