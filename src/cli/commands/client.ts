// End-entity commands modelled on `openssl cmp`: ir, cr, kur, p10cr, rr (genm in genm.ts).
import type { CrlCheckOptions } from "../../client/crl-check.js";
import { Option, type Command } from "commander";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate, type GeneralName } from "@peculiar/asn1-x509";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { CmpClient, type ClientCredential } from "../../client/client.js";
import {
  exportPrivateKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  isKemType,
  type PrivateKey,
} from "../../crypto/index.js";
import { summarizeCertificate } from "../../pki/certificate.js";
import { keyTypeHelp } from "../../config/keytypes.js";
import { derFromBytes, pemBlocks, toPem } from "../../pki/pem.js";
import { Exchange, readBytes, readText, writeOut } from "../exchange.js";
import { InputError } from "../input.js";
import {
  fileList as list,
  integerIn,
  parseKeyType,
  parseRevReason,
  parseSans,
  parseSeconds,
  parseServer,
  REASON_HELP,
} from "../values.js";

export interface CommonOpts {
  server?: string;
  path?: string;
  ref?: string;
  secret?: string;
  pbmac1?: boolean;
  cert?: string;
  key?: string;
  keypass?: string;
  extracerts?: string[];
  trusted?: string[];
  untrusted?: string[];
  srvcert?: string;
  recipient?: string;
  implicitConfirm?: boolean;
  profile?: string;
  reqout?: string;
  rspin?: string;
  rspout?: string;
  totalTimeout: number;
  msgTimeout: number;
  tlsTrusted?: string;
  crlCheck?: boolean;
  crlCheckAll?: boolean;
  crl?: string[];
  ocspCheck?: boolean;
  ocspCheckAll?: boolean;
}

/** CRL files (DER or PEM, several per file) for --crl. */
function readCrls(path: string): Uint8Array[] {
  const data = readBytes(path, "CRL");
  const blocks = pemBlocks(data.toString("latin1"), "X509 CRL");
  return blocks.length ? blocks : [derFromBytes(new Uint8Array(data), path)];
}

/** --crl-check: the CRL files given, else the new certificate's distribution points. */
function crlCheckOf(o: CommonOpts): CrlCheckOptions | undefined {
  if (!o.crlCheck && !o.crlCheckAll) return undefined;
  const crls = (o.crl ?? []).flatMap(readCrls);
  return { crls, fromDistributionPoints: crls.length === 0, all: !!o.crlCheckAll };
}

/** openssl-style secret argument: pass:TEXT, env:VAR, file:PATH (first line). */
export function readSecretArg(arg: string): Uint8Array {
  if (arg.startsWith("pass:")) return new TextEncoder().encode(arg.slice(5));
  if (arg.startsWith("env:")) {
    const v = process.env[arg.slice(4)];
    if (v === undefined) throw new InputError(`environment variable ${arg.slice(4)} is not set`);
    return new TextEncoder().encode(v);
  }
  if (arg.startsWith("file:")) {
    return new TextEncoder().encode(readText(arg.slice(5), "secret").split(/\r?\n/)[0]!);
  }
  throw new InputError("a secret is given as pass:TEXT, env:VARIABLE or file:PATH");
}

export function readCerts(path: string): Uint8Array[] {
  const data = readBytes(path, "certificate");
  const blocks = pemBlocks(data.toString("latin1"), "CERTIFICATE");
  return blocks.length ? blocks : [derFromBytes(new Uint8Array(data), path)];
}

function readKey(path: string, pass?: string): PrivateKey {
  const text = readText(path, "key");
  return importPrivateKeyPem(text, pass ? new TextDecoder().decode(readSecretArg(pass)) : undefined);
}

export function addCommon(cmd: Command): Command {
  return cmd
    .option(
      "--server <url>",
      "CMP server: http(s)://host[:port][/path], or host[:port][/path] (http)",
      parseServer,
    )
    .option("--path <path>", "HTTP path, e.g. .well-known/cmp/p/default/initialization")
    .option("--profile <name>", "certificate profile: named in the path and in generalInfo certProfile")
    .option("--ref <reference>", "senderKID reference of the shared secret (MAC protection)")
    .option("--secret <arg>", "shared secret: pass:TEXT, env:VAR or file:PATH")
    .option("--pbmac1", "protect with PBMAC1 instead of PasswordBasedMac")
    .option("--cert <file>", "own certificate for signature protection (PEM, may hold its chain)")
    .option("--key <file>", "private key of --cert")
    .option("--keypass <arg>", "passphrase of --key (pass:, env:, file:)")
    .option("--extracerts <files>", "further certificates to send in extraCerts", list)
    .option("--trusted <files>", "trust anchors for the server and the new certificate", list)
    .option("--srvcert <file>", "the server's protection certificate, trusted directly")
    .option("--untrusted <files>", "intermediate certificates that help build chains", list)
    .option("--recipient <dn>", "recipient name, e.g. /CN=Demo Issuing CA")
    .option("--reqout <files>", "write the requests sent (comma-separated, one per message)")
    .option("--rspout <files>", "write the responses received (comma-separated)")
    .option("--rspin <files>", "use these response files instead of contacting a server (offline)")
    .option("--total-timeout <seconds>", "bound on the whole exchange incl. polling", parseSeconds, 300)
    .option("--msg-timeout <seconds>", "bound on one HTTP round trip", parseSeconds, 60)
    .option("--tls-trusted <file>", "CA certificates for an https server")
    .option("--crl-check", "check the new certificate against a CRL (--crl, else its distribution point)")
    .option("--crl-check-all", "as --crl-check, for every certificate of the chain")
    .option("--crl <files>", "CRL files (DER or PEM) for --crl-check", list)
    .option(
      "--ocsp-check",
      "check the new certificate with OCSP at the responder its authorityInfoAccess names",
    )
    .option("--ocsp-check-all", "as --ocsp-check, also for the chain certificates that name a responder");
}

