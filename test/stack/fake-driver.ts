/**
 * A mesh driver with recognisable enrolment and sidecar settings, so the golden stack shows
 * exactly where a driver's labels and annotations land. Named "linkerd" so the Prometheus config
 * includes the proxy scrape job; nothing else of Linkerd is used.
 */
import type { Capabilities, MeshDriver } from "../../src/mesh/driver.js";
import { INTENT_KINDS } from "../../src/mesh/intent.js";

export const fakeDriver: MeshDriver = {
  name: "linkerd",
  defaultVersion: "fake-1.0",
  references: [],
  capabilities: () => Object.fromEntries(INTENT_KINDS.map((k) => [k, { support: "native", note: "fake" }])) as Capabilities,
  install: () => [],
  verifyReady: () => [],
  upgrade: () => [],
  uninstall: () => [],
  enrollNamespace: () => ({ labels: { "fake-mesh/enrolled": "true" }, annotations: { "linkerd.io/inject": "enabled" } }),
  podAnnotations: () => ({ "config.linkerd.io/proxy-cpu-request": "100m", "config.linkerd.io/proxy-memory-request": "128Mi" }),
  render: () => ({ manifests: [], unsupported: [] }),
  identityOf: () => undefined,
};
