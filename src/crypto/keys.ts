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
import { canonicalSpki, spkiParameters } from "./spki-form.js";
import { assertStrictDer } from "./strict-der.js";
export { assertStrictDer } from "./strict-der.js";
import { keyAlgorithm, keyAlgorithms, type KeyFamily } from "./registry.js";

export type { KeyType, PrivateKey, PublicKey } from "./key-types.js";
import type { KeyType, PrivateKey, PublicKey } from "./key-types.js";

/** Our key type name for a node KeyObject: node's asymmetricKeyType, EC keys named by their curve. */
export function keyTypeOf(k: KeyObject): KeyType | string {
  const t = k.asymmetricKeyType;
  if (!t) throw new CryptoError("not an asymmetric key");
  if (t === "ec") {
    const curve = k.asymmetricKeyDetails?.namedCurve ?? "";
    const entry = keyAlgorithms().find((a) => a.family === "ec" && a.curve === curve);
    if (!entry) throw new UnsupportedAlgorithmError(curve, `unsupported elliptic curve ${curve}`);
    return entry.type;
  }
  return t;
}

/** The EC key type whose named-curve parameters a DER SubjectPublicKeyInfo carries, if known. */
function ecTypeOfSpki(der: Uint8Array): string | undefined {
  const params = spkiParameters(der);
  if (!params) return undefined;
  return keyAlgorithms().find(
    (a) => a.family === "ec" && a.parameters !== undefined && Buffer.from(a.parameters).equals(params),
  )?.type;
}

