// Composite ML-KEM (draft-ietf-lamps-pq-composite-kem, OIDs 1.3.6.1.5.5.7.6.55-.66): ML-KEM and a
// traditional KEM (RSA-OAEP, ECDH, X25519/X448) run side by side; the shared secret is
// SHA3-256(mlkemSS || tradSS || tradCT || tradPK || Label). Keys and ciphertexts are concatenations.
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  decapsulate,
  diffieHellman,
  encapsulate,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import { EC_CURVE_OIDS, EC_POINT_SIZES, oidDer, pkcs8Der, spkiDer, tlv } from "./der.js";
import { CryptoError, UnsupportedAlgorithmError } from "./errors.js";
import { checkComponent, CompositePrivateKeyBase, CompositePublicKeyBase } from "./composite-key.js";
import { id_ecPublicKey, KEM_KEY_TRAITS, keyAlgorithm, registerKeyAlgorithm } from "./registry.js";

type Trad =
  { kind: "rsa"; bits: number } | { kind: "ecdh"; curve: string } | { kind: "x25519" } | { kind: "x448" };

export interface CompositeKemAlgorithm {
  oid: string;
  /** e.g. "MLKEM768-ECDH-P256-SHA3-256" */
  name: string;
  /** Domain separator in the combiner. */
  label: string;
  mlkem: "ml-kem-768" | "ml-kem-1024";
  trad: Trad;
}

const ML = {
  "ml-kem-768": { ek: 1184, ct: 1088 },
  "ml-kem-1024": { ek: 1568, ct: 1568 },
} as const;

// The draft's table in OID order, with its labels (checked against the draft's test vectors).
const TABLE: [string, CompositeKemAlgorithm["mlkem"], Trad, string][] = [
  ["MLKEM768-RSA2048-SHA3-256", "ml-kem-768", { kind: "rsa", bits: 2048 }, "MLKEM768-RSAOAEP2048"],
  ["MLKEM768-RSA3072-SHA3-256", "ml-kem-768", { kind: "rsa", bits: 3072 }, "MLKEM768-RSAOAEP3072"],
  ["MLKEM768-RSA4096-SHA3-256", "ml-kem-768", { kind: "rsa", bits: 4096 }, "MLKEM768-RSAOAEP4096"],
  ["MLKEM768-X25519-SHA3-256", "ml-kem-768", { kind: "x25519" }, "\\.//^\\"],
  ["MLKEM768-ECDH-P256-SHA3-256", "ml-kem-768", { kind: "ecdh", curve: "prime256v1" }, "MLKEM768-P256"],
  ["MLKEM768-ECDH-P384-SHA3-256", "ml-kem-768", { kind: "ecdh", curve: "secp384r1" }, "MLKEM768-P384"],
  [
    "MLKEM768-ECDH-brainpoolP256r1-SHA3-256",
    "ml-kem-768",
    { kind: "ecdh", curve: "brainpoolP256r1" },
    "MLKEM768-BP256",
  ],
  ["MLKEM1024-RSA3072-SHA3-256", "ml-kem-1024", { kind: "rsa", bits: 3072 }, "MLKEM1024-RSAOAEP3072"],
  ["MLKEM1024-ECDH-P384-SHA3-256", "ml-kem-1024", { kind: "ecdh", curve: "secp384r1" }, "MLKEM1024-P384"],
  [
    "MLKEM1024-ECDH-brainpoolP384r1-SHA3-256",
    "ml-kem-1024",
    { kind: "ecdh", curve: "brainpoolP384r1" },
    "MLKEM1024-BP384",
  ],
  ["MLKEM1024-X448-SHA3-256", "ml-kem-1024", { kind: "x448" }, "MLKEM1024-X448"],
  ["MLKEM1024-ECDH-P521-SHA3-256", "ml-kem-1024", { kind: "ecdh", curve: "secp521r1" }, "MLKEM1024-P521"],
];

export const COMPOSITE_KEM_ALGORITHMS: readonly CompositeKemAlgorithm[] = TABLE.map(
  ([name, mlkem, trad, label], i) => ({
    oid: `1.3.6.1.5.5.7.6.${55 + i}`,
    name,
    label,
    mlkem,
    trad,
  }),
);
const BY_OID = new Map(COMPOSITE_KEM_ALGORITHMS.map((a) => [a.oid, a]));
for (const a of COMPOSITE_KEM_ALGORITHMS) {
  registerKeyAlgorithm({
    type: `composite:${a.name.toLowerCase()}`,
    family: "composite-kem",
    oid: a.oid,
    oidName: `composite ${a.name}`,
    ...KEM_KEY_TRAITS,
  });
}
const BY_NAME = new Map(COMPOSITE_KEM_ALGORITHMS.map((a) => [a.name.toLowerCase(), a]));