function credentialOf(o: CommonOpts): ClientCredential {
  if (o.secret) {
    if (!o.ref) throw new InputError("--secret needs --ref, the reference the server knows the secret by");
    return {
      kind: "mac",
      reference: o.ref,
      secret: readSecretArg(o.secret),
      algorithm: o.pbmac1 ? "pbmac1" : "pbm",
    };
  }
  if (o.cert && o.key) {
    const certs = readCerts(o.cert);
    const extra = (o.extracerts ?? []).flatMap(readCerts);
    const key = readKey(o.key, o.keypass);
    // A KEM certificate cannot sign: its transactions use KEM-based protection (RFC 9810 §5.1.3.4).
    return {
      kind: isKemType(key.type) ? "kem" : "signature",
      key,
      certificate: certs[0]!,
      chain: [...certs.slice(1), ...extra],
    };
  }
  throw new InputError("give --ref and --secret (MAC protection) or --cert and --key (signature protection)");
}

interface ClientRun {
  client: CmpClient;
  /** Runs one operation; a failure comes back explained (exchange.ts). */
  run<T>(op: (client: CmpClient) => Promise<T>): Promise<T>;
}

export function buildClient(o: CommonOpts, defaultOp: string): ClientRun {
  const credential = credentialOf(o);
  const exchange = new Exchange(
    { ...o, macReference: credential.kind === "mac" ? o.ref : undefined },
    defaultOp,
  );
  const client = new CmpClient({
    send: exchange.send,
    sleep: exchange.sleep,
    // Offline (--rspin) there is nobody to report a failed answer to (RFC 9483 §3.6.1).
    reportErrors: !o.rspin,
    credential,
    trusted: (o.trusted ?? []).flatMap(readCerts),
    untrusted: (o.untrusted ?? []).flatMap(readCerts),
    serverCert: o.srvcert ? readCerts(o.srvcert)[0] : undefined,
    recipient: o.recipient,
    implicitConfirm: o.implicitConfirm,
    certProfile: o.profile,
    crlCheck: crlCheckOf(o),
    ocspCheck: o.ocspCheck || o.ocspCheckAll ? { all: !!o.ocspCheckAll } : undefined,
    totalTimeoutMs: o.totalTimeout * 1000,
    onProgress: (p) =>
      process.stderr.write(
        `waiting: next poll in ${p.checkAfter} s (${Math.round(p.elapsedMs / 1000)} s so far)${p.reason ? ` — ${p.reason}` : ""}\n`,
      ),
  });
  return {
    client,
    run: async (op) => {
      try {
        return await op(client);
      } catch (e) {
        throw exchange.explain(e);
      }
    },
  };
}

export function describe(der: Uint8Array): string {
  const s = summarizeCertificate(AsnParser.parse(der, Certificate));
  return `subject "${s.subject}", serial ${s.serial}, valid until ${s.notAfter}`;
}

interface EnrollOpts extends CommonOpts {
  subject?: string;
  centralkeygen?: boolean;
  newkey?: string;
  newkeytype?: string;
  newkeyout?: string;
  newkeypass?: string;
  san?: GeneralName[];
  certout?: string;
  chainout?: string;
  oldcert?: string;
  csr?: string;
  days?: number;
}

function newKey(o: EnrollOpts): PrivateKey {
  if (o.newkey) return readKey(o.newkey, o.newkeypass);
  const key = generateKeyPair(o.newkeytype ?? "ec-p256");
  if (o.newkeyout) writeOut(o.newkeyout, exportPrivateKeyPem(key), 0o600);
  else process.stderr.write("note: the generated key is not saved; use --newkeyout FILE to keep it\n");
  return key;
}

