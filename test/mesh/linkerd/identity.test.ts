import { describe, expect, it } from "vitest";
import { linkerdDriver, serviceAccountOfIdentity } from "../../../src/mesh/linkerd/index.js";

describe("identityOf", () => {
  const id = "loadgen.meshproof-llm.serviceaccount.identity.linkerd.cluster.local";

  it("reads the echoed l5d-client-id, whatever the header case", () => {
    expect(linkerdDriver.identityOf({ "X-LLM-Peer-L5D": id })).toBe(id);
    expect(linkerdDriver.identityOf({ "l5d-client-id": ` ${id} ` })).toBe(id);
  });

  it("is undefined when the request carried no mesh identity", () => {
    expect(linkerdDriver.identityOf({})).toBeUndefined();
    expect(linkerdDriver.identityOf({ "x-llm-peer-l5d": "" })).toBeUndefined();
    expect(linkerdDriver.identityOf({ "x-forwarded-client-cert": "By=spiffe://cluster.local/ns/a/sa/b" })).toBeUndefined();
  });

  it("maps an identity to the namespace/serviceaccount form authorization rules use", () => {
    expect(serviceAccountOfIdentity(id)).toBe("meshproof-llm/loadgen");
    expect(serviceAccountOfIdentity("spiffe://cluster.local/ns/a/sa/b")).toBeUndefined();
  });
});
