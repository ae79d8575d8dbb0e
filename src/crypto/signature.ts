// Signing and verifying by signature AlgorithmIdentifier (RFC 9481 §3, RFC 8410, RFC 9881, RFC 9909) over the
// registry's signature table; RSASSA-PSS parameters; the default algorithm for a key.
import { constants, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { AsnParser, AsnProp, AsnPropTypes, AsnSerializer } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { digestAlgorithm, digestName } from "./digest.js";
import { CryptoError, UnsupportedAlgorithmError } from "./errors.js";
import type { PrivateKey, PublicKey } from "./key-types.js";
import {
  CompositePrivateKey,
  CompositePublicKey,
  compositeSign,
  compositeVerify,
  isCompositeSigOid,
} from "./composite-sig.js";
import {
  defaultSignatureAlgorithmFor,
  id_RSASSA_PSS,
  keyAlgorithm,
  signatureAlgorithm,
  signatureAlgorithmFor,
  type SignatureAlgorithm,
} from "./registry.js";

const id_mgf1 = "1.2.840.113549.1.1.8";

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

function known(alg: AlgorithmIdentifier): SignatureAlgorithm {
  const s = signatureAlgorithm(alg.algorithm);
  if (!s)
    throw new UnsupportedAlgorithmError(alg.algorithm, `unsupported signature algorithm ${alg.algorithm}`);
  return s;
}

export function signatureAlgorithmInfo(alg: AlgorithmIdentifier): {
  name: string;
  keyTypes: string[];
  hash?: string;
} {
  const s = known(alg);
  const hash = alg.algorithm === id_RSASSA_PSS ? pssParams(alg).hash : s.hash;
  return hash
    ? { name: s.name, keyTypes: [...s.keyTypes], hash }
    : { name: s.name, keyTypes: [...s.keyTypes] };
}

function nullParams(): ArrayBuffer {
  return new Uint8Array([5, 0]).buffer;
}

function algorithmWithHash(keyType: string, hash: string): AlgorithmIdentifier {
  const s = signatureAlgorithmFor(keyType, hash);
  if (!s) throw new UnsupportedAlgorithmError(hash, `no ${hash} signature algorithm for ${keyType} keys`);
  return new AlgorithmIdentifier(
    s.nullParams ? { algorithm: s.oid, parameters: nullParams() } : { algorithm: s.oid },
  );
}

/**
 * The signature algorithm for a key: the registry's default for its type; for RSA the hash (and PSS)
 * asked for, for EC the hash asked for. RSASSA-PSS keys always sign with PSS (RFC 4055 §1.2).
 */
export function defaultSignatureAlgorithm(
  key: PrivateKey | PublicKey,
  opts: { hash?: "sha256" | "sha384" | "sha512"; pss?: boolean } = {},
): AlgorithmIdentifier {
  const t = key.type;
  const family = keyAlgorithm(t)?.family;
  if (family === "rsa" || family === "rsa-pss") {
    const hash = opts.hash ?? "sha256";
    if (opts.pss || family === "rsa-pss") return pssAlgorithm(hash);
    return algorithmWithHash(t, hash);
  }
  if (family === "ec" && opts.hash) return algorithmWithHash(t, opts.hash);
  const alg = defaultSignatureAlgorithmFor(t);
  if (!alg) throw new UnsupportedAlgorithmError(t, `no signature algorithm for ${t} keys`);
  return alg;
}

function checkKey(s: SignatureAlgorithm, alg: AlgorithmIdentifier, keyType: string): void {
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
  const s = known(alg);
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
  const s = known(alg);
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
  const s = signatureAlgorithm(sigAlg.algorithm);
  if (!s) return undefined;
  const hash = sigAlg.algorithm === id_RSASSA_PSS ? pssParams(sigAlg).hash : s.certConfHash;
  return hash ? digestAlgorithm(hash) : undefined;
}