function writeResult(o: EnrollOpts, r: { certificate: Uint8Array; chain: Uint8Array[] }): void {
  if (o.certout) writeOut(o.certout, toPem(r.certificate, "CERTIFICATE"));
  if (o.chainout) writeOut(o.chainout, r.chain.map((c) => toPem(c, "CERTIFICATE")).join(""));
  process.stdout.write(`enrolled: ${describe(r.certificate)}${o.certout ? ` -> ${o.certout}` : ""}\n`);
}

/** ir, cr and kur (RFC 9483 §4.1.1-4.1.3). */
function registerEnrollCommands(program: Command): void {
  for (const [type, what] of [
    ["ir", "initial registration (RFC 9483 §4.1.1)"],
    ["cr", "certificate request with an existing certificate (§4.1.2)"],
    ["kur", "key update of the certificate in --cert / --oldcert (§4.1.3)"],
  ] as const) {
    addCommon(program.command(type).description(what))
      .option("--subject <dn>", "subject of the new certificate, e.g. /CN=device-1/O=Example")
      .option("--newkey <file>", "key to certify (PEM)")
      .option("--newkeypass <arg>", "passphrase of --newkey")
      .addOption(
        new Option(
          "--newkeytype <type>",
          "generate the key to certify: ec-p256, rsa3072, ed25519, ml-dsa-65, ... (listed below)",
        )
          .argParser(parseKeyType)
          .conflicts("newkey"),
      )
      .option("--newkeyout <file>", "where to write a generated key")
      .option(
        "--san <names>",
        "subjectAltNames, comma-separated: DNS names, IP addresses, e-mail addresses, URIs",
        parseSans,
      )
      .option(
        "--days <n>",
        "requested validity in days (the profile may shorten it)",
        integerIn(1, 36_500, "a number of days"),
      )
      .option("--oldcert <file>", "kur: the certificate to update (default: --cert)")
      .option(
        "--centralkeygen",
        "let the CA's key generation authority generate the key (RFC 9483 §4.1.6); --newkeytype names the type",
      )
      .option("--implicit-confirm", "ask for implicit confirmation (no certConf)")
      .option("--certout <file>", "write the new certificate (PEM)")
      .option("--chainout <file>", "write its chain (PEM)")
      .addHelpText("after", `\nKey types (--newkeytype):\n${keyTypeHelp()}\n`)
      .action(async (o: EnrollOpts) => {
        const c = buildClient(o, { ir: "initialization", cr: "certification", kur: "keyupdate" }[type]);
        const req = {
          subject: o.subject,
          newKey: o.centralkeygen ? undefined : newKey(o),
          centralKeyType: o.centralkeygen ? o.newkeytype : undefined,
          subjectAltNames: o.san,
          notAfter: o.days ? new Date(Date.now() + o.days * 86_400_000) : undefined,
          oldCertificate: o.oldcert ? readCerts(o.oldcert)[0] : undefined,
        };
        const r = await c.run((client) => client.enroll(type, req));
        if (r.privateKey) {
          // The key the KGA generated (RFC 9483 §4.1.6), checked against the new certificate.
          if (o.newkeyout) writeOut(o.newkeyout, exportPrivateKeyPem(r.privateKey), 0o600);
          else process.stderr.write("note: the centrally generated key is not saved; use --newkeyout FILE\n");
        }
        writeResult(o, r);
      });
  }
}

/** p10cr (§4.1.4) and rr (§4.2). */
function registerP10crAndRr(program: Command): void {
  addCommon(program.command("p10cr").description("enrollment with a PKCS#10 request (§4.1.4)"))
    .requiredOption("--csr <file>", "PKCS#10 request (PEM or DER)")
    .option("--implicit-confirm", "ask for implicit confirmation")
    .option("--certout <file>", "write the new certificate (PEM)")
    .option("--chainout <file>", "write its chain (PEM)")
    .action(async (o: EnrollOpts) => {
      const c = buildClient(o, "pkcs10");
      const csr = derFromBytes(new Uint8Array(readBytes(o.csr!, "--csr")), o.csr);
      try {
        AsnParser.parse(csr, CertificationRequest);
      } catch {
        throw new InputError(`${o.csr} holds no PKCS#10 certification request`);
      }
      writeResult(o, await c.run((client) => client.p10cr(csr)));
    });
  addCommon(program.command("rr").description("revocation request (§4.2)"))
    .requiredOption("--oldcert <file>", "certificate to revoke")
    .option(
      "--revreason <reason>",
      `CRLReason (RFC 5280 §5.3.1) by name or number: ${REASON_HELP}`,
      parseRevReason,
      0,
    )
    .action(async (o: EnrollOpts & { revreason: number }) => {
      const c = buildClient(o, "revocation");
      const cert = readCerts(o.oldcert!)[0]!;
      const r = await c.run((client) => client.revoke(cert, o.revreason));
      process.stdout.write(`revoked: ${describe(cert)} (${r.status})\n`);
    });
}

export function registerClientCommands(program: Command): void {
  registerEnrollCommands(program);
  registerP10crAndRr(program);
}
