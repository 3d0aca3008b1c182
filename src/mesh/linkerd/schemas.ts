/**
 * Linkerd's policy.linkerd.io resources have no published model package, so their shape is
 * written down here: a zod schema per kind meshproof renders, with strict objects so an unknown
 * (misspelt) field is an error, and the TypeScript types inferred from those schemas so an
 * object literal with an unknown field does not compile either.
 *
 * Source: Linkerd version-2.20 (edge-26.6.3) CRDs,
 * https://github.com/linkerd/linkerd2/tree/version-2.20/charts/linkerd-crds/templates/policy
 * (server.yaml: v1beta3 is the storage version; authorization-policy.yaml,
 * meshtls-authentication.yaml, network-authentication.yaml, http-local-ratelimit-policy.yaml:
 * v1alpha1), and https://linkerd.io/2.20/reference/authorization-policy/ and
 * https://linkerd.io/2.20/reference/rate-limiting/ for the allowed values.
 */
import { z } from "zod";
import type { KubeObject } from "../../plan/steps.js";

// Reference patterns, as in the CRDs (they are the Gateway API ones, "modified from the gateway API").
const GROUP_PATTERN = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND_PATTERN = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const DNS_LABEL_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const Group = z.string().max(253).regex(GROUP_PATTERN);
const Kind = z.string().min(1).max(63).regex(KIND_PATTERN);
const Name = z.string().min(1).max(253);

const ObjectMeta = z.strictObject({
  name: Name,
  namespace: z.string().regex(DNS_LABEL_PATTERN).max(63),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const LabelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(z.strictObject({ key: z.string(), operator: z.enum(["In", "NotIn", "Exists", "DoesNotExist"]), values: z.array(z.string()).optional() }))
    .optional(),
});

/**
 * Server.spec.accessPolicy takes "the same values as the default policies" (the CRD has no enum;
 * the values are from the authorization-policy reference page).
 */
export const AccessPolicy = z.enum(["deny", "audit", "all-unauthenticated", "all-authenticated", "cluster-unauthenticated", "cluster-authenticated"]);
export type AccessPolicy = z.infer<typeof AccessPolicy>;

/** Documented values of Server.spec.proxyProtocol. */
const ProxyProtocol = z.enum(["unknown", "HTTP/1", "HTTP/2", "gRPC", "opaque", "TLS"]);

/** A reference to an object in the policy's own namespace (AuthorizationPolicy and rate limit targetRef). */
const LocalTargetRef = z.strictObject({ group: Group.optional(), kind: Kind, name: Name });

/** requiredAuthenticationRefs items: kind and name required. */
const NamespacedTargetRef = z.strictObject({ group: Group.optional(), kind: Kind, name: Name, namespace: z.string().max(253).optional() });

export const Server = z.strictObject({
  apiVersion: z.literal("policy.linkerd.io/v1beta3"),
  kind: z.literal("Server"),
  metadata: ObjectMeta,
  spec: z
    .strictObject({
      accessPolicy: AccessPolicy.optional(),
      podSelector: LabelSelector.optional(),
      externalWorkloadSelector: LabelSelector.optional(),
      port: z.union([z.number().int().min(1).max(65535), z.string().min(1).max(15)]),
      proxyProtocol: ProxyProtocol.optional(),
    })
    .refine((s) => (s.podSelector === undefined) !== (s.externalWorkloadSelector === undefined), "a Server selects pods or external workloads: exactly one of podSelector, externalWorkloadSelector"),
});
export type Server = z.infer<typeof Server>;

export const AuthorizationPolicy = z.strictObject({
  apiVersion: z.literal("policy.linkerd.io/v1alpha1"),
  kind: z.literal("AuthorizationPolicy"),
  metadata: ObjectMeta,
  spec: z.strictObject({
    targetRef: LocalTargetRef,
    requiredAuthenticationRefs: z.array(NamespacedTargetRef),
  }),
});
export type AuthorizationPolicy = z.infer<typeof AuthorizationPolicy>;

/**
 * identityRefs: the CRD requires only `kind`; Linkerd 2.20's policy controller resolves kind
 * ServiceAccount (by name, in `namespace` or the policy's own) and kind Namespace (every
 * identity in the namespace named `name`), so meshproof always sets `name`.
 */