class SoftwarePublicKey implements PublicKey {
  readonly type: string;
  private der?: Uint8Array;
  /** `der`: the SubjectPublicKeyInfo it was imported from, when that is what node would export. */
  constructor(
    readonly native: KeyObject,
    der?: Uint8Array,
  ) {
    const nodeType = native.asymmetricKeyType;
    const canonical = der !== undefined && canonicalSpki(der, nodeType);
    // An EC key imported from a named-curve SPKI is of the curve its parameters name (node read the same
    // bytes): found without asking node for the key's details.
    this.type = (canonical && nodeType === "ec" && ecTypeOfSpki(der)) || keyTypeOf(native);
    if (canonical) this.der = der.slice();
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
export function wrapPublicKey(k: KeyObject, der?: Uint8Array): PublicKey {
  return new SoftwarePublicKey(k, der);
}

const NATIVE_BY_NAME: ReadonlySet<KeyFamily> = new Set(["eddsa", "xdh", "ml-dsa", "slh-dsa", "ml-kem"]);

/**
 * Generates a key pair. Specs: rsa2048 | rsa3072 | rsa4096 (rsa = 2048), rsa-pss[-<bits>],
 * ec:P-256 | ec-p256 | p256
 * (and 384 / 521), ed25519, ed448, x25519, x448, ml-dsa-44/65/87, slh-dsa-<set>, ml-kem-512/768/1024.
 */
export function generateKeyPair(spec: string): PrivateKey {
  const s = spec.trim().toLowerCase();
  if (/^(composite:)?mlkem\d+-/.test(s)) return generateCompositeKemKeyPair(s);
  if (s.startsWith("composite:") || /^mldsa\d+-/.test(s)) return generateCompositeKeyPair(s);
  const rsa = /^rsa(-pss)?(?:[-:]?(\d{4}))?$/.exec(s);
  if (rsa) {
    const type = rsa[1] ? "rsa-pss" : "rsa";
    const { minimumKeyBits: min = 2048, maximumKeyBits: max = 8192 } = keyAlgorithm(type)!;
    const bits = Number(rsa[2] ?? min);
    if (bits < min || bits > max) throw new CryptoError(`RSA key size ${bits} is outside ${min}..${max}`);
    const pair =
      type === "rsa-pss"
        ? generateKeyPairSync("rsa-pss", { modulusLength: bits })
        : generateKeyPairSync("rsa", { modulusLength: bits });
    return wrapPrivateKey(pair.privateKey);
  }
  const ec =
    /^(?:ec[-:]?)?p-?(256|384|521)$/.exec(s) ?? /^(?:ec[-:])?(?:prime|secp)(256|384|521)(?:v1|r1)$/.exec(s);
  if (ec) {
    const namedCurve = keyAlgorithm(`ec-p${ec[1]}`)!.curve!;
    return wrapPrivateKey(generateKeyPairSync("ec", { namedCurve }).privateKey);
  }
  // Every other native type is generated by its own name (node names them as we do).
  const family = keyAlgorithm(s)?.family;
  if (family && NATIVE_BY_NAME.has(family)) {
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
  assertStrictDer(der, "SubjectPublicKeyInfo");
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
  return wrapPublicKey(k, der);
}

export function keyTypeOfSpki(der: Uint8Array): string {
  return importPublicKeySpki(der).type;
}

export function importPrivateKeyPkcs8(der: Uint8Array): PrivateKey {
  assertStrictDer(der, "PKCS#8 private key");
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
  const ml = info && ML_KEY_SIZES[info.privateKeyAlgorithm.algorithm];
  if (ml) checkMlPrivateKey(ml, new Uint8Array(info.privateKey.buffer), der);
  try {
    return wrapPrivateKey(createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" }));
  } catch (e) {
    throw new CryptoError(`unsupported or malformed PKCS#8 private key: ${(e as Error).message}`);
  }
}

/** Seed and expandedKey sizes (RFC 9881 §6 ML-DSA, RFC 9935 §6 ML-KEM) by algorithm OID. */
const ML_KEY_SIZES: Readonly<Record<string, { name: string; seed: number; expanded: number }>> = {
  "2.16.840.1.101.3.4.3.17": { name: "ML-DSA-44", seed: 32, expanded: 2560 },
  "2.16.840.1.101.3.4.3.18": { name: "ML-DSA-65", seed: 32, expanded: 4032 },
  "2.16.840.1.101.3.4.3.19": { name: "ML-DSA-87", seed: 32, expanded: 4896 },
  "2.16.840.1.101.3.4.4.1": { name: "ML-KEM-512", seed: 64, expanded: 1632 },
  "2.16.840.1.101.3.4.4.2": { name: "ML-KEM-768", seed: 64, expanded: 2400 },
  "2.16.840.1.101.3.4.4.3": { name: "ML-KEM-1024", seed: 64, expanded: 3168 },
};

/**
 * The privateKey content must be one of the CHOICE forms of RFC 9881 §6 / RFC 9935 §6:
 * seed [0] IMPLICIT OCTET STRING, expandedKey OCTET STRING, or both SEQUENCE { seed, expandedKey },
 * and in "both" the expandedKey must be the one the seed generates (RFC 9881 §8).
 */
function checkMlPrivateKey(
  sizes: { name: string; seed: number; expanded: number },
  inner: Uint8Array,
  der: Uint8Array,
): void {
  const bad = (why: string) => new CryptoError(`${sizes.name} private key: ${why}`);
  assertStrictDer(inner, `${sizes.name} private key`);
  const top = readTlvs(inner, { start: 0, end: inner.length });
  if (top.length !== 1 || top[0]!.all.length !== inner.length) throw bad("not a single CHOICE element");
  const t = top[0]!;
  if (t.tag === 0x80) {
    if (t.content.length !== sizes.seed) throw bad(`seed must be ${sizes.seed} bytes`);
    return;
  }
  if (t.tag === 0x04) {
    if (t.content.length !== sizes.expanded) throw bad(`expandedKey must be ${sizes.expanded} bytes`);
    return;
  }
  if (t.tag !== 0x30) throw bad("not seed, expandedKey or both (RFC 9881 §6)");
  const both = readTlvs(t.content, { start: 0, end: t.content.length });
  const [seed, expanded] = both;
  if (both.length !== 2 || seed!.tag !== 0x04 || expanded!.tag !== 0x04)
    throw bad("both must be SEQUENCE { seed OCTET STRING, expandedKey OCTET STRING }");
  if (seed!.content.length !== sizes.seed) throw bad(`seed must be ${sizes.seed} bytes`);
  if (expanded!.content.length !== sizes.expanded) throw bad(`expandedKey must be ${sizes.expanded} bytes`);
  const parts = splitPkcs8(der);
  const seedOnly = rebuildPkcs8(
    parts,
    Buffer.concat([Buffer.from([0x80]), lengthBytes(seed!.content.length), seed!.content]),
  );
  let derived: Uint8Array;
  try {
    const k = createPrivateKey({ key: Buffer.from(seedOnly), format: "der", type: "pkcs8" });
    derived = new Uint8Array(k.export({ format: "der", type: "pkcs8" }));
  } catch (e) {
    throw bad(`the seed cannot be used: ${(e as Error).message}`);
  }
  const d = splitPkcs8(derived).privateKey;
  const dExpanded = readTlvs(d, tlvContent(d, 0))[1]?.content;
  if (!dExpanded || !Buffer.from(dExpanded).equals(Buffer.from(expanded!.content)))
    throw bad("seed and expandedKey do not agree");
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
    // Every PKCS#8 key goes through the strict DER and key-form checks.
    if (oid) return importPrivateKeyPkcs8(der);
  }
  try {
    return wrapPrivateKey(createPrivateKey({ key: pem, format: "pem", passphrase }));
  } catch (e) {
    throw new CryptoError(`cannot read the private key: ${(e as Error).message}`);
  }
}

export function importPublicKeyPem(pem: string): PublicKey {
  const spki = /-----BEGIN PUBLIC KEY-----([\s\S]*?)-----END PUBLIC KEY-----/.exec(pem);
  if (spki) return importPublicKeySpki(new Uint8Array(Buffer.from(spki[1]!.replace(/\s+/g, ""), "base64")));
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
