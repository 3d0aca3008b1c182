/**
 * Typed model objects become plain KubeObjects here, once, after their schema check: the
 * models' validate() checks types and required fields (not unknown fields: the compiler's
 * excess-property check on the object literal is what catches those).
 */
import type { KubeObject } from "../../plan/steps.js";

interface ValidatableModel {
  validate(): void;
  toJSON(): unknown;
}

export function toKubeObject(model: ValidatableModel): KubeObject {
  model.validate();
  const json = model.toJSON();
  if (!isKubeObject(json)) throw new Error(`a rendered object has no apiVersion, kind or metadata.name: ${JSON.stringify(json)}`);
  // A deep copy, so no caller can mutate the model through the manifest (or the reverse).
  return JSON.parse(JSON.stringify(json)) as KubeObject;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  const meta = v["metadata"] as Record<string, unknown> | undefined;
  return typeof v["apiVersion"] === "string" && typeof v["kind"] === "string" && typeof meta?.["name"] === "string";
}
