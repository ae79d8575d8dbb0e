// The demo PKI on disk: written once into a folder, with the commands that enroll against it. Everything
// those commands write goes below the demo folder (ee/), never into the folder they are run from.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import { caCertPath, caShortName, crlPath } from "../ca/crl/names.js";
import { buildDemoPki, type DemoFile } from "../ca/demo.js";
import { ConfigError } from "../config/load.js";
import { exportPrivateKeyPem, generateKeyPair, importPrivateKeyPem } from "../crypto/index.js";
import { buildCertificate } from "../pki/build.js";
import {
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  extKeyUsageExt,
  getSubjectKeyIdentifier,
  keyIdentifier,
  keyUsageExt,
  ocspNoCheckExt,
  subjectKeyIdentifierExt,
} from "../pki/extensions.js";
import { parseName } from "../pki/names.js";
import { pemBlocks, toPem } from "../pki/pem.js";
import { OCSP_PATH } from "./ocsp.js";

/** Sub-folder of the demo folder for the end-entity keys and certificates the printed commands make. */
export const DEMO_EE_DIR = "ee";

export interface DemoInit {
  /** Absolute path of the written lwcmp.yaml. */
  config: string;
  kid: string;
  secret: string;
}

const DAY = 86_400_000;

/**
 * Adds a delegated OCSP responder (RFC 6960 §4.2.2.2: id-kp-OCSPSigning, id-pkix-ocsp-nocheck) issued by the
 * demo issuing CA, the configuration's ocsp section and the CRL download URLs, so issued certificates name
 * both the responder (AIA) and the CRL (CDP).
 */
function withRevocationStatus(files: DemoFile[], alg: string, port: number): DemoFile[] {
  const text = (name: string) => files.find((f) => f.name === name)!.content;
  const caDer = pemBlocks(text("issuing-ca.crt"))[0]!;
  const ca = AsnParser.parse(caDer, Certificate);
  const key = generateKeyPair(alg);
  const now = Date.now();
  const der = buildCertificate({
    issuer: ca.tbsCertificate.subject,
    subject: parseName("CN=Demo OCSP Responder,O=lwcmp demo"),
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(Math.min(now + 365 * DAY, ca.tbsCertificate.validity.notAfter.getTime().getTime())),
    subjectPublicKeyInfo: key.publicKey.spki,
    extensions: [
      basicConstraintsExt(false),
      keyUsageExt(["digitalSignature"]),
      extKeyUsageExt(["1.3.6.1.5.5.7.3.9"]),
      ocspNoCheckExt(),
      subjectKeyIdentifierExt(
        keyIdentifier(AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo).subjectPublicKey),
      ),
      authorityKeyIdentifierExt(getSubjectKeyIdentifier(ca)!),
    ],
    issuerKey: importPrivateKeyPem(text("issuing-ca.key")),
  });
  // RFC 5280 §4.2.1.13, §4.2.2.1: issued certificates name the CRL download and the CA certificate.
  const name = caShortName(undefined, ca);
  const base = `http://127.0.0.1:${port}`;
  const crl = `  crl:
    distributionPoints: [${base}${crlPath(name, 0, 1)}]
  caIssuers: [${base}${caCertPath(name)}]
`;
  const section = `ocsp:
  # the responder URL goes into authorityInfoAccess of every issued certificate
  url: ${base}${OCSP_PATH}
  responder:
    certificate: ocsp-responder.crt
    key: ocsp-responder.key
  refreshInterval: 1h
  validity: 1d
`;
  return [
    ...files.map((f) =>
      f.name === "lwcmp.yaml"
        ? { ...f, content: `${f.content.replace("\nca:\n", `\nca:\n${crl}`)}${section}` }
        : f,
    ),
    { name: "ocsp-responder.crt", content: toPem(der, "CERTIFICATE") },
    { name: "ocsp-responder.key", content: exportPrivateKeyPem(key), secret: true },
  ];
}