export function compositeKemAlgorithm(oidOrName: string): CompositeKemAlgorithm {
  const a = BY_OID.get(oidOrName) ?? BY_NAME.get(oidOrName.toLowerCase().replace(/^(id-|composite:)/, ""));
  if (!a) throw new UnsupportedAlgorithmError(oidOrName, `unsupported composite KEM algorithm ${oidOrName}`);
  return a;
}

export function isCompositeKemOid(oid: string): boolean {
  return BY_OID.has(oid);
}

// ---- DER helpers for the component keys ----

const spki = spkiDer;
const pkcs8 = pkcs8Der;
const spkiOid = (type: string) => keyAlgorithm(type)!.oid;
const X_SIZES = { x25519: 32, x448: 56 };

function tradPublic(t: Trad, raw: Uint8Array): KeyObject {
  if (t.kind === "rsa") {
    const k = createPublicKey({ key: Buffer.from(raw), format: "der", type: "pkcs1" });
    return checkComponent(k, t, raw, "composite KEM public key");
  }
  const alg =
    t.kind === "ecdh"
      ? tlv(0x30, oidDer(id_ecPublicKey), oidDer(EC_CURVE_OIDS[t.curve]!))
      : tlv(0x30, oidDer(spkiOid(t.kind)));
  return createPublicKey({ key: Buffer.from(spki(alg, raw)), format: "der", type: "spki" });
}
function tradPrivate(t: Trad, raw: Uint8Array): KeyObject {
  if (t.kind === "rsa" || t.kind === "ecdh") {
    const type = t.kind === "rsa" ? "pkcs1" : "sec1";
    const k = createPrivateKey({ key: Buffer.from(raw), format: "der", type });
    return checkComponent(k, t, raw, "composite KEM private key");
  }
  return createPrivateKey({
    key: Buffer.from(pkcs8(tlv(0x30, oidDer(spkiOid(t.kind))), tlv(0x04, raw))),
    format: "der",
    type: "pkcs8",
  });
}
function tradPublicRaw(t: Trad, k: KeyObject): Uint8Array {
  if (t.kind === "rsa") return new Uint8Array(k.export({ format: "der", type: "pkcs1" }));
  const d = new Uint8Array(k.export({ format: "der", type: "spki" }));
  const size = t.kind === "ecdh" ? EC_POINT_SIZES[t.curve]! : X_SIZES[t.kind];
  return d.subarray(d.length - size);
}

// ---- keys ----

export class CompositeKemPublicKey extends CompositePublicKeyBase<CompositeKemAlgorithm> {
  get tradRaw(): Uint8Array {
    return this.raw.subarray(ML[this.alg.mlkem].ek);
  }
}

export class CompositeKemPrivateKey extends CompositePrivateKeyBase<
  CompositeKemAlgorithm,
  CompositeKemPublicKey
> {}

export function importCompositeKemPublicKey(oid: string, raw: Uint8Array): CompositeKemPublicKey {
  const a = compositeKemAlgorithm(oid);
  const n = ML[a.mlkem].ek;
  if (raw.length <= n) throw new CryptoError(`composite KEM public key too short for ${a.name}`);
  try {
    const ml = createPublicKey({
      key: Buffer.from(spki(tlv(0x30, oidDer(spkiOid(a.mlkem))), raw.subarray(0, n))),
      format: "der",
      type: "spki",
    });
    return new CompositeKemPublicKey(a, ml, tradPublic(a.trad, raw.subarray(n)), raw);
  } catch (e) {
    throw new CryptoError(`malformed ${a.name} public key: ${(e as Error).message}`);
  }
}

export function importCompositeKemPrivateKey(oid: string, raw: Uint8Array): CompositeKemPrivateKey {
  const a = compositeKemAlgorithm(oid);
  try {
    const ml = createPrivateKey({
      key: Buffer.from(pkcs8(tlv(0x30, oidDer(spkiOid(a.mlkem))), tlv(0x80, raw.subarray(0, 64)))),
      format: "der",
      type: "pkcs8",
    });
    const trad = tradPrivate(a.trad, raw.subarray(64));
    const mlPub = new Uint8Array(createPublicKey(ml).export({ format: "der", type: "spki" }));
    const pubRaw = new Uint8Array(
      Buffer.concat([
        mlPub.subarray(mlPub.length - ML[a.mlkem].ek),
        tradPublicRaw(a.trad, createPublicKey(trad)),
      ]),
    );
    return new CompositeKemPrivateKey(
      a,
      ml,
      trad,
      raw,
      new CompositeKemPublicKey(a, createPublicKey(ml), createPublicKey(trad), pubRaw),
    );
  } catch (e) {
    throw new CryptoError(`malformed ${a.name} private key: ${(e as Error).message}`);
  }
}

