/**
 * Linkerd from binaries built from source, for machines that cannot reach Linkerd's image
 * registry (the host cluster here). A user points meshproof at a folder or a .tar.gz holding
 * the six binaries (MESHPROOF_LINKERD_BINARIES); `npm run setup` verifies them against the
 * checksums in built-from-source.ts, unpacks them into the tools cache and records the CLI; the host cluster's
 * image builder makes the images the CLI renders, under a local registry name.
 *
 * What `linkerd install` at version-2.20 renders (checked offline with the CLI):
 *   <registry>/controller:version-2.20  identity, destination, sp-validator, proxy-injector
 *                                       (the Go controller's subcommands as args) and the policy
 *                                       container (command /linkerd-policy-controller)
 *   <registry>/proxy:version-2.20       linkerd-proxy, and linkerd-init with command
 *                                       /usr/lib/linkerd/linkerd2-proxy-init
 * `--registry` renames all of them (cli/cmd/install.go flag "Docker registry to pull images from").
 *
 * Identity: the CLI would generate a trust anchor and issuer itself, but they would be lost
 * after rendering; an upgrade needs the same anchor. So they are generated into identityDir with
 * openssl (ECDSA P-256; the issuer an intermediate CA signed by the anchor, the shape of
 * https://linkerd.io/2.20/tasks/generate-certificates/) and passed with the --identity-* flags.
 */
import { parse as parseYaml } from "yaml";
import type { CommandStep, KubeObject, Step } from "../../plan/steps.js";
import { TIMEOUTS } from "../../core/timeouts.js";
import { LINKERD_LOCAL_REGISTRY, TRUST_DOMAIN } from "./built-from-source.js";

export interface IdentityFiles {
  trustAnchorsPem: string;
  trustAnchorKey: string;
  issuerCertPem: string;
  issuerKeyPem: string;
}

export function identityFilesIn(dir: string): IdentityFiles {
  return { trustAnchorsPem: `${dir}/ca.crt`, trustAnchorKey: `${dir}/ca.key`, issuerCertPem: `${dir}/issuer.crt`, issuerKeyPem: `${dir}/issuer.key` };
}


function step(id: string, name: string, argv: string[], extra: Partial<CommandStep> = {}): CommandStep {
  return { kind: "command", id, name, timeoutMs: TIMEOUTS.command, argv, ...extra };
}

/** Trust anchor (10 years) and issuer (1 year) with openssl, each skipped when its certificate exists. */
export function opensslIdentitySteps(dir: string): Step[] {
  const f = identityFilesIn(dir);
  const caExtensions = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
  return [
    step("linkerd-identity-dir", `create ${dir} for the Linkerd identity certificates`, ["mkdir", "-p", dir]),
    step("linkerd-trust-anchor-key", "generate the Linkerd trust anchor key (ECDSA P-256) unless the anchor exists", ["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f.trustAnchorKey], {
      skipIf: ["test", "-f", f.trustAnchorsPem],
    }),
    step(
      "linkerd-trust-anchor",
      "generate the Linkerd trust anchor certificate (openssl, 10 years) unless it exists",
      ["openssl", "req", "-x509", "-new", "-key", f.trustAnchorKey, "-sha256", "-days", "3650", "-subj", `/CN=root.linkerd.${TRUST_DOMAIN}`, ...caExtensions, "-out", f.trustAnchorsPem],
      { skipIf: ["test", "-f", f.trustAnchorsPem] },
    ),
    step("linkerd-issuer-key", "generate the Linkerd identity issuer key (ECDSA P-256) unless the issuer exists", ["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", f.issuerKeyPem], {
      skipIf: ["test", "-f", f.issuerCertPem],
    }),
    step(
      "linkerd-issuer",
      "generate the Linkerd identity issuer certificate (signed by the trust anchor, 1 year) unless it exists",
      [
        "openssl", "req", "-x509", "-new", "-key", f.issuerKeyPem, "-CA", f.trustAnchorsPem, "-CAkey", f.trustAnchorKey, "-sha256", "-days", "365",
        "-subj", `/CN=identity.linkerd.${TRUST_DOMAIN}`, "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", f.issuerCertPem,
      ],
      { skipIf: ["test", "-f", f.issuerCertPem] },
    ),
  ];
}

