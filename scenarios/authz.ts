/**
 * Authorization: deny by default, and let through only the allowed identity, path and method
 * carrying the required governance headers.
 */
import type { Step } from "../src/plan/steps.js";
import { defineScenario, type ScenarioContext, type StepFactory } from "../src/engine/scenario.js";
import type { IntentOf } from "../src/mesh/intent.js";
import type { LoadProfileInput } from "../src/load/profile.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { shareCheck } from "./checks.js";
import { applyPolicy } from "./policy-steps.js";
import { authzPolicy, LOADGEN_SERVICE_ACCOUNT, REFERENCE_ALLOW, REQUIRED_HEADERS } from "./policies.js";
import { plannedConverge, plannedMeasure } from "./sizing.js";

const FORBIDDEN = 403;
/** A service account that exists nowhere: allowing only it must shut the loadgen out. */
export const OTHER_SERVICE_ACCOUNT = "not-the-loadgen";
/** An inference-shaped path outside the allowed /v1 prefix; without authz the server answers 404. */
export const DISALLOWED_PATH = "/v2/chat/completions";

const withHeaders: Partial<LoadProfileInput> = { headers: { ...REQUIRED_HEADERS } };

/**
 * Swap one authorization policy for another: remove the old objects first, since two meshes may
 * name them differently and a leftover deny would decide for the new rules; then wait until
 * traffic shows the new rules.
 */
function swapPolicy(
  ctx: ScenarioContext,
  steps: StepFactory,
  previous: IntentOf<"authz"> | undefined,
  next: IntentOf<"authz">,
  id: string,
  name: string,
  converge: { name: string; probe: Partial<LoadProfileInput>; allowed: boolean },
): Step[] {
  const checkId = `${id}-converged`;
  return [
    ...(previous ? steps.removePolicy(`${id}-remove-previous`, "remove the previous authorization policy", [previous]) : []),
    ...applyPolicy(ctx, steps, id, name, [next]),
    plannedConverge(ctx, steps, `${id}-converge`, converge.name, [
      converge.allowed
        ? shareCheck(checkId, "the probe requests are allowed", { status: "2xx" }, 1)
        : shareCheck(checkId, "the probe requests are refused", { status: FORBIDDEN }, 1),
    ], { probe: converge.probe, requires: ["authz"], maxTolerance: { [checkId]: 0.5 } }),
  ];
}

export const authz = defineScenario({
  name: "authz",
  description:
    `${SCENARIO_SUMMARIES.authz} ` +
    "The allow rule is the seed stacks': the loadgen service account may POST to " +
    `/v1 when it sends non-empty ${Object.keys(REQUIRED_HEADERS).join(" and ")} headers. Requests refused by the policy ` +
    `must get ${FORBIDDEN}: one missing a required header, one to another path, one from outside the mesh (no identity). ` +
    "The load generator only sends POST and runs as one identity, so the method and identity rules are judged by " +
    "changing the policy instead: allowing only GET, or only another service account, must refuse the same requests " +
    "that the reference rule lets through.",
  claims: [
    "With no allow rule every request is refused.",
    "The allowed identity, method and path with the required headers are let through.",
    "A request missing a required header is refused.",
    "A request to a path outside the allowed prefix is refused.",
    "A request without a mesh identity never succeeds.",
    "A rule that allows another method refuses the same requests.",
    "A rule that allows another identity refuses the same requests.",
  ],
  requires: ["authz"],
  baseline: false,
  clusters: ["kind", "gke", "current", "host"],
  defaultLoad: { name: "authz", executor: "constant-arrival-rate", rate: 10, durationSeconds: 60, mode: "plain", maxTokens: 4 },
  build(ctx, steps) {
    const denyAll = authzPolicy(ctx.target, undefined);
    const reference = authzPolicy(ctx.target, REFERENCE_ALLOW);
    const getOnly = authzPolicy(ctx.target, { ...REFERENCE_ALLOW, methods: ["GET"] });
    const otherIdentity = authzPolicy(ctx.target, { ...REFERENCE_ALLOW, serviceAccounts: [OTHER_SERVICE_ACCOUNT] });
    const refused = (id: string, claim: string) => [shareCheck(id, claim, { status: FORBIDDEN }, 1)];
    const [firstHeader] = Object.keys(REQUIRED_HEADERS) as (keyof typeof REQUIRED_HEADERS)[];
    const missingHeader: Partial<LoadProfileInput> = { headers: firstHeader ? { [firstHeader]: REQUIRED_HEADERS[firstHeader] } : {} };
    return {
      assess: [
        ...swapPolicy(ctx, steps, undefined, denyAll, "deny-all", "deny every request to the service (no allow rule)", {
          name: "wait until allowed-looking requests are refused",
          probe: withHeaders,
          allowed: false,
        }),
        plannedMeasure(ctx, steps, "denied-by-default", "send otherwise allowed requests while no rule allows anything", refused("deny-by-default", "with no allow rule every request is refused with 403"), {
          load: withHeaders,
          requires: ["authz"],
        }),
        ...swapPolicy(ctx, steps, denyAll, reference, "allow-reference", `allow only ${LOADGEN_SERVICE_ACCOUNT} to POST to /v1 with the required headers`, {
          name: "wait until allowed requests get through",
          probe: withHeaders,
          allowed: true,
        }),
        plannedMeasure(ctx, steps, "allowed-requests", "send requests the rule allows", [
          shareCheck("allowed-succeed", "the allowed identity, method and path with the required headers succeed", { status: "2xx" }, 1),
        ], { load: withHeaders, requires: ["authz"] }),
        plannedMeasure(ctx, steps, "missing-header", `send requests with only ${firstHeader ?? "no"} header`, refused("missing-header-refused", "a request missing a required header is refused with 403"), {
          load: missingHeader,
          requires: ["authz"],
        }),
        plannedMeasure(ctx, steps, "other-path", `send requests to ${DISALLOWED_PATH}`, refused("other-path-refused", `a request to ${DISALLOWED_PATH} is refused with 403`), {
          load: { ...withHeaders, path: DISALLOWED_PATH },
          requires: ["authz"],
        }),
        plannedMeasure(ctx, steps, "outside-the-mesh", "send requests from the client outside the mesh", [
          shareCheck("no-identity-refused", "no request without a mesh identity succeeds", { status: "2xx" }, 0),
        ], { load: { ...withHeaders, client: "outsider" }, requires: ["authz"] }),
        ...swapPolicy(ctx, steps, reference, getOnly, "allow-get-only", `allow ${LOADGEN_SERVICE_ACCOUNT} only GET on /v1`, {
          name: "wait until POST requests are refused",
          probe: withHeaders,
          allowed: false,
        }),
        plannedMeasure(ctx, steps, "other-method", "send POST requests while only GET is allowed", refused("other-method-refused", "a POST is refused with 403 when only GET is allowed"), {
          load: withHeaders,
          requires: ["authz"],
        }),
        ...swapPolicy(ctx, steps, getOnly, otherIdentity, "allow-other-identity", `allow only ${OTHER_SERVICE_ACCOUNT} to POST to /v1`, {
          name: `wait until requests from ${LOADGEN_SERVICE_ACCOUNT} are refused`,
          probe: withHeaders,
          allowed: false,
        }),
        plannedMeasure(ctx, steps, "other-identity", `send requests from ${LOADGEN_SERVICE_ACCOUNT} while only ${OTHER_SERVICE_ACCOUNT} is allowed`, refused("other-identity-refused", "a request from an identity the rule does not name is refused with 403"), {
          load: withHeaders,
          requires: ["authz"],
        }),
      ],
    };
  },
});
