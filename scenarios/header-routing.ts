/**
 * Routing by header ahead of the weighted split: the seed stacks' canary override and the
 * governance tier header, with every other request left to the 90/10 split.
 */
import { defineScenario } from "../src/engine/scenario.js";
import { SCENARIO_SUMMARIES } from "./catalog.js";
import { shareCheck } from "./checks.js";
import { applyPolicy } from "./policy-steps.js";
import { CANARY, CANARY_HEADER, CANARY_HEADER_OVERRIDE, CANARY_PERCENT, PREMIUM_TIER_ROUTE, PREMIUM_VERSION, SPLIT_90_10, TIER_HEADER } from "./policies.js";
import { plannedConverge, plannedMeasure } from "./sizing.js";

const defaultShare = CANARY_PERCENT / 100;

export const headerRouting = defineScenario({
  name: "header-routing",
  description:
    `${SCENARIO_SUMMARIES["header-routing"]} ` +
    "The policy is the seed stacks' canary with its header override plus the governance tier route; each kind of request " +
    "is measured on its own, including header values that must not match (x-canary: false, a standard tier).",
  claims: [
    `Every request with ${CANARY_HEADER.name}: ${CANARY_HEADER.value} is served by the canary.`,
    `Every request with ${TIER_HEADER.name}: ${TIER_HEADER.value} is served by ${PREMIUM_VERSION}.`,
    `Requests without those headers, or with other values of them, reach the canary ${CANARY_PERCENT}% of the time.`,
  ],
  requires: ["route", "split"],
  baseline: false,
  clusters: ["kind", "gke", "current", "host"],
  defaultLoad: { name: "header-routing", executor: "constant-arrival-rate", rate: 20, durationSeconds: 60, mode: "plain", maxTokens: 8 },
  build(ctx, steps) {
    const canaryHeader = { [CANARY_HEADER.name]: CANARY_HEADER.value };
    return {
      assess: [
        ...applyPolicy(ctx, steps, "routing-policy", `route ${CANARY_HEADER.name}: ${CANARY_HEADER.value} to the canary and premium customers to ${PREMIUM_VERSION}; split the rest ${100 - CANARY_PERCENT}/${CANARY_PERCENT}`, [
          CANARY_HEADER_OVERRIDE,
          PREMIUM_TIER_ROUTE,
          SPLIT_90_10,
        ]),
        plannedConverge(ctx, steps, "routing-converge", `wait until requests with ${CANARY_HEADER.name}: ${CANARY_HEADER.value} all reach the canary`, [
          shareCheck("routing-converged-override", "requests with the override header reach the canary", { version: CANARY }, 1),
        ], {
          probe: { headers: canaryHeader },
          requires: ["route"],
          // Before the policy about half reach the canary; the band must stay clear of that.
          maxTolerance: { "routing-converged-override": 0.25 },
        }),
        plannedMeasure(ctx, steps, "canary-header", `send every request with ${CANARY_HEADER.name}: ${CANARY_HEADER.value}`, [
          shareCheck("override-reaches-canary", `every request with ${CANARY_HEADER.name}: ${CANARY_HEADER.value} is served by the canary`, { version: CANARY }, 1),
        ], { load: { headers: canaryHeader }, requires: ["route"] }),
        plannedMeasure(ctx, steps, "premium-tier", `send every request with ${TIER_HEADER.name}: ${TIER_HEADER.value}`, [
          shareCheck("premium-reaches-stable", `every request with ${TIER_HEADER.name}: ${TIER_HEADER.value} is served by ${PREMIUM_VERSION}`, { version: PREMIUM_VERSION }, 1),
        ], { load: { headers: { [TIER_HEADER.name]: TIER_HEADER.value } }, requires: ["route"] }),
        plannedMeasure(ctx, steps, "no-headers", "send requests without routing headers", [
          shareCheck("plain-requests-split", `requests without routing headers reach the canary ${CANARY_PERCENT}% of the time`, { version: CANARY }, defaultShare),
        ], { requires: ["split"] }),
        plannedMeasure(ctx, steps, "other-header-values", `send requests with ${CANARY_HEADER.name}: false and ${TIER_HEADER.name}: standard`, [
          shareCheck("other-values-split", `requests whose routing headers hold other values reach the canary ${CANARY_PERCENT}% of the time`, { version: CANARY }, defaultShare),
        ], { load: { headers: { [CANARY_HEADER.name]: "false", [TIER_HEADER.name]: "standard" } }, requires: ["route", "split"] }),
      ],
    };
  },
});