/** Writes a demo PKI and its lwcmp.yaml into `dir` (`lwcmp ca init`). */
export function initDemo(dir: string, opts: { alg?: string; port?: number; force?: boolean } = {}): DemoInit {
  const target = resolve(dir);
  if (existsSync(join(target, "lwcmp.yaml")) && !opts.force) {
    throw new ConfigError(`${target} already holds a configuration; use --force to replace it`);
  }
  mkdirSync(target, { recursive: true });
  const demo = buildDemoPki({ alg: opts.alg, port: opts.port });
  const { kid, secret } = demo;
  const files = withRevocationStatus(demo.files, opts.alg ?? "ec-p256", opts.port ?? 8080);
  for (const f of files) writeFileSync(join(target, f.name), f.content, { mode: f.secret ? 0o600 : 0o644 });
  return { config: join(target, "lwcmp.yaml"), kid, secret };
}

/** The demo folder ready to serve (`lwcmp demo`): a PKI made on first use and the ee/ output folder. */
export function prepareDemo(
  dir: string,
  opts: { alg?: string; port?: number } = {},
): { config: string; raConfig?: string } {
  const config = join(resolve(dir), "lwcmp.yaml");
  if (!existsSync(config)) initDemo(dir, opts);
  mkdirSync(join(resolve(dir), DEMO_EE_DIR), { recursive: true });
  const raConfig = join(resolve(dir), "ra.yaml");
  return { config, raConfig: existsSync(raConfig) ? raConfig : undefined };
}

/** The demo issuing CA's name in the download paths (from its CN "Demo Issuing CA", docs/revocation.md). */
const DEMO_CA_NAME = "demo-issuing-ca";

export interface DemoCommands {
  lwcmp: string[];
  openssl: string[];
  /** Status checks with openssl ocsp against the demo responder (RFC 6960), after the commands above. */
  ocsp: string[];
  /** Revoke the openssl-enrolled certificate, then download the CRL and check the certificate against it. */
  revocation: string[];
  approvals: string;
  /** Enrollments through the demo RA (ra.yaml, RFC 9483 §5): re-protected, and nested. */
  ra: string[];
}

/**
 * The enrollment commands against a running demo CA, for a shell in the folder that holds `dir` (`dir` as
 * the user gave it, e.g. ".lwcmp-demo"). Multi-line commands use shell continuations.
 */
