// A demo PKI for trying lwcmp: root CA, issuing CA, CMP signer, a manufacturer CA with one IDevID
// (RFC 9483 §4.1.1) and one shared secret (§4.1.5), plus the configuration that ties them together.
import { randomBytes } from "node:crypto";
import { AsnParser } from "@peculiar/asn1-schema";
import { SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import { exportPrivateKeyPem, generateKeyPair, type PrivateKey } from "../crypto/index.js";
import * as oids from "../asn1/oids.js";
import { buildCertificate } from "../pki/build.js";
import {
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  extKeyUsageExt,
  keyIdentifier,
  keyUsageExt,
  subjectKeyIdentifierExt,
  type KeyUsageType,
} from "../pki/extensions.js";
import { parseName } from "../pki/names.js";
import { toPem } from "../pki/pem.js";

const DAY = 86_400_000;

export interface DemoFile {
  name: string;
  content: string;
  secret?: boolean;
}

export interface DemoOptions {
  /** Key type of every key (see generateKeyPair), default ec-p256. */
  alg?: string;
  port?: number;
  host?: string;
  /** Organization name in the demo subjects. */
  org?: string;
  now?: Date;
}

interface Issued {
  key: PrivateKey;
  der: Uint8Array;
}

function keyId(key: PrivateKey): Uint8Array {
  return keyIdentifier(AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo).subjectPublicKey);
}

function issue(
  subject: string,
  key: PrivateKey,
  issuer: { name: string; key: PrivateKey } | "self",
  opts: { ca: boolean; pathLen?: number; days: number; ku: KeyUsageType[]; eku?: string[] },
  now: Date,
): Issued {
  const signer = issuer === "self" ? { name: subject, key } : issuer;
  const ext = [
    basicConstraintsExt(opts.ca, opts.pathLen),
    keyUsageExt(opts.ku),
    subjectKeyIdentifierExt(keyId(key)),
  ];
  if (issuer !== "self" || opts.ca) ext.push(authorityKeyIdentifierExt(keyId(signer.key)));
  if (opts.eku?.length) ext.push(extKeyUsageExt(opts.eku));
  const der = buildCertificate({
    issuer: parseName(signer.name),
    subject: parseName(subject),
    notBefore: new Date(now.getTime() - 3_600_000),
    notAfter: new Date(now.getTime() + opts.days * DAY),
    subjectPublicKeyInfo: key.publicKey.spki,
    extensions: ext,
    issuerKey: signer.key,
  });
  return { key, der };
}

type IssueProfile = Parameters<typeof issue>[3];

const CA_ROOT: IssueProfile = { ca: true, days: 3650, ku: ["keyCertSign", "crlSign"] };

/** One certificate of the demo PKI: its file stem, subject and the stem of its issuer (self-signed without). */
interface DemoCert {
  file: string;
  subject: string;
  issuer?: string;
  profile: IssueProfile;
}

/** The demo certificates, each after its issuer. */
function demoCerts(org: string): DemoCert[] {
  const ee = (eku: string[]): IssueProfile => ({ ca: false, days: 730, ku: ["digitalSignature"], eku });
  return [
    { file: "root-ca", subject: `CN=Demo Root CA,O=${org}`, profile: CA_ROOT },
    {
      file: "issuing-ca",
      subject: `CN=Demo Issuing CA,O=${org}`,
      issuer: "root-ca",
      profile: { ca: true, pathLen: 0, days: 1825, ku: ["keyCertSign", "crlSign", "digitalSignature"] },
    },
    // RFC 9483 §3.1 / RFC 9480 §2.10: the CMP signer protects responses on behalf of the CA (id-kp-cmcCA).
    {
      file: "cmp-signer",
      subject: `CN=Demo CMP Signer,O=${org}`,
      issuer: "issuing-ca",
      profile: ee([oids.id_kp_cmcCA]),
    },
    // RFC 9483 §5.2.3 / RFC 6402: the RA in front of the CA signs what it forwards (id-kp-cmcRA).
    {
      file: "ra-signer",
      subject: `CN=Demo RA,O=${org}`,
      issuer: "issuing-ca",
      profile: ee([oids.id_kp_cmcRA]),
    },
    // RFC 9483 §4.1.6: the key generation authority signs generated keys (id-kp-cmKGA).
    { file: "kga", subject: `CN=Demo KGA,O=${org}`, issuer: "issuing-ca", profile: ee([oids.id_kp_cmKGA]) },
    { file: "manufacturer-ca", subject: `CN=Demo Manufacturer CA,O=${org}`, profile: CA_ROOT },
    {
      file: "idevid",
      subject: `CN=Device 0001,serialNumber=0001,O=Demo Manufacturer`,
      issuer: "manufacturer-ca",
      profile: { ca: false, days: 3650, ku: ["digitalSignature"] },
    },
  ];
}

