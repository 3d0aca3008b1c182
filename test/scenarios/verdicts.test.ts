/**
 * Scenario checks judged through the real executor on scripted traffic: what a correct mesh and a
 * wrong one (the claim's mutant) must get. These guard the plumbing between what the load
 * generator reports and what a check counts (outcome keying, selectors, batching).
 */
import { describe, expect, it } from "vitest";
import { mtls } from "../../scenarios/mtls.js";
import { retries, EXHAUSTING_FAILURES, FAILURE_STATUS } from "../../scenarios/retries.js";
import { MESHES } from "../../src/mesh/registry.js";
import { LOADGEN_SERVICE_ACCOUNT } from "../../scenarios/policies.js";
import { byId, runSteps, scriptedLoad } from "../engine/measure-harness.js";
import { TARGET, contextFor, plan, step } from "./helpers.js";

describe("mTLS identity through the executor", () => {
  const p = plan(mtls, contextFor("istio"));
  const meshed = step(p, "strict-meshed-client", "measure");
  const identity = MESHES.entry("istio").workloadIdentity(TARGET.namespace, LOADGEN_SERVICE_ACCOUNT)!;

  it("a mesh that presents the client's identity on every request passes", async () => {
    const record = await runSteps([meshed], scriptedLoad((n) => [{ version: "stable", status: 200, peer: identity, count: n }]));
    const v = byId(record.verdicts);
    expect(v["strict-meshed-succeeds"]!.status).toBe("pass");
    expect(v["strict-meshed-identity"]!.status).toBe("pass");
  });

  it("its mutant, a mesh presenting another identity, fails", async () => {
    const record = await runSteps([meshed], scriptedLoad((n) => [{ version: "stable", status: 200, peer: "spiffe://cluster.local/ns/other/sa/default", count: n }]));
    expect(byId(record.verdicts)["strict-meshed-identity"]!.status).toBe("fail");
  });
});

describe("bounded retries through the executor", () => {
  const p = plan(retries, contextFor("istio"));
  const exhausted = step(p, "exhausted-retries", "measure");

  it(`a mesh that gives up after the policy's tries (the server saw ${EXHAUSTING_FAILURES} at most) passes`, async () => {
    const record = await runSteps([exhausted], scriptedLoad((n) => [{ version: "stable", status: FAILURE_STATUS, attempt: EXHAUSTING_FAILURES, count: n }]));
    const v = byId(record.verdicts);
    expect(v["exhausted-fail"]!.status).toBe("pass");
    expect(v["bounded-tries"]!.status).toBe("pass");
  });

  it("a mesh that retried every request five times fails bounded-tries", async () => {
    const record = await runSteps([exhausted], scriptedLoad((n) => [{ version: "stable", status: FAILURE_STATUS, attempt: 6, count: n }]));
    expect(byId(record.verdicts)["bounded-tries"]!.status).toBe("fail");
  });
});
