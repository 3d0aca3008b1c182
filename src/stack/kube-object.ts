/**
 * From a typed model (kubernetes-models) to the plain KubeObject a plan step carries. Validation
 * runs here, once per object, so a missing required field fails at render time, not at apply.
 */
import type { KubeObject } from "../plan/steps.js";

interface TypedModel {
  validate(): void;
  toJSON(): unknown;
}

export function toKubeObject(model: TypedModel): KubeObject {
  model.validate();
  const json = model.toJSON() as Partial<KubeObject>;
  if (!json.apiVersion || !json.kind || !json.metadata?.name) {
    throw new Error(`a rendered object lacks apiVersion, kind or metadata.name: ${JSON.stringify(json).slice(0, 200)}`);
  }
  return json as KubeObject;
}