function demoConfig(opts: DemoOptions, kid: string): string {
  return `# lwcmp demo configuration (made by "lwcmp ca init"); see docs/configuration.md
server:
  host: ${opts.host ?? "127.0.0.1"}
  port: ${opts.port ?? 8080}
store: sqlite:lwcmp.db
ca:
  certificate: issuing-ca.crt
  key: issuing-ca.key
  chain: [root-ca.crt]
  cmpSigner:
    certificate: cmp-signer.crt
    key: cmp-signer.key
  kga:
    certificate: kga.crt
    key: kga.key
trust:
  # manufacturer CAs whose device certificates (IDevIDs) may protect an ir
  external: [manufacturer-ca.crt]
  # registration authorities whose re-protected and nested messages the CA accepts (ra.yaml)
  ras: [ra-signer.crt]
sharedSecrets:
  - kid: ${kid}
    secret: file:${kid}.secret
policy:
  allowImplicitConfirm: true
  confirmWaitTime: 300s
  pollInterval: 2s
profiles:
  default:
    validity: 365d
    keyUsage: [digitalSignature]
    extendedKeyUsage: [clientAuth]
    subjectPattern: "CN=[^,]+(,.*)?"
    sanDnsPattern: "[a-z0-9.-]+"
  tls-server:
    validity: 90d
    keyUsage: [digitalSignature]
    extendedKeyUsage: [serverAuth]
    sanDnsPattern: "[a-z0-9.-]+"
    allowedKeyTypes: [ec-p256, ec-p384]
    template: { algorithm: ec-p256 }
  approval:
    requireApproval: true
`;
}

/** The demo RA (RFC 9483 §5) on the next port, in front of the demo CA. */
function demoRaConfig(opts: DemoOptions, kid: string): string {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 8080;
  return `# lwcmp demo RA (made by "lwcmp ca init"): end entities -> this RA -> the demo CA; see docs/ra.md
server:
  host: ${host}
  port: ${port + 1}
store: sqlite:ra.db
sharedSecrets:
  - kid: ${kid}
    secret: file:${kid}.secret
ra:
  signer:
    certificate: ra-signer.crt
    key: ra-signer.key
    chain: [issuing-ca.crt, root-ca.crt]
  trust:
    # certificates of this PKI (kur, cr, rr) and manufacturer IDevIDs (ir)
    issuing: [issuing-ca.crt]
    external: [manufacturer-ca.crt]
  upstreams:
    ca:
      url: http://${host}:${port}/.well-known/cmp
      recipient: "CN=Demo Issuing CA,O=${opts.org ?? "lwcmp demo"}"
      trust: [root-ca.crt]
    # the same CA, for the "nested" profile below: requests go to its default profile
    ca-nested:
      url: http://${host}:${port}/.well-known/cmp
      profile: default
      recipient: "CN=Demo Issuing CA,O=${opts.org ?? "lwcmp demo"}"
      trust: [root-ca.crt]
  # RFC 9483 §5.2.3: the RA checks each request and re-protects it with its own signature;
  # kur keeps the device's protection and goes upstream unchanged (§5.2.1)
  defaults:
    mode: reprotect
  profiles:
    default: {}
    # the CA holds these for an operator's decision; the EE polls through the RA (RFC 9483 §4.4)
    approval: {}
    # RFC 9483 §5.2.2.1: each request goes to the CA inside a nested message signed by the RA
    nested:
      default: { mode: nest, upstream: ca-nested }
`;
}

/** Builds every file of the demo PKI in memory; the caller writes them. */
export function buildDemoPki(opts: DemoOptions = {}): { files: DemoFile[]; secret: string; kid: string } {
  const alg = opts.alg ?? "ec-p256";
  const now = opts.now ?? new Date();
  const pem = (d: Uint8Array) => toPem(d, "CERTIFICATE");
  const issued = new Map<string, Issued & { name: string }>();
  const files: DemoFile[] = [];
  for (const c of demoCerts(opts.org ?? "lwcmp demo")) {
    const parent = c.issuer ? issued.get(c.issuer)! : "self";
    const cert = issue(c.subject, generateKeyPair(alg), parent, c.profile, now);
    issued.set(c.file, { ...cert, name: c.subject });
    files.push(
      { name: `${c.file}.crt`, content: pem(cert.der) },
      { name: `${c.file}.key`, content: exportPrivateKeyPem(cert.key), secret: true },
    );
  }
  const kid = "demo-ee";
  const secret = randomBytes(18).toString("base64url");
  files.push(
    {
      name: "idevid-chain.crt",
      content: pem(issued.get("idevid")!.der) + pem(issued.get("manufacturer-ca")!.der),
    },
    { name: `${kid}.secret`, content: `${secret}\n`, secret: true },
    { name: "lwcmp.yaml", content: demoConfig(opts, kid) },
    { name: "ra.yaml", content: demoRaConfig(opts, kid) },
  );
  return { files, secret, kid };
}
