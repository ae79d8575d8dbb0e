// End-entity commands modelled on `openssl cmp`: ir, cr, kur, p10cr, rr, genm.
import type { CrlCheckOptions } from "../../client/crl-check.js";
import { readFileSync, writeFileSync } from "node:fs";
import { Option, type Command } from "commander";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { InfoTypeAndValue } from "../../asn1/cmp.js";
import * as oids from "../../asn1/oids.js";
import { CmpClient, type ClientCredential } from "../../client/client.js";
import {
  exportPrivateKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  isKemType,
  type PrivateKey,
} from "../../crypto/index.js";
import { summarizeCertificate } from "../../pki/certificate.js";
import { derFromBytes, pemBlocks, toPem } from "../../pki/pem.js";
import { cmpUrl, postCmp } from "../../transport/http-client.js";
import { InputError } from "../input.js";

interface CommonOpts {
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
  totalTimeout?: number;
  msgTimeout?: number;
  tlsTrusted?: string;
  crlCheck?: boolean;
  crlCheckAll?: boolean;
  crl?: string[];
}

/** CRL files (DER or PEM, several per file) for --crl. */
function readCrls(path: string): Uint8Array[] {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    throw new InputError(`cannot read ${path}`);
  }
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
    return new TextEncoder().encode(readFileSync(arg.slice(5), "utf8").split(/\r?\n/)[0]!);
  }
  throw new InputError("a secret is given as pass:TEXT, env:VARIABLE or file:PATH");
}

function readCerts(path: string): Uint8Array[] {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch {
    throw new InputError(`cannot read ${path}`);
  }
  const blocks = pemBlocks(data.toString("latin1"), "CERTIFICATE");
  return blocks.length ? blocks : [derFromBytes(new Uint8Array(data), path)];
}

function readKey(path: string, pass?: string): PrivateKey {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new InputError(`cannot read key file ${path}`);
  }
  return importPrivateKeyPem(text, pass ? new TextDecoder().decode(readSecretArg(pass)) : undefined);
}

function list(v: string, prev: string[] = []): string[] {
  return [...prev, ...v.split(",").filter(Boolean)];
}

function addCommon(cmd: Command): Command {
  return cmd
    .option("--server <url>", "CMP server: http(s)://host[:port][/path]")
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
    .option("--total-timeout <seconds>", "bound on the whole exchange incl. polling", (v) => Number(v), 300)
    .option("--msg-timeout <seconds>", "bound on one HTTP round trip", (v) => Number(v), 60)
    .option("--tls-trusted <file>", "CA certificates for an https server")
    .option("--crl-check", "check the new certificate against a CRL (--crl, else its distribution point)")
    .option("--crl-check-all", "as --crl-check, for every certificate of the chain")
    .option("--crl <files>", "CRL files (DER or PEM) for --crl-check", list);
}

function buildClient(o: CommonOpts, defaultOp: string): CmpClient {
  let credential: ClientCredential;
  if (o.secret) {
    if (!o.ref) throw new InputError("--secret needs --ref, the reference the server knows the secret by");
    credential = {
      kind: "mac",
      reference: o.ref,
      secret: readSecretArg(o.secret),
      algorithm: o.pbmac1 ? "pbmac1" : "pbm",
    };
  } else if (o.cert && o.key) {
    const certs = readCerts(o.cert);
    const extra = (o.extracerts ?? []).flatMap(readCerts);
    const key = readKey(o.key, o.keypass);
    // A KEM certificate cannot sign: its transactions use KEM-based protection (RFC 9810 §5.1.3.4).
    credential = {
      kind: isKemType(key.type) ? "kem" : "signature",
      key,
      certificate: certs[0]!,
      chain: [...certs.slice(1), ...extra],
    };
  } else {
    throw new InputError(
      "give --ref and --secret (MAC protection) or --cert and --key (signature protection)",
    );
  }
  const reqouts = o.reqout?.split(",") ?? [];
  const rspouts = o.rspout?.split(",") ?? [];
  const rspins = o.rspin?.split(",") ?? [];
  let n = 0;
  const send = async (der: Uint8Array, operation: string): Promise<Uint8Array> => {
    const i = n++;
    if (reqouts[i]) writeFileSync(reqouts[i]!, der);
    let rsp: Uint8Array;
    if (rspins.length) {
      const f = rspins[i];
      if (!f) throw new InputError(`no --rspin file for message ${i + 1}`);
      rsp = derFromBytes(new Uint8Array(readFileSync(f)), f);
    } else {
      if (!o.server) throw new InputError("--server is required (or --rspin for offline use)");
      const url = o.path
        ? new URL(`/${o.path.replace(/^\//, "")}`, o.server).toString()
        : cmpUrl(o.server, o.profile, operation ?? defaultOp);
      rsp = await postCmp(url, der, {
        timeoutMs: (o.msgTimeout ?? 60) * 1000,
        tls: o.tlsTrusted ? { ca: readFileSync(o.tlsTrusted, "utf8") } : undefined,
      });
    }
    if (rspouts[i]) writeFileSync(rspouts[i]!, rsp);
    return rsp;
  };
  return new CmpClient({
    send,
    credential,
    trusted: (o.trusted ?? []).flatMap(readCerts),
    untrusted: (o.untrusted ?? []).flatMap(readCerts),
    serverCert: o.srvcert ? readCerts(o.srvcert)[0] : undefined,
    recipient: o.recipient,
    implicitConfirm: o.implicitConfirm,
    certProfile: o.profile,
    crlCheck: crlCheckOf(o),
    totalTimeoutMs: (o.totalTimeout ?? 300) * 1000,
    onProgress: (p) =>
      process.stderr.write(
        `waiting: next poll in ${p.checkAfter} s (${Math.round(p.elapsedMs / 1000)} s so far)${p.reason ? ` — ${p.reason}` : ""}\n`,
      ),
  });
}

