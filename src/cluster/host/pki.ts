/**
 * The cluster's certificates, made with the openssl CLI (Debian's openssl): one CA, a serving
 * certificate for the API server and the kubelet, a client certificate per component (its
 * name and group are what RBAC's default bindings expect), and the service-account key pair.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runChecked } from "../../core/process.js";
import { COREDNS_USER, NETWORK } from "./settings.js";

/** openssl is quick; a minute covers a busy machine. */
const OPENSSL_TIMEOUT_MS = 60_000;

function openssl(args: string[], step: string): Promise<unknown> {
  return runChecked(["openssl", ...args], { timeoutMs: OPENSSL_TIMEOUT_MS, step });
}

export interface LeafSpec {
  /** File stem: <pki>/<file>.crt and .key. */
  file: string;
  commonName: string;
  organization?: string;
  usage: "client" | "server";
  dns?: string[];
  ips?: string[];
}

/** Every certificate a cluster needs; the names and groups follow Kubernetes' default RBAC bindings. */
export function leafSpecs(node: string): LeafSpec[] {
  const domain = NETWORK.clusterDomain;
  return [
    {
      file: "apiserver",
      commonName: "kube-apiserver",
      usage: "server",
      dns: ["kubernetes", "kubernetes.default", "kubernetes.default.svc", `kubernetes.default.svc.${domain}`, "localhost"],
      ips: [NETWORK.nodeIp, NETWORK.apiServiceIp, "127.0.0.1"],
    },
    { file: "kubelet-serving", commonName: node, usage: "server", dns: [node, "localhost"], ips: [NETWORK.nodeIp, "127.0.0.1"] },
    { file: "apiserver-kubelet-client", commonName: "kube-apiserver-kubelet-client", organization: "system:masters", usage: "client" },
    { file: "admin", commonName: "meshproof-admin", organization: "system:masters", usage: "client" },
    { file: "controller-manager", commonName: "system:kube-controller-manager", usage: "client" },
    { file: "scheduler", commonName: "system:kube-scheduler", usage: "client" },
    { file: "kubelet", commonName: `system:node:${node}`, organization: "system:nodes", usage: "client" },
    { file: "kube-proxy", commonName: "system:kube-proxy", usage: "client" },
    { file: "coredns", commonName: COREDNS_USER, usage: "client" },
  ];
}

/** The openssl extension section of a leaf (exported for tests: SANs are what clients verify). */
export function extensionsOf(spec: LeafSpec): string {
  const lines = [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    `extendedKeyUsage=${spec.usage === "server" ? "serverAuth" : "clientAuth"}`,
  ];
  const alt = [...(spec.dns ?? []).map((d) => `DNS:${d}`), ...(spec.ips ?? []).map((ip) => `IP:${ip}`)];
  if (alt.length > 0) lines.push(`subjectAltName=${alt.join(",")}`);
  return lines.join("\n") + "\n";
}

function subjectOf(spec: LeafSpec): string {
  return `${spec.organization ? `/O=${spec.organization}` : ""}/CN=${spec.commonName}`;
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const DAYS = "3650";

/** Create whatever of the PKI is missing (a reused cluster keeps its certificates). */
export async function ensurePki(dir: string, node: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = { crt: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  if (!existsSync(ca.crt)) {
    await openssl(["req", "-x509", "-new", ...EC_KEY, "-keyout", ca.key, "-out", ca.crt, "-days", DAYS, "-subj", "/CN=meshproof-host-ca",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"], "creating the cluster CA");
  }
  for (const spec of leafSpecs(node)) {
    const crt = join(dir, `${spec.file}.crt`);
    if (existsSync(crt)) continue;
    const key = join(dir, `${spec.file}.key`);
    const csr = join(dir, `${spec.file}.csr`);
    const ext = join(dir, `${spec.file}.ext`);
    await writeFile(ext, extensionsOf(spec));
    await openssl(["req", "-new", ...EC_KEY, "-keyout", key, "-out", csr, "-subj", subjectOf(spec)], `creating the ${spec.file} key and request`);
    await openssl(["x509", "-req", "-in", csr, "-CA", ca.crt, "-CAkey", ca.key, "-CAcreateserial", "-out", crt, "-days", DAYS, "-extfile", ext], `signing the ${spec.file} certificate`);
  }
  const sa = join(dir, "service-account.key");
  if (!existsSync(sa)) {
    await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", sa], "creating the service-account key");
    await openssl(["pkey", "-in", sa, "-pubout", "-out", join(dir, "service-account.pub")], "writing the service-account public key");
  }
}
