// Signature algorithms by OID (RFC 9481 §3, RFC 8410, RFC 9881, RFC 9909): sign, verify, defaults.
import { constants, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { AsnParser, AsnProp, AsnPropTypes, AsnSerializer } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { digestAlgorithm, digestName } from "./digest.js";
import { CryptoError, UnsupportedAlgorithmError } from "./errors.js";
import type { PrivateKey, PublicKey } from "./keys.js";
import {
  CompositePrivateKey,
  CompositePublicKey,
  compositeSigAlgorithm,
  compositeSign,
  compositeVerify,
  isCompositeSigOid,
} from "./composite-sig.js";

export const id_RSASSA_PSS = "1.2.840.113549.1.1.10";
const id_mgf1 = "1.2.840.113549.1.1.8";
const RSA_KEYS = ["rsa", "rsa-pss"];
const EC_KEYS = ["ec-p256", "ec-p384", "ec-p521"];

interface SigInfo {
  name: string;
  keyTypes: string[];
  /** node hash name; undefined for algorithms that hash internally (EdDSA, ML-DSA, SLH-DSA). */
  hash?: string;
  /** sha*WithRSAEncryption carries NULL parameters (RFC 4055 §5). */
  nullParams?: boolean;
}

/** SLH-DSA parameter sets in OID order (2.16.840.1.101.3.4.3.20 - .31, RFC 9909). */
export const SLH_SETS: readonly string[] = [
  "sha2-128s",
  "sha2-128f",
  "sha2-192s",
  "sha2-192f",
  "sha2-256s",
  "sha2-256f",
  "shake-128s",
  "shake-128f",
  "shake-192s",
  "shake-192f",
  "shake-256s",
  "shake-256f",
];

const SIGS = new Map<string, SigInfo>([
  [
    "1.2.840.113549.1.1.5",
    { name: "sha1WithRSAEncryption", keyTypes: RSA_KEYS, hash: "sha1", nullParams: true },
  ],
  [
    "1.2.840.113549.1.1.14",
    { name: "sha224WithRSAEncryption", keyTypes: RSA_KEYS, hash: "sha224", nullParams: true },
  ],
  [
    "1.2.840.113549.1.1.11",
    { name: "sha256WithRSAEncryption", keyTypes: RSA_KEYS, hash: "sha256", nullParams: true },
  ],
  [
    "1.2.840.113549.1.1.12",
    { name: "sha384WithRSAEncryption", keyTypes: RSA_KEYS, hash: "sha384", nullParams: true },
  ],
  [
    "1.2.840.113549.1.1.13",
    { name: "sha512WithRSAEncryption", keyTypes: RSA_KEYS, hash: "sha512", nullParams: true },
  ],
  [
    "2.16.840.1.101.3.4.3.13",
    { name: "id-rsassa-pkcs1-v1_5-with-sha3-224", keyTypes: RSA_KEYS, hash: "sha3-224" },
  ],
  [
    "2.16.840.1.101.3.4.3.14",
    { name: "id-rsassa-pkcs1-v1_5-with-sha3-256", keyTypes: RSA_KEYS, hash: "sha3-256" },
  ],
  [
    "2.16.840.1.101.3.4.3.15",
    { name: "id-rsassa-pkcs1-v1_5-with-sha3-384", keyTypes: RSA_KEYS, hash: "sha3-384" },
  ],
  [
    "2.16.840.1.101.3.4.3.16",
    { name: "id-rsassa-pkcs1-v1_5-with-sha3-512", keyTypes: RSA_KEYS, hash: "sha3-512" },
  ],
  [id_RSASSA_PSS, { name: "RSASSA-PSS", keyTypes: RSA_KEYS }],
  ["1.2.840.10045.4.3.1", { name: "ecdsa-with-SHA224", keyTypes: EC_KEYS, hash: "sha224" }],
  ["1.2.840.10045.4.3.2", { name: "ecdsa-with-SHA256", keyTypes: EC_KEYS, hash: "sha256" }],
  ["1.2.840.10045.4.3.3", { name: "ecdsa-with-SHA384", keyTypes: EC_KEYS, hash: "sha384" }],
  ["1.2.840.10045.4.3.4", { name: "ecdsa-with-SHA512", keyTypes: EC_KEYS, hash: "sha512" }],
  ["2.16.840.1.101.3.4.3.9", { name: "id-ecdsa-with-sha3-224", keyTypes: EC_KEYS, hash: "sha3-224" }],
  ["2.16.840.1.101.3.4.3.10", { name: "id-ecdsa-with-sha3-256", keyTypes: EC_KEYS, hash: "sha3-256" }],
  ["2.16.840.1.101.3.4.3.11", { name: "id-ecdsa-with-sha3-384", keyTypes: EC_KEYS, hash: "sha3-384" }],
  ["2.16.840.1.101.3.4.3.12", { name: "id-ecdsa-with-sha3-512", keyTypes: EC_KEYS, hash: "sha3-512" }],
  ["1.3.101.112", { name: "Ed25519", keyTypes: ["ed25519"] }],
  ["1.3.101.113", { name: "Ed448", keyTypes: ["ed448"] }],
  ["2.16.840.1.101.3.4.3.17", { name: "ML-DSA-44", keyTypes: ["ml-dsa-44"] }],
  ["2.16.840.1.101.3.4.3.18", { name: "ML-DSA-65", keyTypes: ["ml-dsa-65"] }],
  ["2.16.840.1.101.3.4.3.19", { name: "ML-DSA-87", keyTypes: ["ml-dsa-87"] }],
  ...SLH_SETS.map(
    (s, i) =>
      [
        `2.16.840.1.101.3.4.3.${20 + i}`,
        { name: `SLH-DSA-${s.toUpperCase()}`, keyTypes: [`slh-dsa-${s}`] },
      ] as [string, SigInfo],
  ),
]);
const OID_BY_KEY: Record<string, string> = {
  ed25519: "1.3.101.112",
  ed448: "1.3.101.113",
  "ml-dsa-44": "2.16.840.1.101.3.4.3.17",
  "ml-dsa-65": "2.16.840.1.101.3.4.3.18",
  "ml-dsa-87": "2.16.840.1.101.3.4.3.19",
  ...Object.fromEntries(SLH_SETS.map((s, i) => [`slh-dsa-${s}`, `2.16.840.1.101.3.4.3.${20 + i}`])),
};

// RSASSA-PSS-params (RFC 4055 §3.1); all fields carry explicit context tags.
class RsaPssParams {
  @AsnProp({ type: AlgorithmIdentifier, context: 0, optional: true })
  public hashAlgorithm?: AlgorithmIdentifier;
  @AsnProp({ type: AlgorithmIdentifier, context: 1, optional: true })
  public maskGenAlgorithm?: AlgorithmIdentifier;
  @AsnProp({ type: AsnPropTypes.Integer, context: 2, optional: true }) public saltLength?: number;
  @AsnProp({ type: AsnPropTypes.Integer, context: 3, optional: true }) public trailerField?: number;
}

interface PssParams {
  hash: string;
  mgfHash: string;
  saltLength: number;
}

function pssParams(alg: AlgorithmIdentifier): PssParams {
  if (!alg.parameters) throw new CryptoError("RSASSA-PSS needs parameters");
  let p: RsaPssParams;
  try {
    p = AsnParser.parse(alg.parameters, RsaPssParams);
  } catch {
    throw new CryptoError("malformed RSASSA-PSS parameters");
  }
  const hash = p.hashAlgorithm ? digestName(p.hashAlgorithm) : "sha1";
  let mgfHash = "sha1";
  if (p.maskGenAlgorithm) {
    if (p.maskGenAlgorithm.algorithm !== id_mgf1 || !p.maskGenAlgorithm.parameters) {
      throw new UnsupportedAlgorithmError(
        p.maskGenAlgorithm.algorithm,
        "RSASSA-PSS mask generation must be MGF1",
      );
    }
    mgfHash = digestName(AsnParser.parse(p.maskGenAlgorithm.parameters, AlgorithmIdentifier));
  }
  if (mgfHash !== hash)
    throw new CryptoError("RSASSA-PSS with different message and MGF1 hashes is not supported");
  if ((p.trailerField ?? 1) !== 1) throw new CryptoError("RSASSA-PSS trailerField must be 1");
  return { hash, mgfHash, saltLength: p.saltLength ?? 20 };
}

/** RSASSA-PSS AlgorithmIdentifier as RFC 9481 §3.2 asks: MGF1 with the same hash, salt = hash length. */
export function pssAlgorithm(hash: "sha256" | "sha384" | "sha512" = "sha256"): AlgorithmIdentifier {
  const h = digestAlgorithm(hash);
  const p = new RsaPssParams();
  p.hashAlgorithm = h;
  p.maskGenAlgorithm = new AlgorithmIdentifier({
    algorithm: id_mgf1,
    parameters: AsnSerializer.serialize(h),
  });
  p.saltLength = { sha256: 32, sha384: 48, sha512: 64 }[hash];
  return new AlgorithmIdentifier({ algorithm: id_RSASSA_PSS, parameters: AsnSerializer.serialize(p) });
}

export function signatureAlgorithmInfo(alg: AlgorithmIdentifier): {
  name: string;
  keyTypes: string[];
  hash?: string;
} {
  if (isCompositeSigOid(alg.algorithm)) {
    const c = compositeSigAlgorithm(alg.algorithm);
    return { name: `composite ${c.name}`, keyTypes: [`composite:${c.name.toLowerCase()}`] };
  }
  const s = SIGS.get(alg.algorithm);
  if (!s)
    throw new UnsupportedAlgorithmError(alg.algorithm, `unsupported signature algorithm ${alg.algorithm}`);
  if (alg.algorithm === id_RSASSA_PSS) return { ...s, hash: pssParams(alg).hash };
  return s;
}

function nullParams(): ArrayBuffer {
  return new Uint8Array([5, 0]).buffer;
}

export function defaultSignatureAlgorithm(
  key: PrivateKey | PublicKey,
  opts: { hash?: "sha256" | "sha384" | "sha512"; pss?: boolean } = {},
): AlgorithmIdentifier {
  const t = key.type;
  if (t === "rsa" || t === "rsa-pss") {
    const hash = opts.hash ?? "sha256";
    if (opts.pss || t === "rsa-pss") return pssAlgorithm(hash);
    const oid = {
      sha256: "1.2.840.113549.1.1.11",
      sha384: "1.2.840.113549.1.1.12",
      sha512: "1.2.840.113549.1.1.13",
    }[hash];
    return new AlgorithmIdentifier({ algorithm: oid, parameters: nullParams() });
  }
  if (t === "ec-p256" || t === "ec-p384" || t === "ec-p521") {
    const hash = opts.hash ?? ({ "ec-p256": "sha256", "ec-p384": "sha384", "ec-p521": "sha512" } as const)[t];
    const oid = {
      sha256: "1.2.840.10045.4.3.2",
      sha384: "1.2.840.10045.4.3.3",
      sha512: "1.2.840.10045.4.3.4",
    }[hash];
    return new AlgorithmIdentifier({ algorithm: oid });
  }
  if (t.startsWith("composite:")) return new AlgorithmIdentifier({ algorithm: compositeSigAlgorithm(t).oid });
  const oid = OID_BY_KEY[t];
  if (!oid) throw new UnsupportedAlgorithmError(t, `no signature algorithm for ${t} keys`);
  return new AlgorithmIdentifier({ algorithm: oid });
}

function checkKey(s: SigInfo, alg: AlgorithmIdentifier, keyType: string): void {
  if (!s.keyTypes.includes(keyType)) {
    throw new CryptoError(`${s.name} (${alg.algorithm}) cannot be used with a ${keyType} key`);
  }
}

export function sign(alg: AlgorithmIdentifier, key: PrivateKey, data: Uint8Array): Uint8Array {
  if (isCompositeSigOid(alg.algorithm)) {
    if (!(key instanceof CompositePrivateKey) || key.alg.oid !== alg.algorithm) {
      throw new CryptoError(
        `${alg.algorithm} needs a key of the same composite combination, not ${key.type}`,
      );
    }
    return compositeSign(key, data);
  }
  const s = SIGS.get(alg.algorithm);
  if (!s)
    throw new UnsupportedAlgorithmError(alg.algorithm, `unsupported signature algorithm ${alg.algorithm}`);
  checkKey(s, alg, key.type);
  if (!key.native) throw new CryptoError("this key cannot sign in software");
  if (alg.algorithm === id_RSASSA_PSS) {
    const p = pssParams(alg);
    return new Uint8Array(
      nodeSign(p.hash, data, {
        key: key.native,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: p.saltLength,
      }),
    );
  }
  return new Uint8Array(nodeSign(s.hash ?? null, data, key.native));
}

export function verify(
  alg: AlgorithmIdentifier,
  key: PublicKey,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (isCompositeSigOid(alg.algorithm)) {
    if (!(key instanceof CompositePublicKey) || key.alg.oid !== alg.algorithm) {
      throw new CryptoError(
        `${alg.algorithm} needs a key of the same composite combination, not ${key.type}`,
      );
    }
    return compositeVerify(key, data, signature);
  }
  const s = SIGS.get(alg.algorithm);
  if (!s)
    throw new UnsupportedAlgorithmError(alg.algorithm, `unsupported signature algorithm ${alg.algorithm}`);
  checkKey(s, alg, key.type);
  if (!key.native) throw new CryptoError("this key cannot verify in software");
  try {
    if (alg.algorithm === id_RSASSA_PSS) {
      const p = pssParams(alg);
      return nodeVerify(
        p.hash,
        data,
        { key: key.native, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength },
        signature,
      );
    }
    return nodeVerify(s.hash ?? null, data, key.native, signature);
  } catch (e) {
    // Malformed signature encodings are bad signatures, not errors.
    if (e instanceof Error && /signature|asn1|encoding|wrong/i.test(e.message)) return false;
    throw new CryptoError(`signature check failed: ${(e as Error).message}`);
  }
}

/**
 * The hash for certConf's certHash implied by a certificate's signature algorithm (RFC 9810 §5.3.18,
 * RFC 9481 §3): the signature's own hash; SHA-512 for Ed25519 and SHAKE256 for Ed448 (RFC 9481 §3.3);
 * undefined for ML-DSA / SLH-DSA, whose certConf must carry hashAlg.
 */
export function certConfHashAlgorithm(sigAlg: AlgorithmIdentifier): AlgorithmIdentifier | undefined {
  if (sigAlg.algorithm === "1.3.101.112") return digestAlgorithm("sha512");
  if (sigAlg.algorithm === "1.3.101.113") return digestAlgorithm("shake256");
  const s = SIGS.get(sigAlg.algorithm);
  if (!s) return undefined;
  const hash = sigAlg.algorithm === id_RSASSA_PSS ? pssParams(sigAlg).hash : s.hash;
  return hash ? digestAlgorithm(hash) : undefined;
}