/**
 * Extra `linkerd install` flags: the generated identity and the local image registry. And
 * linkerd-init as root: upstream's proxy image gives iptables and proxy-init file capabilities
 * (setcap) so they work as uid 65534, but the locally written image layers carry no extended
 * attributes, so the init container needs root to use NET_ADMIN (chart value proxyInit.runAsRoot).
 */
export function fromBinariesInstallArgs(identityDir: string, registry: string = LINKERD_LOCAL_REGISTRY): string[] {
  const f = identityFilesIn(identityDir);
  return [
    "--registry", registry,
    "--image-pull-policy", "IfNotPresent",
    "--set", "proxyInit.runAsRoot=true",
    // The heartbeat CronJob reports to versioncheck.linkerd.io: nothing here may leave the machine.
    "--disable-heartbeat",
    "--identity-trust-anchors-file", f.trustAnchorsPem,
    "--identity-issuer-certificate-file", f.issuerCertPem,
    "--identity-issuer-key-file", f.issuerKeyPem,
  ];
}

// ---------------------------------------------------------------------------------------------
// Checking a render before it is applied (and in tests, against the real CLI).

type Container = { name?: string; image?: string; imagePullPolicy?: string };
type PodSpec = { containers?: Container[]; initContainers?: Container[] };

function podSpecOf(object: KubeObject): PodSpec | undefined {
  const spec = (object as { spec?: { template?: { spec?: PodSpec }; jobTemplate?: { spec?: { template?: { spec?: PodSpec } } } } }).spec;
  return spec?.template?.spec ?? spec?.jobTemplate?.spec?.template?.spec;
}

/**
 * What is wrong with a rendered `linkerd install` for the from-binaries variant, as sentences;
 * empty when every container (and every proxy the injector will add) runs a local image that
 * is never pulled, and the identity is the trust anchor meshproof generated.
 */
export function fromBinariesRenderProblems(objects: KubeObject[], expected: { registry?: string; trustAnchorsPem: string }): string[] {
  const registry = expected.registry ?? LINKERD_LOCAL_REGISTRY;
  const problems: string[] = [];
  let containers = 0;
  for (const object of objects) {
    const pod = podSpecOf(object);
    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
      containers++;
      const where = `${object.kind} ${object.metadata.name}, container ${String(c.name)}`;
      if (!c.image?.startsWith(`${registry}/`)) problems.push(`${where} runs ${String(c.image)}, not an image of ${registry}`);
      if (c.imagePullPolicy !== "IfNotPresent") problems.push(`${where} has imagePullPolicy ${String(c.imagePullPolicy)}, not IfNotPresent`);
    }
  }
  if (containers === 0) problems.push("no workloads in the render");

  const config = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "linkerd-config") as { data?: { values?: string } } | undefined;
  const values = config?.data?.values
    ? (parseYaml(config.data.values) as { proxy?: { image?: { name?: string } }; proxyInit?: { runAsRoot?: boolean } })
    : undefined;
  const proxyImage = values?.proxy?.image?.name;
  if (proxyImage !== `${registry}/proxy`) problems.push(`the injector would add ${String(proxyImage)}, not ${registry}/proxy`);
  if (values?.proxyInit?.runAsRoot !== true) problems.push("linkerd-init would run as uid 65534, which cannot use NET_ADMIN without file capabilities the local image lacks");

  const roots = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "linkerd-identity-trust-roots") as { data?: Record<string, string> } | undefined;
  const bundle = roots?.data?.["ca-bundle.crt"];
  if (bundle?.trim() !== expected.trustAnchorsPem.trim()) problems.push("the trust roots are not the generated trust anchor (the CLI made its own, which an upgrade would lose)");
  return problems;
}
