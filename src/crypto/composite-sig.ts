// Composite ML-DSA signatures (draft-ietf-lamps-pq-composite-sigs, -19 text, OIDs 1.3.6.1.5.5.7.6.37-.54):
// ML-DSA and a traditional algorithm sign the same message representative
// M' = Prefix || Label || len(ctx) || ctx || PH(M); keys and signatures are the two components concatenated.
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from "node:crypto";
import { EC_CURVE_OIDS, EC_POINT_SIZES, oidDer, pkcs8Der, spkiDer, tlv } from "./der.js";
import { CryptoError, UnsupportedAlgorithmError } from "./errors.js";
import { checkComponent, CompositePrivateKeyBase, CompositePublicKeyBase } from "./composite-key.js";
import {
  id_ecPublicKey,
  keyAlgorithm,
  registerKeyAlgorithm,
  registerSignatureAlgorithm,
  SIGNATURE_KEY_TRAITS,
} from "./registry.js";

/** "CompositeAlgorithmSignatures2025" (draft §4.2). */
const PREFIX = new TextEncoder().encode("CompositeAlgorithmSignatures2025");

type Trad =
  | { kind: "rsa-pss"; bits: number; hash: string; saltLength: number }
  | { kind: "rsa-pkcs1"; bits: number; hash: string }
  | { kind: "ecdsa"; curve: string; hash: string }
  | { kind: "ed25519" }
  | { kind: "ed448" };

export interface CompositeSigAlgorithm {
  oid: string;
  /** e.g. "MLDSA44-RSA2048-PSS-SHA256" */
  name: string;
  /** Domain separator, "COMPSIG-" + name. */
  label: string;
  mldsa: "ml-dsa-44" | "ml-dsa-65" | "ml-dsa-87";
  /** Pre-hash of the message: node hash name; shake256 with 64 bytes output. */
  ph: "sha256" | "sha512" | "shake256";
  trad: Trad;
}

const ML = {
  "ml-dsa-44": { pk: 1312, sig: 2420 },
  "ml-dsa-65": { pk: 1952, sig: 3309 },
  "ml-dsa-87": { pk: 2592, sig: 4627 },
} as const;

const pss = (bits: number, hash: string, saltLength: number): Trad => ({
  kind: "rsa-pss",
  bits,
  hash,
  saltLength,
});
const pkcs1 = (bits: number, hash: string): Trad => ({ kind: "rsa-pkcs1", bits, hash });
const ec = (curve: string, hash: string): Trad => ({ kind: "ecdsa", curve, hash });

// The draft's algorithm table (§7), in OID order.
const TABLE: [string, CompositeSigAlgorithm["mldsa"], Trad, CompositeSigAlgorithm["ph"]][] = [
  ["MLDSA44-RSA2048-PSS-SHA256", "ml-dsa-44", pss(2048, "sha256", 32), "sha256"],
  ["MLDSA44-RSA2048-PKCS15-SHA256", "ml-dsa-44", pkcs1(2048, "sha256"), "sha256"],
  ["MLDSA44-Ed25519-SHA512", "ml-dsa-44", { kind: "ed25519" }, "sha512"],
  ["MLDSA44-ECDSA-P256-SHA256", "ml-dsa-44", ec("prime256v1", "sha256"), "sha256"],
  ["MLDSA65-RSA3072-PSS-SHA512", "ml-dsa-65", pss(3072, "sha256", 32), "sha512"],
  ["MLDSA65-RSA3072-PKCS15-SHA512", "ml-dsa-65", pkcs1(3072, "sha256"), "sha512"],
  ["MLDSA65-RSA4096-PSS-SHA512", "ml-dsa-65", pss(4096, "sha384", 48), "sha512"],
  ["MLDSA65-RSA4096-PKCS15-SHA512", "ml-dsa-65", pkcs1(4096, "sha384"), "sha512"],
  ["MLDSA65-ECDSA-P256-SHA512", "ml-dsa-65", ec("prime256v1", "sha256"), "sha512"],
  ["MLDSA65-ECDSA-P384-SHA512", "ml-dsa-65", ec("secp384r1", "sha384"), "sha512"],
  ["MLDSA65-ECDSA-brainpoolP256r1-SHA512", "ml-dsa-65", ec("brainpoolP256r1", "sha256"), "sha512"],
  ["MLDSA65-Ed25519-SHA512", "ml-dsa-65", { kind: "ed25519" }, "sha512"],
  ["MLDSA87-ECDSA-P384-SHA512", "ml-dsa-87", ec("secp384r1", "sha384"), "sha512"],
  ["MLDSA87-ECDSA-brainpoolP384r1-SHA512", "ml-dsa-87", ec("brainpoolP384r1", "sha384"), "sha512"],
  ["MLDSA87-Ed448-SHAKE256", "ml-dsa-87", { kind: "ed448" }, "shake256"],
  ["MLDSA87-RSA3072-PSS-SHA512", "ml-dsa-87", pss(3072, "sha256", 32), "sha512"],
  ["MLDSA87-RSA4096-PSS-SHA512", "ml-dsa-87", pss(4096, "sha384", 48), "sha512"],
  ["MLDSA87-ECDSA-P521-SHA512", "ml-dsa-87", ec("secp521r1", "sha512"), "sha512"],
];

