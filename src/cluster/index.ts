export type { ClusterName, ClusterProvider } from "./provider.js";
export { kindProvider, KIND_NODE_IMAGE, KIND_VERSION, KIND_CONFIG } from "./kind.js";
export { gkeProvider, type GkeOptions } from "./gke.js";
export { currentProvider } from "./current.js";
export { hostProvider, hostProviderFor, hostPreflight, hostDestroyStep, type HostOptions } from "./host/index.js";
export { localProvider } from "./local.js";

export { CLUSTER_NAMES } from "./provider.js";