const IdentityRef = z.strictObject({ group: Group.optional(), kind: Kind, name: Name.optional(), namespace: z.string().max(253).optional() });

export const MeshTLSAuthentication = z.strictObject({
  apiVersion: z.literal("policy.linkerd.io/v1alpha1"),
  kind: z.literal("MeshTLSAuthentication"),
  metadata: ObjectMeta,
  spec: z
    .strictObject({
      identities: z.array(z.string().min(1)).min(1).optional(),
      identityRefs: z.array(IdentityRef).min(1).optional(),
    })
    .refine((s) => (s.identities === undefined) !== (s.identityRefs === undefined), "a MeshTLSAuthentication lists identities or identityRefs: exactly one of them"),
});
export type MeshTLSAuthentication = z.infer<typeof MeshTLSAuthentication>;

const CIDR = z.string().regex(/^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]+)\/[0-9]{1,3}$/, "a CIDR such as 10.0.0.0/8 or ::/0");

export const NetworkAuthentication = z.strictObject({
  apiVersion: z.literal("policy.linkerd.io/v1alpha1"),
  kind: z.literal("NetworkAuthentication"),
  metadata: ObjectMeta,
  spec: z.strictObject({
    networks: z.array(z.strictObject({ cidr: CIDR, except: z.array(CIDR).optional() })),
  }),
});
export type NetworkAuthentication = z.infer<typeof NetworkAuthentication>;

const RequestsPerSecond = z.strictObject({ requestsPerSecond: z.number().int().positive() });

export const HTTPLocalRateLimitPolicy = z.strictObject({
  apiVersion: z.literal("policy.linkerd.io/v1alpha1"),
  kind: z.literal("HTTPLocalRateLimitPolicy"),
  metadata: ObjectMeta,
  spec: z.strictObject({
    /** "Only Server is allowed." */
    targetRef: LocalTargetRef.extend({ kind: z.literal("Server"), group: z.literal("policy.linkerd.io") }),
    total: RequestsPerSecond.optional(),
    identity: RequestsPerSecond.optional(),
    overrides: z
      .array(
        z.strictObject({
          requestsPerSecond: z.number().int().positive(),
          clientRefs: z.array(z.strictObject({ group: Group.optional(), kind: Kind, namespace: z.string().regex(DNS_LABEL_PATTERN).max(63).optional(), name: Name })),
        }),
      )
      .optional(),
  }),
});
export type HTTPLocalRateLimitPolicy = z.infer<typeof HTTPLocalRateLimitPolicy>;

export type LinkerdPolicyResource = Server | AuthorizationPolicy | MeshTLSAuthentication | NetworkAuthentication | HTTPLocalRateLimitPolicy;

const SCHEMAS: Record<string, z.ZodType> = {
  "policy.linkerd.io/v1beta3/Server": Server,
  "policy.linkerd.io/v1alpha1/AuthorizationPolicy": AuthorizationPolicy,
  "policy.linkerd.io/v1alpha1/MeshTLSAuthentication": MeshTLSAuthentication,
  "policy.linkerd.io/v1alpha1/NetworkAuthentication": NetworkAuthentication,
  "policy.linkerd.io/v1alpha1/HTTPLocalRateLimitPolicy": HTTPLocalRateLimitPolicy,
};

export function isLinkerdPolicyKind(object: { apiVersion: string; kind: string }): boolean {
  return `${object.apiVersion}/${object.kind}` in SCHEMAS;
}

/** Check a policy.linkerd.io object against its schema; the error lists every problem with its path. */
export function validateLinkerdPolicy(object: unknown): void {
  const o = object as { apiVersion?: unknown; kind?: unknown };
  const key = `${String(o.apiVersion)}/${String(o.kind)}`;
  const schema = SCHEMAS[key];
  if (!schema) throw new Error(`no Linkerd schema for ${key}: meshproof renders ${Object.keys(SCHEMAS).join(", ")}`);
  const result = schema.safeParse(object);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`invalid ${key}: ${problems}`);
  }
}

/** A checked policy object as a manifest (a copy: later edits to the source do not leak in). */
export function linkerdManifest(resource: LinkerdPolicyResource): KubeObject {
  validateLinkerdPolicy(resource);
  return JSON.parse(JSON.stringify(resource)) as KubeObject;
}
