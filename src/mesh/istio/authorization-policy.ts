/**
 * The authz intent (default deny, allow rules) as security.istio.io/v1 AuthorizationPolicy.
 * Fields: https://istio.io/latest/docs/reference/config/security/authorization-policy/ and
 * conditions https://istio.io/latest/docs/reference/config/security/conditions/ (checked against
 * the 1.30.3 CRD and authorization_policy.proto; see references.ts).
 *
 * Two policies on the service's workloads: an explicit allow-nothing policy (ALLOW with no
 * rules matches nothing, so everything is denied) that states the default deny even when no
 * rule is given, and an ALLOW policy with one rule per intent rule. Istio allows a request when
 * any ALLOW policy matches it, so the pair denies exactly what no rule allows.
 *
 * Within a rule the intent's fields are ANDed, as Istio ANDs from, to and when; lists inside a
 * field are ORed, as Istio ORs the values of one field.
 */
import { AuthorizationPolicy, type IAuthorizationPolicy } from "@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy";
import type { KubeObject } from "../../plan/steps.js";
import type { UnsupportedIntent } from "../driver.js";
import type { AuthzRule, HeaderMatch, IntentOf, PathMatch, Target } from "../intent.js";
import { objectMeta } from "./meta.js";

type Spec = NonNullable<IAuthorizationPolicy["spec"]>;
type Rule = NonNullable<Spec["rules"]>[number];
type Source = NonNullable<NonNullable<Rule["from"]>[number]["source"]>;
type Operation = NonNullable<NonNullable<Rule["to"]>[number]["operation"]>;
type Condition = NonNullable<Rule["when"]>[number];

/**
 * Istio reads a leading or trailing `*` in these strings as a suffix, prefix or presence match
 * ("Any string field in the rule supports Exact, Prefix, Suffix and Presence match").
 */
const WILDCARD_AT_END = /^\*|\*$/;

export function renderAuthorizationPolicies(
  intents: IntentOf<"authz">[],
  target: Target,
  trustDomain: string,
): { manifests: KubeObject[]; unsupported: UnsupportedIntent[] } {
  const unsupported: UnsupportedIntent[] = [];
  if (intents.length === 0) return { manifests: [], unsupported };

  const selector = { matchLabels: { ...target.selector } };
  const denyAll = new AuthorizationPolicy({ metadata: objectMeta(target, "authz-deny-all"), spec: { selector, action: "ALLOW" } });
  denyAll.validate();
  const manifests: KubeObject[] = [denyAll.toJSON() as KubeObject];

  // Several authz intents on one service are the union of their allow rules.
  const rules: Rule[] = [];
  intents.forEach((intent, i) =>
    intent.rules.forEach((rule, j) => {
      const rendered = toRule(rule, trustDomain);
      if (typeof rendered === "string") {
        unsupported.push({
          intent: "authz",
          partial: true,
          reason: `allow rule ${j + 1} of authz intent ${i + 1} is not rendered, so the default deny still covers it: ${rendered}`,
        });
      } else {
        rules.push(rendered);
      }
    }),
  );
  if (rules.length > 0) {
    const allow = new AuthorizationPolicy({ metadata: objectMeta(target, "authz-allow"), spec: { selector, action: "ALLOW", rules } });
    allow.validate();
    manifests.push(allow.toJSON() as KubeObject);
  }
  return { manifests, unsupported };
}

/** The Istio rule, or why it cannot be expressed (dropping a rule only ever denies more). */
function toRule(rule: AuthzRule, trustDomain: string): Rule | string {
  const out: Rule = {};

  if (rule.serviceAccounts.length > 0 || rule.namespaces.length > 0) {
    const source: Source = {};
    // Principals rather than `serviceAccounts`, which the CRD forbids alongside `namespaces`.
    if (rule.serviceAccounts.length > 0) source.principals = rule.serviceAccounts.map((sa) => principal(sa, trustDomain));
    if (rule.namespaces.length > 0) source.namespaces = [...rule.namespaces];
    out.from = [{ source }];
  }

  if (rule.methods.length > 0 || rule.paths.length > 0) {
    const operation: Operation = {};
    if (rule.methods.length > 0) operation.methods = [...rule.methods];
    if (rule.paths.length > 0) {
      const paths: string[] = [];
      for (const path of rule.paths) {
        const value = toPath(path);
        if (value === undefined) return `path "${path.value}" contains "*", which Istio reads as a wildcard, not a literal`;
        paths.push(value);
      }
      operation.paths = paths;
    }
    out.to = [{ operation }];
  }

  if (rule.headers.length > 0) {
    const when: Condition[] = [];
    for (const header of rule.headers) {
      const condition = toCondition(header);
      if (typeof condition === "string") return condition;
      when.push(condition);
    }
    out.when = when;
  }
  return out;
}

/** "ns/sa" as the SPIFFE-derived principal "<trust domain>/ns/<ns>/sa/<sa>". */
export function principal(serviceAccount: string, trustDomain: string): string {
  const [namespace, name] = serviceAccount.split("/");
  return `${trustDomain}/ns/${namespace}/sa/${name}`;
}

/** Istio path matching is a string prefix when the value ends in `*`. */
function toPath(path: PathMatch): string | undefined {
  if (path.value.includes("*")) return undefined;
  return path.type === "prefix" ? `${path.value}*` : path.value;
}

/**
 * Required headers as `when` conditions on request.headers[<name>]. A present-match is the
 * documented value `*` ("Presence match: * will match when value is not empty"). Conditions
 * cannot take a regex.
 */
function toCondition(header: HeaderMatch): Condition | string {
  const key = `request.headers[${header.name}]`;
  switch (header.match.type) {
    case "present":
      return { key, values: ["*"] };
    case "exact":
      if (WILDCARD_AT_END.test(header.match.value) || header.match.value === "") {
        return `header ${header.name} must equal "${header.match.value}", which Istio would read as a wildcard or cannot match`;
      }
      return { key, values: [header.match.value] };
    case "regex":
      return `header ${header.name} must match the regex ${header.match.value}; authorization conditions support exact, prefix, suffix and presence only`;
  }
}