export function generateCompositeKemKeyPair(oidOrName: string): CompositeKemPrivateKey {
  const a = compositeKemAlgorithm(oidOrName);
  const seed = new Uint8Array(randomBytes(64));
  const t = a.trad;
  let trad: Uint8Array;
  if (t.kind === "rsa") {
    trad = new Uint8Array(
      generateKeyPairSync("rsa", { modulusLength: t.bits }).privateKey.export({
        format: "der",
        type: "pkcs1",
      }),
    );
  } else if (t.kind === "ecdh") {
    trad = new Uint8Array(
      generateKeyPairSync("ec", { namedCurve: t.curve }).privateKey.export({ format: "der", type: "sec1" }),
    );
  } else {
    const k = (t.kind === "x25519" ? generateKeyPairSync("x25519") : generateKeyPairSync("x448")).privateKey;
    const p8 = new Uint8Array(k.export({ format: "der", type: "pkcs8" }));
    trad = p8.subarray(p8.length - X_SIZES[t.kind]);
  }
  return importCompositeKemPrivateKey(a.oid, new Uint8Array(Buffer.concat([seed, trad])));
}

// ---- KEM ----

function combine(
  a: CompositeKemAlgorithm,
  mlSS: Uint8Array,
  tradSS: Uint8Array,
  tradCT: Uint8Array,
  tradPK: Uint8Array,
): Uint8Array {
  return new Uint8Array(
    createHash("sha3-256")
      .update(mlSS)
      .update(tradSS)
      .update(tradCT)
      .update(tradPK)
      .update(Buffer.from(a.label, "latin1"))
      .digest(),
  );
}

export function compositeKemEncapsulate(key: CompositeKemPublicKey): {
  sharedSecret: Uint8Array;
  ciphertext: Uint8Array;
} {
  const a = key.alg;
  const ml = encapsulate(key.ml);
  let tradSS: Uint8Array;
  let tradCT: Uint8Array;
  if (a.trad.kind === "rsa") {
    // RSA-OAEP with SHA-256 transports a fresh 32-byte secret.
    tradSS = new Uint8Array(randomBytes(32));
    tradCT = new Uint8Array(
      publicEncrypt({ key: key.trad, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, tradSS),
    );
  } else {
    const eph =
      a.trad.kind === "ecdh"
        ? generateKeyPairSync("ec", { namedCurve: a.trad.curve })
        : a.trad.kind === "x25519"
          ? generateKeyPairSync("x25519")
          : generateKeyPairSync("x448");
    tradSS = new Uint8Array(diffieHellman({ privateKey: eph.privateKey, publicKey: key.trad }));
    tradCT = tradPublicRaw(a.trad, eph.publicKey);
  }
  return {
    sharedSecret: combine(a, new Uint8Array(ml.sharedKey), tradSS, tradCT, key.tradRaw),
    ciphertext: new Uint8Array(Buffer.concat([ml.ciphertext, tradCT])),
  };
}

export function compositeKemDecapsulate(key: CompositeKemPrivateKey, ciphertext: Uint8Array): Uint8Array {
  const a = key.alg;
  const n = ML[a.mlkem].ct;
  if (ciphertext.length <= n) throw new CryptoError(`composite KEM ciphertext too short for ${a.name}`);
  const tradCT = ciphertext.subarray(n);
  try {
    const mlSS = new Uint8Array(decapsulate(key.ml, ciphertext.subarray(0, n)));
    const tradSS =
      a.trad.kind === "rsa"
        ? new Uint8Array(
            privateDecrypt(
              { key: key.trad, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
              tradCT,
            ),
          )
        : new Uint8Array(diffieHellman({ privateKey: key.trad, publicKey: tradPublic(a.trad, tradCT) }));
    return combine(a, mlSS, tradSS, tradCT, key.publicKey.tradRaw);
  } catch (e) {
    throw new CryptoError(`composite KEM decapsulation failed: ${(e as Error).message}`);
  }
}
