// Certificate and CRL signing: builds TBSCertificate / TBSCertList and signs them with the issuer key.
import { randomBytes } from "node:crypto";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Certificate,
  type Extension,
  Extensions,
  type Name,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import { defaultSignatureAlgorithm, sign, type PrivateKey } from "../crypto/index.js";

export interface CertificateSpec {
  /** Serial number bytes (positive, big-endian); default: 128 random bits (RFC 5280 §4.1.2.2, CA/B ≥ 64). */
  serial?: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo of the subject key. */
  subjectPublicKeyInfo: Uint8Array;
  extensions: Extension[];
  issuerKey: PrivateKey;
  signatureAlgorithm?: AlgorithmIdentifier;
}

/** A positive serial of `bits` random bits with the top bit clear so DER needs no sign byte. */
export function randomSerial(bytes = 16): Uint8Array {
  const s = new Uint8Array(randomBytes(bytes));
  s[0] = (s[0]! & 0x7f) | 0x40; // positive and full length: always exactly `bytes` octets
  return s;
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on. */
export function x509Time(d: Date): Time {
  const whole = new Date(Math.floor(d.getTime() / 1000) * 1000);
  return whole.getUTCFullYear() < 2050 ? new Time({ utcTime: whole }) : new Time({ generalTime: whole });
}

export function buildCertificate(spec: CertificateSpec): Uint8Array {
  const sigAlg = spec.signatureAlgorithm ?? defaultSignatureAlgorithm(spec.issuerKey);
  const serial = spec.serial ?? randomSerial();
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.buffer.slice(
      serial.byteOffset,
      serial.byteOffset + serial.byteLength,
    ) as ArrayBuffer,
    signature: sigAlg,
    issuer: spec.issuer,
    validity: new Validity({ notBefore: new Date(0), notAfter: new Date(0) }),
    subject: spec.subject,
    subjectPublicKeyInfo: AsnParser.parse(spec.subjectPublicKeyInfo, SubjectPublicKeyInfo),
    extensions: spec.extensions.length ? new Extensions(spec.extensions) : undefined,
  });
  tbs.validity.notBefore = x509Time(spec.notBefore);
  tbs.validity.notAfter = x509Time(spec.notAfter);
  const tbsDer = new Uint8Array(AsnSerializer.serialize(tbs));
  const signature = sign(sigAlg, spec.issuerKey, tbsDer);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: sigAlg,
    signatureValue: signature.buffer.slice(
      signature.byteOffset,
      signature.byteOffset + signature.byteLength,
    ) as ArrayBuffer,
  });
  return new Uint8Array(AsnSerializer.serialize(cert));
}
