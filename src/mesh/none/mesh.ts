/** The no-mesh baseline in the mesh registry (../registry.ts). */
import type { MeshEntry } from "../entry.js";
import { workloadJob } from "../entry.js";
import { noneDriver } from "./index.js";

export const noneMesh: MeshEntry = {
  name: "none",
  title: "no mesh",
  baseline: true,
  // Nothing to render, so nothing heavy to defer.
  loadDriver: async () => noneDriver,
  createDriver: async () => noneDriver,
  tools: [],
  workloadIdentity: () => undefined,
  scrapeJobs: (pods) => [workloadJob(pods)],
  variants: [],
  colour: "#9aa0a6",
};
