// X.509 v3 extensions lwcmp writes and reads (RFC 5280 §4.2), on @peculiar/asn1-x509's schemas.
import { createHash } from "node:crypto";
import { AsnParser, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  AccessDescription,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  type Certificate,
  CRLDistributionPoints,
  DistributionPoint,
  DistributionPointName,
  ExtendedKeyUsage,
  Extension,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  id_ad_caIssuers,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_cRLDistributionPoints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_pe_authorityInfoAccess,
  type KeyUsageType,
} from "@peculiar/asn1-x509";

export type { KeyUsageType };

function ext(id: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: id, critical, extnValue: new OctetString(AsnSerializer.serialize(value)) });
}

export function basicConstraintsExt(ca: boolean, pathLen?: number): Extension {
  return ext(
    id_ce_basicConstraints,
    true,
    new BasicConstraints({ cA: ca, pathLenConstraint: ca ? pathLen : undefined }),
  );
}

const KU_FLAGS: Record<KeyUsageType, number> = {
  digitalSignature: KeyUsageFlags.digitalSignature,
  nonRepudiation: KeyUsageFlags.nonRepudiation,
  keyEncipherment: KeyUsageFlags.keyEncipherment,
  dataEncipherment: KeyUsageFlags.dataEncipherment,
  keyAgreement: KeyUsageFlags.keyAgreement,
  keyCertSign: KeyUsageFlags.keyCertSign,
  crlSign: KeyUsageFlags.cRLSign,
  encipherOnly: KeyUsageFlags.encipherOnly,
  decipherOnly: KeyUsageFlags.decipherOnly,
};
export const KEY_USAGE_NAMES = Object.keys(KU_FLAGS) as KeyUsageType[];

export function keyUsageExt(usages: readonly KeyUsageType[]): Extension {
  const flags = usages.reduce((f, u) => f | KU_FLAGS[u], 0);
  return ext(id_ce_keyUsage, true, new KeyUsage(flags));
}

export function extKeyUsageExt(oids: readonly string[], critical = false): Extension {
  return ext(id_ce_extKeyUsage, critical, new ExtendedKeyUsage([...oids]));
}

/** Key identifier: the leftmost 160 bits of SHA-256 of the subjectPublicKey BIT STRING value (RFC 7093 §2 method 1). */
export function keyIdentifier(subjectPublicKey: ArrayBuffer | Uint8Array): Uint8Array {
  const bytes = subjectPublicKey instanceof Uint8Array ? subjectPublicKey : new Uint8Array(subjectPublicKey);
  return new Uint8Array(createHash("sha256").update(bytes).digest().subarray(0, 20));
}

export function subjectKeyIdentifierExt(keyId: Uint8Array): Extension {
  return ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId));
}

export function authorityKeyIdentifierExt(keyId: Uint8Array): Extension {
  return ext(
    id_ce_authorityKeyIdentifier,
    false,
    new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) }),
  );
}

export function subjectAltNameExt(names: GeneralName[], critical = false): Extension {
  return ext(id_ce_subjectAltName, critical, new SubjectAlternativeName(names));
}

export function crlDistributionPointsExt(uris: readonly string[]): Extension {
  return ext(
    id_ce_cRLDistributionPoints,
    false,
    new CRLDistributionPoints(
      uris.map(
        (u) =>
          new DistributionPoint({
            distributionPoint: new DistributionPointName({
              fullName: [new GeneralName({ uniformResourceIdentifier: u })],
            }),
          }),
      ),
    ),
  );
}

/** RFC 5280 §4.2.2.1: authorityInfoAccess with caIssuers URIs (where the issuer's certificate is). */
export function authorityInfoAccessExt(caIssuers: readonly string[]): Extension {
  return ext(
    id_pe_authorityInfoAccess,
    false,
    new AuthorityInfoAccessSyntax(
      caIssuers.map(
        (u) =>
          new AccessDescription({
            accessMethod: id_ad_caIssuers,
            accessLocation: new GeneralName({ uniformResourceIdentifier: u }),
          }),
      ),
    ),
  );
}

/** The URIs of a certificate's CRL distribution points (fullName only). */
export function getCrlDistributionPoints(cert: Certificate): string[] {
  const cdp = parseExt(cert, id_ce_cRLDistributionPoints, CRLDistributionPoints);
  return [...(cdp ?? [])].flatMap((dp) =>
    (dp.distributionPoint?.fullName ?? [])
      .map((g) => g.uniformResourceIdentifier)
      .filter((u): u is string => u !== undefined),
  );
}

export function findExtension(cert: Certificate, oid: string): Extension | undefined {
  return cert.tbsCertificate.extensions?.find((e) => e.extnID === oid);
}

function parseExt<T>(cert: Certificate, oid: string, type: new () => T): T | undefined {
  const e = findExtension(cert, oid);
  return e ? AsnParser.parse(e.extnValue.buffer, type) : undefined;
}

export function getBasicConstraints(cert: Certificate): BasicConstraints | undefined {
  return parseExt(cert, id_ce_basicConstraints, BasicConstraints);
}

export function getKeyUsage(cert: Certificate): KeyUsageType[] | undefined {
  const ku = parseExt(cert, id_ce_keyUsage, KeyUsage);
  return ku ? ku.toJSON() : undefined;
}

export function getExtKeyUsage(cert: Certificate): string[] | undefined {
  const eku = parseExt(cert, id_ce_extKeyUsage, ExtendedKeyUsage);
  return eku ? [...eku] : undefined;
}

export function getSubjectKeyIdentifier(cert: Certificate): Uint8Array | undefined {
  const ski = parseExt(cert, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier);
  return ski ? new Uint8Array(ski.buffer) : undefined;
}

export function getAuthorityKeyIdentifier(cert: Certificate): Uint8Array | undefined {
  const aki = parseExt(cert, id_ce_authorityKeyIdentifier, AuthorityKeyIdentifier);
  return aki?.keyIdentifier ? new Uint8Array(aki.keyIdentifier.buffer) : undefined;
}

export function getSubjectAltNames(cert: Certificate): GeneralName[] {
  return [...(parseExt(cert, id_ce_subjectAltName, SubjectAlternativeName) ?? [])];
}

/** Extensions this implementation understands when they are marked critical (RFC 5280 §4.2). */
export const UNDERSTOOD_CRITICAL = new Set([
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_extKeyUsage,
  id_ce_subjectAltName,
  "2.5.29.30", // nameConstraints: checked as far as lwcmp issues them
  "2.5.29.32", // certificatePolicies: not restricted by lwcmp
  "2.5.29.36", // policyConstraints
  "2.5.29.54", // inhibitAnyPolicy
]);