// Labels are "COMPSIG-" + the name, except that the draft shortens the brainpool curve names.
const LABEL_EXCEPTIONS: Record<string, string> = {
  "MLDSA65-ECDSA-brainpoolP256r1-SHA512": "COMPSIG-MLDSA65-ECDSA-BP256-SHA512",
  "MLDSA87-ECDSA-brainpoolP384r1-SHA512": "COMPSIG-MLDSA87-ECDSA-BP384-SHA512",
};

export const COMPOSITE_SIG_ALGORITHMS: readonly CompositeSigAlgorithm[] = TABLE.map(
  ([name, mldsa, trad, ph], i) => ({
    oid: `1.3.6.1.5.5.7.6.${37 + i}`,
    name,
    label: LABEL_EXCEPTIONS[name] ?? `COMPSIG-${name}`,
    mldsa,
    ph,
    trad,
  }),
);
const BY_OID = new Map(COMPOSITE_SIG_ALGORITHMS.map((a) => [a.oid, a]));
for (const a of COMPOSITE_SIG_ALGORITHMS) {
  const type = `composite:${a.name.toLowerCase()}`;
  registerSignatureAlgorithm({ oid: a.oid, name: `composite ${a.name}`, keyTypes: [type] });
  registerKeyAlgorithm({
    type,
    family: "composite-sig",
    oid: a.oid,
    oidName: `composite ${a.name}`,
    ...SIGNATURE_KEY_TRAITS,
    defaultSignature: { oid: a.oid },
    cmsDigest: "sha512",
  });
}
const BY_NAME = new Map(COMPOSITE_SIG_ALGORITHMS.map((a) => [a.name.toLowerCase(), a]));

export function compositeSigAlgorithm(oidOrName: string): CompositeSigAlgorithm {
  const a = BY_OID.get(oidOrName) ?? BY_NAME.get(oidOrName.toLowerCase().replace(/^(id-|composite:)/, ""));
  if (!a)
    throw new UnsupportedAlgorithmError(oidOrName, `unsupported composite signature algorithm ${oidOrName}`);
  return a;
}

export function isCompositeSigOid(oid: string): boolean {
  return BY_OID.has(oid);
}

// ---- component keys ----

const algDer = (...oids: string[]) => tlv(0x30, ...oids.map(oidDer));
const spkiOid = (type: string) => keyAlgorithm(type)!.oid;

function mldsaPublic(a: CompositeSigAlgorithm, raw: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.from(spkiDer(algDer(spkiOid(a.mldsa)), raw)),
    format: "der",
    type: "spki",
  });
}
function mldsaPrivate(a: CompositeSigAlgorithm, seed: Uint8Array): KeyObject {
  const p8 = pkcs8Der(algDer(spkiOid(a.mldsa)), tlv(0x80, seed));
  return createPrivateKey({ key: Buffer.from(p8), format: "der", type: "pkcs8" });
}