function describe(der: Uint8Array): string {
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
  san?: string[];
  certout?: string;
  chainout?: string;
  oldcert?: string;
  csr?: string;
  days?: number;
}

function newKey(o: EnrollOpts): PrivateKey {
  if (o.newkey) return readKey(o.newkey, o.newkeypass);
  const key = generateKeyPair(o.newkeytype ?? "ec-p256");
  if (o.newkeyout) writeFileSync(o.newkeyout, exportPrivateKeyPem(key), { mode: 0o600 });
  else process.stderr.write("note: the generated key is not saved; use --newkeyout FILE to keep it\n");
  return key;
}

function writeResult(o: EnrollOpts, r: { certificate: Uint8Array; chain: Uint8Array[] }): void {
  if (o.certout) writeFileSync(o.certout, toPem(r.certificate, "CERTIFICATE"));
  if (o.chainout) writeFileSync(o.chainout, r.chain.map((c) => toPem(c, "CERTIFICATE")).join(""));
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
          "generate the key to certify: ec-p256, rsa3072, ed25519, ml-dsa-65, ...",
        ).conflicts("newkey"),
      )
      .option("--newkeyout <file>", "where to write a generated key")
      .option("--san <names>", "DNS names for subjectAltName", list)
      .option("--days <n>", "requested validity in days (the profile may shorten it)", (v) => Number(v))
      .option("--oldcert <file>", "kur: the certificate to update (default: --cert)")
      .option(
        "--centralkeygen",
        "let the CA's key generation authority generate the key (RFC 9483 §4.1.6); --newkeytype names the type",
      )
      .option("--implicit-confirm", "ask for implicit confirmation (no certConf)")
      .option("--certout <file>", "write the new certificate (PEM)")
      .option("--chainout <file>", "write its chain (PEM)")
      .action(async (o: EnrollOpts) => {
        const client = buildClient(o, { ir: "initialization", cr: "certification", kur: "keyupdate" }[type]);
        const r = await client.enroll(type, {
          subject: o.subject,
          newKey: o.centralkeygen ? undefined : newKey(o),
          centralKeyType: o.centralkeygen ? o.newkeytype : undefined,
          dnsNames: o.san,
          notAfter: o.days ? new Date(Date.now() + o.days * 86_400_000) : undefined,
          oldCertificate: o.oldcert ? readCerts(o.oldcert)[0] : undefined,
        });
        if (r.privateKey) {
          // The key the KGA generated (RFC 9483 §4.1.6), checked against the new certificate.
          if (o.newkeyout) writeFileSync(o.newkeyout, exportPrivateKeyPem(r.privateKey), { mode: 0o600 });
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
      const client = buildClient(o, "pkcs10");
      const csr = derFromBytes(new Uint8Array(readFileSync(o.csr!)), o.csr);
      AsnParser.parse(csr, CertificationRequest);
      writeResult(o, await client.p10cr(csr));
    });
  addCommon(program.command("rr").description("revocation request (§4.2)"))
    .requiredOption("--oldcert <file>", "certificate to revoke")
    .option(
      "--revreason <code>",
      "CRLReason code (0 unspecified, 1 keyCompromise, 4 superseded, 5 cessationOfOperation, ...)",
      (v) => Number(v),
      0,
    )
    .action(async (o: EnrollOpts & { revreason: number }) => {
      const client = buildClient(o, "revocation");
      const cert = readCerts(o.oldcert!)[0]!;
      const r = await client.revoke(cert, o.revreason);
      process.stdout.write(`revoked: ${describe(cert)} (${r.status})\n`);
    });
}

