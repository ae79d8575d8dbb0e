// Certificate and CRL signing: builds TBSCertificate / TBSCertList and signs them with the issuer key.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  type Extension,
  Extensions,
  type Name,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Time,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import { algorithmDer, DerWriter, oidDer, readWhole, receivedDer } from "../asn1/der/index.js";
import { defaultSignatureAlgorithm, publicRandom, sign, type PrivateKey } from "../crypto/index.js";

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
  const s = publicRandom(bytes);
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
  const tbsDer = tbsCertificateDer(spec, sigAlg, serial);
  const signature = sign(sigAlg, spec.issuerKey, tbsDer);
  // RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
  return new DerWriter(tbsDer.length + signature.length + 64)
    .sequence((w) => w.raw(tbsDer).raw(algorithmDer(sigAlg)).bitString(signature))
    .finish();
}

/** DER TBSCertificate (RFC 5280 §4.1) written directly; the subject key is embedded as given. */
export function tbsCertificateDer(
  spec: CertificateSpec,
  sigAlg: AlgorithmIdentifier,
  serial: Uint8Array,
): Uint8Array {
  readWhole(spec.subjectPublicKeyInfo, "SubjectPublicKeyInfo");
  const w = new DerWriter(spec.subjectPublicKeyInfo.length + 1024);
  return w
    .sequence((t) => {
      t.constructed(0xa0, (v) => v.smallInteger(2)); // version [0] EXPLICIT v3
      t.integerBytes(serial);
      t.raw(algorithmDer(sigAlg));
      t.raw(nameDer(spec.issuer));
      t.sequence((v) => v.raw(timeDer(spec.notBefore)).raw(timeDer(spec.notAfter)));
      // A subject taken from the request is written as the DER it came in (src/asn1/der/crmf-reader.ts).
      t.raw(receivedDer(spec.subject) ?? serialize(spec.subject));
      t.raw(spec.subjectPublicKeyInfo);
      if (spec.extensions.length) t.constructed(0xa3, (x) => writeExtensions(x, spec.extensions));
    })
    .finish();
}

/** RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ through 2049, GeneralizedTime YYYYMMDDHHMMSSZ after. */
function timeDer(d: Date): Uint8Array {
  const year = d.getUTCFullYear();
  const two = (n: number) => String(n).padStart(2, "0");
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  const text = year < 2050 ? `${two(year % 100)}${rest}` : `${String(year).padStart(4, "0")}${rest}`;
  return new DerWriter(20).primitive(year < 2050 ? 0x17 : 0x18, new TextEncoder().encode(text)).finish();
}

function serialize(value: object): Uint8Array {
  return new Uint8Array(AsnSerializer.serialize(value));
}

/** The issuer's Name is the same object for every certificate a CA signs: its DER once. */
const names = new WeakMap<Name, Uint8Array>();

function nameDer(name: Name): Uint8Array {
  let der = names.get(name);
  if (!der) names.set(name, (der = serialize(name)));
  return der;
}

/** Extensions ::= SEQUENCE OF Extension { extnID, critical DEFAULT FALSE, extnValue OCTET STRING } (RFC 5280 §4.1). */
function writeExtensions(w: DerWriter, extensions: readonly Extension[]): void {
  w.sequence((all) => {
    for (const e of extensions) {
      all.sequence((x) => {
        x.raw(oidDer(e.extnID));
        // DER leaves a DEFAULT value out (X.690 §11.5).
        if (e.critical) x.primitive(0x01, new Uint8Array([0xff]));
        x.primitive(0x04, new Uint8Array(e.extnValue.buffer));
      });
    }
  });
}

/** The schema-serialiser TBSCertificate: the reference the direct writer is tested against. */
export function tbsCertificateDerSchema(
  spec: CertificateSpec,
  sigAlg: AlgorithmIdentifier,
  serial: Uint8Array,
): Uint8Array {
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.slice().buffer,
    signature: sigAlg,
    issuer: spec.issuer,
    validity: new Validity({ notBefore: new Date(0), notAfter: new Date(0) }),
    subject: spec.subject,
    subjectPublicKeyInfo: AsnParser.parse(spec.subjectPublicKeyInfo, SubjectPublicKeyInfo),
    extensions: spec.extensions.length ? new Extensions(spec.extensions) : undefined,
  });
  tbs.validity.notBefore = x509Time(spec.notBefore);
  tbs.validity.notAfter = x509Time(spec.notAfter);
  return serialize(tbs);
}