function tradPublic(t: Trad, raw: Uint8Array): KeyObject {
  if (t.kind === "rsa-pss" || t.kind === "rsa-pkcs1") {
    const k = createPublicKey({ key: Buffer.from(raw), format: "der", type: "pkcs1" });
    return checkComponent(k, t, raw, "composite public key");
  }
  const alg = t.kind === "ecdsa" ? algDer(id_ecPublicKey, EC_CURVE_OIDS[t.curve]!) : algDer(spkiOid(t.kind));
  return createPublicKey({ key: Buffer.from(spkiDer(alg, raw)), format: "der", type: "spki" });
}
function tradPrivate(t: Trad, raw: Uint8Array): KeyObject {
  if (t.kind === "rsa-pss" || t.kind === "rsa-pkcs1" || t.kind === "ecdsa") {
    const type = t.kind === "ecdsa" ? "sec1" : "pkcs1";
    const k = createPrivateKey({ key: Buffer.from(raw), format: "der", type });
    return checkComponent(k, t, raw, "composite private key");
  }
  const p8 = pkcs8Der(algDer(spkiOid(t.kind)), tlv(0x04, raw));
  return createPrivateKey({ key: Buffer.from(p8), format: "der", type: "pkcs8" });
}

/** Raw public encoding of a traditional component (draft §5.1): RSAPublicKey, EC point, or raw EdDSA key. */
function tradPublicRaw(t: Trad, k: KeyObject): Uint8Array {
  if (t.kind === "rsa-pss" || t.kind === "rsa-pkcs1")
    return new Uint8Array(k.export({ format: "der", type: "pkcs1" }));
  const spki = new Uint8Array(k.export({ format: "der", type: "spki" }));
  // The BIT STRING closes the SPKI: its content after the unused-bits byte is the raw key / point.
  const size = t.kind === "ecdsa" ? EC_POINT_SIZES[t.curve]! : t.kind === "ed25519" ? 32 : 57;
  return spki.subarray(spki.length - size);
}

// ---- keys ----

export class CompositePublicKey extends CompositePublicKeyBase<CompositeSigAlgorithm> {}

export class CompositePrivateKey extends CompositePrivateKeyBase<CompositeSigAlgorithm, CompositePublicKey> {}

export function importCompositePublicKey(algOid: string, raw: Uint8Array): CompositePublicKey {
  const a = compositeSigAlgorithm(algOid);
  const n = ML[a.mldsa].pk;
  if (raw.length <= n) throw new CryptoError(`composite public key too short for ${a.name}`);
  try {
    return new CompositePublicKey(
      a,
      mldsaPublic(a, raw.subarray(0, n)),
      tradPublic(a.trad, raw.subarray(n)),
      raw,
    );
  } catch (e) {
    throw new CryptoError(`malformed ${a.name} public key: ${(e as Error).message}`);
  }
}

export function importCompositePrivateKey(algOid: string, raw: Uint8Array): CompositePrivateKey {
  const a = compositeSigAlgorithm(algOid);
  try {
    const mldsa = mldsaPrivate(a, raw.subarray(0, 32));
    const trad = tradPrivate(a.trad, raw.subarray(32));
    const mlPub = new Uint8Array(createPublicKey(mldsa).export({ format: "der", type: "spki" }));
    const pubRaw = Buffer.concat([
      mlPub.subarray(mlPub.length - ML[a.mldsa].pk),
      tradPublicRaw(a.trad, createPublicKey(trad)),
    ]);
    const pub = new CompositePublicKey(
      a,
      createPublicKey(mldsa),
      createPublicKey(trad),
      new Uint8Array(pubRaw),
    );
    return new CompositePrivateKey(a, mldsa, trad, raw, pub);
  } catch (e) {
    if (e instanceof CryptoError) throw e;
    throw new CryptoError(`malformed ${a.name} private key: ${(e as Error).message}`);
  }
}