/** genm (§4.3) with the infoTypes RFC 9483 names. */
interface GenmOpts extends CommonOpts {
  infotype: string;
  oldroot?: string;
  issuer?: string;
  certout?: string;
  crlout?: string;
}

async function runGenm(client: CmpClient, o: GenmOpts): Promise<void> {
  switch (o.infotype) {
    case "caCerts": {
      const certs = await client.getCaCerts();
      for (const c of certs) process.stdout.write(`CA certificate: ${describe(c)}\n`);
      if (o.certout) writeFileSync(o.certout, certs.map((c) => toPem(c, "CERTIFICATE")).join(""));
      break;
    }
    case "rootCaCert": {
      const u = await client.getRootUpdate(o.oldroot ? readCerts(o.oldroot)[0] : undefined);
      if (!u) {
        process.stdout.write("no root CA update available\n");
        break;
      }
      process.stdout.write(`new root CA: ${describe(u.newWithNew)}\n`);
      if (o.certout)
        writeFileSync(
          o.certout,
          [u.newWithNew, u.newWithOld, u.oldWithNew]
            .filter((c): c is Uint8Array => !!c)
            .map((c) => toPem(c, "CERTIFICATE"))
            .join(""),
        );
      break;
    }
    case "certReqTemplate": {
      const t = await client.getCertReqTemplate();
      if (!t) {
        process.stdout.write("the CA offers no template for this profile\n");
        break;
      }
      const names = (t.keySpec ?? []).map((c) => oids.controlNames[c.type] ?? c.type);
      process.stdout.write(
        `certificate request template: keySpec ${names.length ? names.join(", ") : "(none)"}\n`,
      );
      break;
    }
    case "crlStatusList": {
      const crls = await client.getCrls(o.issuer);
      process.stdout.write(`received ${crls.length} CRL(s)\n`);
      if (o.crlout) writeFileSync(o.crlout, crls.map((c) => toPem(c, "X509 CRL")).join(""));
      break;
    }
    default: {
      const oid = Object.entries(oids.infoTypeNames).find(([, n]) => n === o.infotype)?.[0];
      if (!oid) throw new InputError(`unknown infotype ${o.infotype}`);
      const itavs = await client.genm([new InfoTypeAndValue({ infoType: oid })]);
      for (const i of itavs) {
        process.stdout.write(
          `${oids.infoTypeNames[i.infoType] ?? i.infoType}: ${i.infoValue ? `${i.infoValue.byteLength} bytes` : "(no value)"}\n`,
        );
      }
    }
  }
}

function registerGenmCommand(program: Command): void {
  addCommon(
    program
      .command("genm")
      .description("general message (§4.3): CA certificates, root update, template, CRLs"),
  )
    .requiredOption(
      "--infotype <name>",
      "caCerts | rootCaCert | certReqTemplate | crlStatusList | signKeyPairTypes",
    )
    .option("--oldroot <file>", "rootCaCert: the root certificate the client trusts now")
    .option("--issuer <dn>", "crlStatusList: issuer whose CRL is wanted")
    .option("--certout <file>", "caCerts / rootCaCert: write the certificates (PEM)")
    .option("--crlout <file>", "crlStatusList: write the CRLs (PEM)")
    .action(async (o: GenmOpts) => {
      const op =
        {
          caCerts: "getcacerts",
          rootCaCert: "getrootupdate",
          certReqTemplate: "getcertreqtemplate",
          crlStatusList: "getcrls",
        }[o.infotype] ?? "getcacerts";
      await runGenm(buildClient(o, op), o);
    });
}

export function registerClientCommands(program: Command): void {
  registerEnrollCommands(program);
  registerP10crAndRr(program);
  registerGenmCommand(program);
}
