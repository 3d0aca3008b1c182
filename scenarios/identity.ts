/**
 * Peer identities in checks. The identity a mesh gives a workload, in the form its driver's
 * `identityOf` reports it, is the mesh registry's (src/mesh/registry.ts, each entry's
 * `workloadIdentity`), reached by a scenario through its context (`ctx.workloadIdentity`).
 */

/** What an outcome's `peer` holds when the request carried no mesh identity. */
export const NO_PEER = "none";
