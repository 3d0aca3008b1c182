/**
 * Linkerd for real on the host cluster: version-2.20 built from source (the binaries setup
 * unpacks). Every scenario of the catalog runs here with its mutants, in five lanes side by side
 * on one install of Linkerd.
 */
import { readMeshBuilds } from "../../src/mesh/builds.js";
import { describeRealMesh } from "./real-mesh.js";

describeRealMesh({
  mesh: "linkerd",
  missing: () =>
    readMeshBuilds().linkerd ? undefined : "run `npm run setup` first with the Linkerd binaries (MESHPROOF_LINKERD_BINARIES or ../shared/linkerd-2.20-linux-amd64.tar.gz)",
  // The quick policies, then the upgrade (it cannot run on this variant, one build, and must say
  // so as a verdict of its own rather than pass on nothing) in the first lane; retries (at
  // 5 requests/s, below Linkerd's retry budget) and timeouts wait longest on the clock.
  lanes: [
    [{ suite: "smoke" }, { scenario: "upgrade" }],
    [{ scenario: "retries" }],
    [{ scenario: "timeouts" }],
    [{ scenario: "canary" }, { scenario: "rate-limit" }],
    [{ scenario: "fault-injection" }, { scenario: "benchmark" }],
  ],
  // Every control-plane Deployment available: destination, identity and the proxy injector.
  controlPlaneReady: ["-n", "linkerd", "wait", "--for=condition=Available", "deployment", "--all", "--timeout=5s"],
  rate: 60,
});