export function demoCommands(dir: string, port: number, raPort = port + 1): DemoCommands {
  const base = `http://127.0.0.1:${port}`;
  const d = (f: string) => join(dir, f);
  const ee = (f: string) => join(dir, DEMO_EE_DIR, f);
  const secret = `file:${d("demo-ee.secret")}`;
  const trusted = `--trusted ${d("root-ca.crt")}`;
  const lwcmp = "npm run lwcmp --";
  return {
    lwcmp: [
      `${lwcmp} ir --server ${base} --ref demo-ee --secret ${secret} \\
      --subject /CN=device-1 --newkeytype ec-p256 --newkeyout ${ee("device-1.key")} --certout ${ee("device-1.crt")} ${trusted}`,
      `${lwcmp} ir --server ${base} --cert ${d("idevid-chain.crt")} --key ${d("idevid.key")} \\
      --subject /CN=device-2 --newkeytype ec-p256 --newkeyout ${ee("device-2.key")} --certout ${ee("device-2.crt")} ${trusted}`,
      `${lwcmp} kur --server ${base} --cert ${ee("device-1.crt")} --key ${ee("device-1.key")} --newkeytype ec-p256 \\
      --newkeyout ${ee("device-1-new.key")} --certout ${ee("device-1-new.crt")} ${trusted} --untrusted ${d("issuing-ca.crt")}`,
      `${lwcmp} genm --server ${base} --ref demo-ee --secret ${secret} --infotype caCerts`,
    ],
    openssl: [
      `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${ee("device-3.key")}`,
      `openssl cmp -cmd ir -server 127.0.0.1:${port} -path .well-known/cmp/p/default/initialization \\
      -ref demo-ee -secret ${secret} -recipient "/O=lwcmp demo/CN=Demo Issuing CA" \\
      -newkey ${ee("device-3.key")} -subject /CN=device-3 -certout ${ee("device-3.crt")} -trusted ${d("root-ca.crt")}`,
      `openssl verify -CAfile ${d("root-ca.crt")} -untrusted ${d("issuing-ca.crt")} ${ee("device-3.crt")}`,
    ],
    ocsp: [
      `openssl ocsp -issuer ${d("issuing-ca.crt")} -cert ${ee("device-3.crt")} \\
      -url ${base}${OCSP_PATH} -CAfile ${d("root-ca.crt")}`,
    ],
    revocation: [
      `${lwcmp} certs revoke $(openssl x509 -noout -serial -in ${ee("device-3.crt")} | cut -d= -f2) \\
      --config ${d("lwcmp.yaml")} --reason keyCompromise`,
      `curl -sf -o ${ee(`${DEMO_CA_NAME}.crl`)} ${base}/crl/${DEMO_CA_NAME}.crl`,
      `openssl verify -crl_check -CRLfile ${ee(`${DEMO_CA_NAME}.crl`)} -CAfile ${d("root-ca.crt")} \\
      -untrusted ${d("issuing-ca.crt")} ${ee("device-3.crt")}`,
    ],
    approvals: `${lwcmp} approvals list --config ${d("lwcmp.yaml")}`,
    ra: [
      `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${ee("device-4.key")}`,
      `openssl cmp -cmd ir -server 127.0.0.1:${raPort} -path .well-known/cmp/p/default/initialization \\
      -ref demo-ee -secret ${secret} -recipient "/O=lwcmp demo/CN=Demo Issuing CA" \\
      -newkey ${ee("device-4.key")} -subject /CN=device-4 -certout ${ee("device-4.crt")} -trusted ${d("root-ca.crt")}`,
      `${lwcmp} ir --server http://127.0.0.1:${raPort} --profile nested --ref demo-ee --secret ${secret} \\
      --subject /CN=device-5 --newkeytype ec-p256 --newkeyout ${ee("device-5.key")} --certout ${ee("device-5.crt")} ${trusted}`,
    ],
  };
}

/** What `lwcmp demo` prints once the CA listens. */
export function demoInstructions(dir: string, port: number, url: string, raUrl?: string): string {
  const c = demoCommands(dir, port, raUrl ? Number(new URL(raUrl).port) : port + 1);
  const indent = (cmds: string[]) => cmds.map((x) => `  ${x}`).join("\n");
  return `
lwcmp demo CA listening on ${url}
  PKI files and configuration: ${resolve(dir)}   (lwcmp.yaml, SQLite store lwcmp.db)
  keys and certificates the commands below make: ${join(dir, DEMO_EE_DIR)}

Enroll with lwcmp (in another terminal, from this folder):
${indent(c.lwcmp)}

Enroll with OpenSSL:
${indent(c.openssl)}

Check a certificate's status with OCSP (responder at http://127.0.0.1:${port}${OCSP_PATH}):
${indent(c.ocsp)}

Revoke that certificate; the CRL at ${`http://127.0.0.1:${port}/crl/${DEMO_CA_NAME}.crl`} lists it at once (openssl
verify below fails with "certificate revoked") and the openssl ocsp command above then answers "revoked":
${indent(c.revocation)}

${
  raUrl
    ? `The demo RA (${join(dir, "ra.yaml")}) listens on ${raUrl} in front of the CA: it checks each request and
signs it with its own key before the CA sees it; on profile "nested" it wraps each request in a nested message:
${indent(c.ra)}

`
    : ""
}Requests to profile "approval" wait for: ${c.approvals}
Stop with Ctrl-C.
`;
}