// ---- sign / verify (draft §4.2, §4.3) ----

function messageRepresentative(a: CompositeSigAlgorithm, message: Uint8Array, ctx: Uint8Array): Uint8Array {
  if (ctx.length > 255) throw new CryptoError("composite signature context longer than 255 bytes");
  const h = a.ph === "shake256" ? createHash("shake256", { outputLength: 64 }) : createHash(a.ph);
  const ph = h.update(message).digest();
  return new Uint8Array(
    Buffer.concat([PREFIX, new TextEncoder().encode(a.label), Uint8Array.of(ctx.length), ctx, ph]),
  );
}

function tradSign(t: Trad, key: KeyObject, m: Uint8Array): Uint8Array {
  if (t.kind === "rsa-pss")
    return new Uint8Array(
      nodeSign(t.hash, m, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: t.saltLength }),
    );
  if (t.kind === "rsa-pkcs1" || t.kind === "ecdsa") return new Uint8Array(nodeSign(t.hash, m, key));
  return new Uint8Array(nodeSign(null, m, key));
}
function tradVerify(t: Trad, key: KeyObject, m: Uint8Array, s: Uint8Array): boolean {
  try {
    if (t.kind === "rsa-pss")
      return nodeVerify(
        t.hash,
        m,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: t.saltLength },
        s,
      );
    if (t.kind === "rsa-pkcs1" || t.kind === "ecdsa") return nodeVerify(t.hash, m, key, s);
    return nodeVerify(null, m, key, s);
  } catch {
    return false;
  }
}

export function compositeSign(
  key: CompositePrivateKey,
  message: Uint8Array,
  ctx: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const a = key.alg;
  const m = messageRepresentative(a, message, ctx);
  const mlSig = nodeSign(null, m, { key: key.ml, context: Buffer.from(a.label) });
  return new Uint8Array(Buffer.concat([mlSig, tradSign(a.trad, key.trad, m)]));
}

/** Both component signatures must verify (draft §4.3): one failing component fails the whole. */
export function compositeVerify(
  key: CompositePublicKey,
  message: Uint8Array,
  signature: Uint8Array,
  ctx: Uint8Array = new Uint8Array(0),
): boolean {
  const a = key.alg;
  const n = ML[a.mldsa].sig;
  if (signature.length <= n) return false;
  const m = messageRepresentative(a, message, ctx);
  let mlOk: boolean;
  try {
    mlOk = nodeVerify(null, m, { key: key.ml, context: Buffer.from(a.label) }, signature.subarray(0, n));
  } catch {
    mlOk = false;
  }
  const tradOk = tradVerify(a.trad, key.trad, m, signature.subarray(n));
  return mlOk && tradOk;
}

/** A fresh composite key pair: an ML-DSA seed and a traditional key of the combination's kind. */
export function generateCompositeKeyPair(oidOrName: string): CompositePrivateKey {
  const a = compositeSigAlgorithm(oidOrName);
  const seed = new Uint8Array(randomBytes(32));
  const t = a.trad;
  let trad: Uint8Array;
  if (t.kind === "rsa-pss" || t.kind === "rsa-pkcs1") {
    const k = generateKeyPairSync("rsa", { modulusLength: t.bits }).privateKey;
    trad = new Uint8Array(k.export({ format: "der", type: "pkcs1" }));
  } else if (t.kind === "ecdsa") {
    const k = generateKeyPairSync("ec", { namedCurve: t.curve }).privateKey;
    trad = new Uint8Array(k.export({ format: "der", type: "sec1" }));
  } else {
    const k = (t.kind === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ed448"))
      .privateKey;
    const p8 = new Uint8Array(k.export({ format: "der", type: "pkcs8" }));
    trad = p8.subarray(p8.length - (t.kind === "ed25519" ? 32 : 57));
  }
  return importCompositePrivateKey(a.oid, new Uint8Array(Buffer.concat([seed, trad])));
}
