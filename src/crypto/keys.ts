// Key handles over node:crypto KeyObjects: generation, SPKI / PKCS#8 / PEM import and export, key types.
// Composite and hardware keys can implement the same PublicKey / PrivateKey interfaces.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { AsnParser } from "@peculiar/asn1-schema";
import { PrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import {
  generateCompositeKeyPair,
  importCompositePrivateKey,
  importCompositePublicKey,
  isCompositeSigOid,
} from "./composite-sig.js";
import {
  generateCompositeKemKeyPair,
  importCompositeKemPrivateKey,
  importCompositeKemPublicKey,
  isCompositeKemOid,
} from "./composite-kem.js";
import { CryptoError, UnsupportedAlgorithmError } from "./errors.js";

export type KeyType =
  | "rsa"
  | "rsa-pss"
  | "ec-p256"
  | "ec-p384"
  | "ec-p521"
  | "ed25519"
  | "ed448"
  | "x25519"
  | "x448"
  | "ml-dsa-44"
  | "ml-dsa-65"
  | "ml-dsa-87"
  | "ml-kem-512"
  | "ml-kem-768"
  | "ml-kem-1024"
  | `slh-dsa-${string}`;

export interface PublicKey {
  readonly type: KeyType | string;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  readonly native?: KeyObject;
}

export interface PrivateKey {
  readonly type: KeyType | string;
  readonly publicKey: PublicKey;
  readonly native?: KeyObject;
  /** DER PKCS#8 OneAsymmetricKey. */
  pkcs8(): Uint8Array;
}

const CURVES: Record<string, KeyType> = {
  prime256v1: "ec-p256",
  secp384r1: "ec-p384",
  secp521r1: "ec-p521",
};
const CURVE_NAMES: Record<string, string> = { "ec-p256": "P-256", "ec-p384": "P-384", "ec-p521": "P-521" };

/** Our key type name for a node KeyObject. */
export function keyTypeOf(k: KeyObject): KeyType | string {
  const t = k.asymmetricKeyType;
  if (!t) throw new CryptoError("not an asymmetric key");
  if (t === "ec") {
    const curve = k.asymmetricKeyDetails?.namedCurve ?? "";
    const name = CURVES[curve];
    if (!name) throw new UnsupportedAlgorithmError(curve, `unsupported elliptic curve ${curve}`);
    return name;
  }
  return t;
}

class SoftwarePublicKey implements PublicKey {
  readonly type: string;
  private der?: Uint8Array;
  constructor(readonly native: KeyObject) {
    this.type = keyTypeOf(native);
  }
  get spki(): Uint8Array {
    this.der ??= new Uint8Array(this.native.export({ format: "der", type: "spki" }));
    return this.der;
  }
}

class SoftwarePrivateKey implements PrivateKey {
  readonly type: string;
  readonly publicKey: PublicKey;
  constructor(readonly native: KeyObject) {
    this.type = keyTypeOf(native);
    this.publicKey = new SoftwarePublicKey(createPublicKey(native));
  }
  pkcs8(): Uint8Array {
    return new Uint8Array(this.native.export({ format: "der", type: "pkcs8" }));
  }
}

export function wrapPrivateKey(k: KeyObject): PrivateKey {
  return new SoftwarePrivateKey(k);
}
export function wrapPublicKey(k: KeyObject): PublicKey {
  return new SoftwarePublicKey(k);
}

/**
 * Generates a key pair. Specs: rsa2048 | rsa3072 | rsa4096 (rsa = 2048), ec:P-256 | ec-p256 | p256
 * (and 384 / 521), ed25519, ed448, x25519, x448, ml-dsa-44/65/87, slh-dsa-<set>, ml-kem-512/768/1024.
 */
export function generateKeyPair(spec: string): PrivateKey {
  const s = spec.trim().toLowerCase();
  if (/^(composite:)?mlkem\d+-/.test(s)) return generateCompositeKemKeyPair(s);
  if (s.startsWith("composite:") || /^mldsa\d+-/.test(s)) return generateCompositeKeyPair(s);
  const rsa = /^rsa(?:[-:]?(\d{4}))?$/.exec(s);
  if (rsa) {
    const bits = Number(rsa[1] ?? 2048);
    if (bits < 2048 || bits > 8192) throw new CryptoError(`RSA key size ${bits} is outside 2048..8192`);
    return wrapPrivateKey(generateKeyPairSync("rsa", { modulusLength: bits }).privateKey);
  }
  const ec =
    /^(?:ec[-:]?)?p-?(256|384|521)$/.exec(s) ?? /^(?:ec[-:])?(?:prime|secp)(256|384|521)(?:v1|r1)$/.exec(s);
  if (ec) {
    return wrapPrivateKey(generateKeyPairSync("ec", { namedCurve: CURVE_NAMES[`ec-p${ec[1]}`]! }).privateKey);
  }
  const named = ["ed25519", "ed448", "x25519", "x448"];
  if (
    named.includes(s) ||
    /^ml-dsa-(44|65|87)$/.test(s) ||
    /^ml-kem-(512|768|1024)$/.test(s) ||
    /^slh-dsa-(sha2|shake)-(128|192|256)[sf]$/.test(s)
  ) {
    // node's overloads are per literal type; the checks above keep `s` to the supported names.
    return wrapPrivateKey(generateKeyPairSync(s as "ed25519").privateKey);
  }
  throw new UnsupportedAlgorithmError(spec, `unknown key type "${spec}"`);
}

function safeOid(der: Uint8Array): string | undefined {
  try {
    return spkiAlgorithmOid(der);
  } catch {
    return undefined;
  }
}

/** The algorithm OID of a DER SubjectPublicKeyInfo (SEQUENCE { SEQUENCE { OID ... } ... }). */
export function spkiAlgorithmOid(der: Uint8Array): string {
  // Walk two SEQUENCE headers, then read the OID.
  let p = 0;
  const skipHeader = () => {
    p++;
    const l = der[p++]!;
    if (l & 0x80) p += l & 0x7f;
  };
  skipHeader();
  skipHeader();
  if (der[p] !== 0x06) throw new CryptoError("malformed SubjectPublicKeyInfo");
  const len = der[p + 1]!;
  const bytes = der.subarray(p + 2, p + 2 + len);
  const parts: number[] = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let v = 0;
  for (let i = 1; i < bytes.length; i++) {
    v = v * 128 + (bytes[i]! & 0x7f);
    if (!(bytes[i]! & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

export function importPublicKeySpki(der: Uint8Array): PublicKey {
  let k: KeyObject;
  const oid = safeOid(der);
  if (oid && isCompositeKemOid(oid)) {
    return importCompositeKemPublicKey(
      oid,
      new Uint8Array(AsnParser.parse(der, SubjectPublicKeyInfo).subjectPublicKey),
    );
  }
  if (oid && isCompositeSigOid(oid)) {
    return importCompositePublicKey(
      oid,
      new Uint8Array(AsnParser.parse(der, SubjectPublicKeyInfo).subjectPublicKey),
    );
  }
  try {
    k = createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" });
  } catch (e) {
    let oid: string;
    try {
      oid = spkiAlgorithmOid(der);
    } catch {
      throw new CryptoError(`malformed SubjectPublicKeyInfo: ${(e as Error).message}`);
    }
    throw new UnsupportedAlgorithmError(oid, `unsupported or malformed public key (algorithm ${oid})`);
  }
  return wrapPublicKey(k);
}

export function keyTypeOfSpki(der: Uint8Array): string {
  return importPublicKeySpki(der).type;
}

export function importPrivateKeyPkcs8(der: Uint8Array): PrivateKey {
  const info = (() => {
    try {
      return AsnParser.parse(der, PrivateKeyInfo);
    } catch {
      return undefined;
    }
  })();
  if (info && isCompositeKemOid(info.privateKeyAlgorithm.algorithm)) {
    return importCompositeKemPrivateKey(
      info.privateKeyAlgorithm.algorithm,
      new Uint8Array(info.privateKey.buffer),
    );
  }
  if (info && isCompositeSigOid(info.privateKeyAlgorithm.algorithm)) {
    return importCompositePrivateKey(
      info.privateKeyAlgorithm.algorithm,
      new Uint8Array(info.privateKey.buffer),
    );
  }
  try {
    return wrapPrivateKey(createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" }));
  } catch (e) {
    throw new CryptoError(`unsupported or malformed PKCS#8 private key: ${(e as Error).message}`);
  }
}

/** PEM private keys: PKCS#8 (encrypted with a passphrase too) and the traditional RSA / EC forms. */
export function importPrivateKeyPem(pem: string, passphrase?: string): PrivateKey {
  const p8 = /-----BEGIN PRIVATE KEY-----([\s\S]*?)-----END PRIVATE KEY-----/.exec(pem);
  if (p8) {
    const der = new Uint8Array(Buffer.from(p8[1]!.replace(/\s+/g, ""), "base64"));
    const oid = (() => {
      try {
        return AsnParser.parse(der, PrivateKeyInfo).privateKeyAlgorithm.algorithm;
      } catch {
        return undefined;
      }
    })();
    if (oid && (isCompositeSigOid(oid) || isCompositeKemOid(oid))) return importPrivateKeyPkcs8(der);
  }
  try {
    return wrapPrivateKey(createPrivateKey({ key: pem, format: "pem", passphrase }));
  } catch (e) {
    throw new CryptoError(`cannot read the private key: ${(e as Error).message}`);
  }
}

export function importPublicKeyPem(pem: string): PublicKey {
  try {
    return wrapPublicKey(createPublicKey({ key: pem, format: "pem" }));
  } catch (e) {
    throw new CryptoError(`cannot read the public key: ${(e as Error).message}`);
  }
}

function pem(der: Uint8Array, label: string): string {
  const b64 =
    Buffer.from(der)
      .toString("base64")
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${b64.join("\n")}\n-----END ${label}-----\n`;
}

export type MlPrivateKeyFormat = "seed" | "expanded" | "both";

/**
 * PKCS#8 in the private-key CHOICE forms of RFC 9881 §6 (ML-DSA) and RFC 9935 (ML-KEM):
 * seed [0] IMPLICIT OCTET STRING, expandedKey OCTET STRING, or both SEQUENCE { seed, expandedKey }.
 * node exports "both"; the other forms are cut from it.
 */
export function exportPkcs8(key: PrivateKey, format: MlPrivateKeyFormat = "both"): Uint8Array {
  const der = key.pkcs8();
  if (format === "both" || !/^ml-(dsa|kem)-/.test(key.type)) return der;
  const parts = splitPkcs8(der);
  const inner = parts.privateKey;
  if (inner[0] !== 0x30) return der; // already a single form
  const seq = readTlvs(inner, tlvContent(inner, 0));
  const seed = seq[0]!;
  const expanded = seq[1]!;
  const chosen =
    format === "seed"
      ? Buffer.concat([Buffer.from([0x80]), lengthBytes(seed.content.length), seed.content])
      : Buffer.concat([Buffer.from([0x04]), lengthBytes(expanded.content.length), expanded.content]);
  return rebuildPkcs8(parts, chosen);
}

export function exportPrivateKeyPem(key: PrivateKey, opts: { mlFormat?: MlPrivateKeyFormat } = {}): string {
  return pem(exportPkcs8(key, opts.mlFormat ?? "both"), "PRIVATE KEY");
}

export function exportPublicKeyPem(key: PublicKey): string {
  return pem(key.spki, "PUBLIC KEY");
}

export function publicKeysEqual(a: PublicKey, b: PublicKey): boolean {
  return Buffer.from(a.spki).equals(Buffer.from(b.spki));
}

// --- minimal DER helpers for the PKCS#8 private-key forms ---

interface Tlv {
  tag: number;
  header: Uint8Array;
  content: Uint8Array;
  all: Uint8Array;
}

function tlvContent(buf: Uint8Array, off: number): { start: number; end: number } {
  let p = off + 1;
  let len = buf[p++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  return { start: p, end: p + len };
}

function readTlvs(buf: Uint8Array, range: { start: number; end: number }): Tlv[] {
  const out: Tlv[] = [];
  let p = range.start;
  while (p < range.end) {
    const c = tlvContent(buf, p);
    out.push({
      tag: buf[p]!,
      header: buf.subarray(p, c.start),
      content: buf.subarray(c.start, c.end),
      all: buf.subarray(p, c.end),
    });
    p = c.end;
  }
  return out;
}

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function splitPkcs8(der: Uint8Array): { before: Tlv[]; privateKey: Uint8Array; after: Tlv[] } {
  const fields = readTlvs(der, tlvContent(der, 0));
  // OneAsymmetricKey ::= SEQUENCE { version, privateKeyAlgorithm, privateKey OCTET STRING, ... }
  return { before: fields.slice(0, 2), privateKey: fields[2]!.content, after: fields.slice(3) };
}

function rebuildPkcs8(parts: { before: Tlv[]; after: Tlv[] }, privateKeyContent: Uint8Array): Uint8Array {
  const octet = Buffer.concat([
    Buffer.from([0x04]),
    lengthBytes(privateKeyContent.length),
    privateKeyContent,
  ]);
  const body = Buffer.concat([...parts.before.map((t) => t.all), octet, ...parts.after.map((t) => t.all)]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x30]), lengthBytes(body.length), body]));
}
