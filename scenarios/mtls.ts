/**
 * Mutual TLS: under strict mode only meshed callers get through, and they arrive with their
 * workload identity; under permissive mode plaintext callers get through too.
 */
import type { CheckSpecInput } from "../src/analysis/index.js";
import { defineScenario } from "../src/engine/scenario.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { shareCheck } from "./checks.js";
import { applyPolicy } from "./policy-steps.js";
import { NO_PEER } from "./identity.js";
import { LOADGEN_SERVICE_ACCOUNT, PERMISSIVE_MTLS, STRICT_MTLS } from "./policies.js";
import { plannedConverge, plannedMeasure } from "./sizing.js";

const outsider = { client: "outsider" } as const;

export const mtls = defineScenario({
  name: "mtls",
  description:
    `${SCENARIO_SUMMARIES.mtls} ` +
    "Strict is the seed stacks' namespace-wide policy; under permissive the outsider arrives without an identity. " +
    "The meshed client is the stack's loadgen pod; the outsider is the same load " +
    "generator in a namespace no mesh enrols. The identity is read from what the server saw (the client certificate's " +
    "SPIFFE ID under Istio, the client id header under Linkerd) and assumes the default trust domain cluster.local.",
  claims: [
    "Under strict mTLS a client outside the mesh is refused.",
    "Under strict mTLS a meshed client succeeds and the server sees its workload identity.",
    "Under permissive mTLS a client outside the mesh succeeds, without an identity.",
    "Under permissive mTLS a meshed client still arrives with its workload identity.",
  ],
  requires: ["mtls"],
  baseline: false,
  clusters: ["kind", "gke", "current", "host"],
  defaultLoad: { name: "mtls", executor: "constant-arrival-rate", rate: 10, durationSeconds: 60, mode: "plain", maxTokens: 4 },
  build(ctx, steps) {
    const identity = ctx.workloadIdentity(ctx.target.namespace, LOADGEN_SERVICE_ACCOUNT);
    const who = `${ctx.target.namespace}/${LOADGEN_SERVICE_ACCOUNT}`;
    const meshedChecks = (mode: string): CheckSpecInput[] => [
      shareCheck(`${mode}-meshed-succeeds`, `under ${mode} mTLS every request from the meshed client succeeds`, { status: "2xx" }, 1),
      // Without a mesh there is no identity to expect; the scenario judges meshes only.
      ...(identity
        ? [shareCheck(`${mode}-meshed-identity`, `under ${mode} mTLS the server sees the meshed client as ${identity}`, { peer: identity }, 1)]
        : []),
    ];
    return {
      assess: [
        ...applyPolicy(ctx, steps, "strict-mtls", "require mutual TLS from every caller of the service (strict)", [STRICT_MTLS]),
        plannedConverge(ctx, steps, "strict-converge", "wait until the client outside the mesh is refused", [
          shareCheck("strict-converged-refused", "requests from outside the mesh are refused", { status: "2xx" }, 0),
        ], {
          probe: outsider,
          requires: ["mtls"],
          // Before the policy every outsider request succeeds.
          maxTolerance: { "strict-converged-refused": 0.5 },
        }),
        plannedMeasure(ctx, steps, "strict-meshed-client", `send requests from the meshed client (${who})`, meshedChecks("strict"), { requires: ["mtls"] }),
        plannedMeasure(ctx, steps, "strict-outsider", "send requests from the client outside the mesh", [
          shareCheck("strict-outsider-refused", "under strict mTLS no request from outside the mesh succeeds", { status: "2xx" }, 0),
        ], { load: outsider, requires: ["mtls"] }),
        ...applyPolicy(ctx, steps, "permissive-mtls", "accept plaintext callers as well as mutual TLS (permissive)", [PERMISSIVE_MTLS]),
        plannedConverge(ctx, steps, "permissive-converge", "wait until the client outside the mesh gets through", [
          shareCheck("permissive-converged-accepted", "requests from outside the mesh succeed", { status: "2xx" }, 1),
        ], {
          probe: outsider,
          requires: ["mtls"],
          maxTolerance: { "permissive-converged-accepted": 0.5 },
        }),
        plannedMeasure(ctx, steps, "permissive-outsider", "send requests from the client outside the mesh", [
          shareCheck("permissive-outsider-succeeds", "under permissive mTLS every request from outside the mesh succeeds", { status: "2xx" }, 1),
          shareCheck("permissive-outsider-no-identity", "those requests reach the server without an identity", { peer: NO_PEER }, 1),
        ], { load: outsider, requires: ["mtls"] }),
        plannedMeasure(ctx, steps, "permissive-meshed-client", `send requests from the meshed client (${who})`, meshedChecks("permissive"), { requires: ["mtls"] }),
      ],
    };
  },
});
