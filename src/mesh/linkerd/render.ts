/**
 * Intents to Linkerd 2.20 resources: outbound HTTPRoutes (routing, retries, timeouts, fault
 * backends), failure accrual on the target Service, and inbound policy (Server, authorization,
 * rate limit). Every part an intent loses is reported, never dropped.
 */
import type { KubeObject } from "../../plan/steps.js";
import type { Rendered, UnsupportedIntent } from "../driver.js";
import { dedupeUnsupported } from "../gamma/index.js";
import type { Intent, IntentOf, Target } from "../intent.js";
import { renderFailureAccrual } from "./outlier.js";
import { renderInboundPolicy } from "./policy.js";
import { renderLinkerdRoutes } from "./routes.js";
import type { FaultServer } from "./fault.js";

/** The one intent of a kind a service can have; two would contradict each other. */
function single<K extends "outlier" | "mtls" | "authz" | "rateLimit">(intents: readonly Intent[], kind: K): IntentOf<K> | undefined {
  const found = intents.filter((i): i is IntentOf<K> => i.kind === kind);
  if (found.length > 1) throw new Error(`${found.length} ${kind} intents for one service: state one (merge the rules into it)`);
  return found[0];
}

export function renderLinkerd(intents: Intent[], target: Target, podAnnotations: Record<string, string>, faultServer?: FaultServer): Rendered {
  const manifests: KubeObject[] = [];
  const unsupported: UnsupportedIntent[] = [];
  const add = (part: { manifests: KubeObject[]; unsupported: UnsupportedIntent[] }) => {
    manifests.push(...part.manifests);
    unsupported.push(...part.unsupported);
  };

  add(renderLinkerdRoutes(intents, target, podAnnotations, faultServer));
  const outlier = single(intents, "outlier");
  if (outlier) add(renderFailureAccrual(target, outlier));
  const mtls = single(intents, "mtls");
  const authz = single(intents, "authz");
  const rateLimit = single(intents, "rateLimit");
  add(renderInboundPolicy(target, { ...(mtls ? { mtls } : {}), ...(authz ? { authz } : {}), ...(rateLimit ? { rateLimit } : {}) }));
  return { manifests, unsupported: dedupeUnsupported(unsupported) };
}
