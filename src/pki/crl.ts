// CRL building (RFC 5280 §5): version 2, crlNumber and authorityKeyIdentifier, reason codes per entry.
import { AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  AuthorityKeyIdentifier,
  CertificateList,
  CRLNumber,
  CRLReason,
  Extension,
  Extensions,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_cRLReasons,
  KeyIdentifier,
  type Name,
  RevokedCertificate,
  TBSCertList,
} from "@peculiar/asn1-x509";
import { defaultSignatureAlgorithm, sign, type PrivateKey } from "../crypto/index.js";
import { x509Time } from "./build.js";

export interface RevokedEntry {
  serial: string;
  revocationTime: Date;
  reason?: number;
}

export interface CrlSpec {
  issuer: Name;
  issuerKey: PrivateKey;
  issuerKeyId?: Uint8Array;
  crlNumber: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked: RevokedEntry[];
}

function hexToArrayBuffer(hex: string): ArrayBuffer {
  let h = hex.length % 2 ? `0${hex}` : hex;
  if (parseInt(h.slice(0, 2), 16) & 0x80) h = `00${h}`;
  return new Uint8Array(Buffer.from(h, "hex")).buffer;
}

function ext(id: string, value: unknown): Extension {
  return new Extension({
    extnID: id,
    critical: false,
    extnValue: new OctetString(AsnSerializer.serialize(value)),
  });
}

export function buildCrl(spec: CrlSpec): Uint8Array {
  const alg = defaultSignatureAlgorithm(spec.issuerKey);
  const extensions = [ext(id_ce_cRLNumber, new CRLNumber(Number(spec.crlNumber)))];
  if (spec.issuerKeyId) {
    extensions.unshift(
      ext(
        id_ce_authorityKeyIdentifier,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(spec.issuerKeyId) }),
      ),
    );
  }
  const tbs = new TBSCertList({
    version: 1,
    signature: alg,
    issuer: spec.issuer,
    thisUpdate: x509Time(spec.thisUpdate),
    nextUpdate: x509Time(spec.nextUpdate),
    revokedCertificates: spec.revoked.length
      ? spec.revoked.map(
          (r) =>
            new RevokedCertificate({
              userCertificate: hexToArrayBuffer(r.serial),
              revocationDate: x509Time(r.revocationTime),
              crlEntryExtensions:
                r.reason !== undefined && r.reason !== 0
                  ? [ext(id_ce_cRLReasons, new CRLReason(r.reason))]
                  : undefined,
            }),
        )
      : undefined,
    crlExtensions: new Extensions(extensions),
  });
  const tbsDer = new Uint8Array(AsnSerializer.serialize(tbs));
  const sig = sign(alg, spec.issuerKey, tbsDer);
  const crl = new CertificateList({
    tbsCertList: tbs,
    signatureAlgorithm: alg,
    signature: sig.buffer.slice(sig.byteOffset, sig.byteOffset + sig.byteLength) as ArrayBuffer,
  });
  return new Uint8Array(AsnSerializer.serialize(crl));
}
