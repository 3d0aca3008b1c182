/** Rebuild a typed model from a rendered manifest and run the published schema check on it. */
import { HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import type { KubeObject } from "../../../src/plan/steps.js";

export function validateWithPublishedModel(m: KubeObject): void {
  const { apiVersion: _apiVersion, kind: _kind, ...data } = m;
  switch (`${m.apiVersion}/${m.kind}`) {
    case "gateway.networking.k8s.io/v1/HTTPRoute":
      return new HTTPRoute(data as ConstructorParameters<typeof HTTPRoute>[0]).validate();
    case "v1/Service":
      return new Service(data as ConstructorParameters<typeof Service>[0]).validate();
    case "v1/ConfigMap":
      return new ConfigMap(data as ConstructorParameters<typeof ConfigMap>[0]).validate();
    case "apps/v1/Deployment":
      return new Deployment(data as ConstructorParameters<typeof Deployment>[0]).validate();
    default:
      throw new Error(`no published model checks ${m.apiVersion} ${m.kind}`);
  }
}
