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
  CertificatePolicies,
  ExtendedKeyUsage,
  Extension,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  InhibitAnyPolicy,
  NameConstraints,
  PolicyConstraints,
  PolicyMappings,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  id_ad_caIssuers,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_cRLDistributionPoints,
  id_ce_certificatePolicies,
  id_ce_extKeyUsage,
  id_ce_inhibitAnyPolicy,
  id_ce_keyUsage,
  id_ce_nameConstraints,
  id_ce_policyConstraints,
  id_ce_policyMappings,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_pe_authorityInfoAccess,
  type KeyUsageType,
} from "@peculiar/asn1-x509";

export type { KeyUsageType };

function ext(id: string, critical: boolean, value: unknown): Extension {
  return new Extension({ extnID: id, critical, extnValue: new OctetString(AsnSerializer.serialize(value)) });
}

/**
 * Extension values that every certificate of a CA repeats (its AKI, CDP, AIA, key usages), kept as
 * their DER by the builder's arguments: each call still gets an Extension of its own. Bounded.
 */
const built = new Map<string, ArrayBuffer>();
const MAX_BUILT = 512;

function repeated(key: string, id: string, critical: boolean, value: () => unknown): Extension {
  const k = `${id}\u0000${critical}\u0000${key}`;
  let der = built.get(k);
  if (!der) {
    der = AsnSerializer.serialize(value());
    if (built.size >= MAX_BUILT) built.delete(built.keys().next().value!);
    built.set(k, der);
  }
  return new Extension({ extnID: id, critical, extnValue: new OctetString(der.slice(0)) });
}

export function basicConstraintsExt(ca: boolean, pathLen?: number): Extension {
  return repeated(
    `${ca}/${pathLen}`,
    id_ce_basicConstraints,
    true,
    () => new BasicConstraints({ cA: ca, pathLenConstraint: ca ? pathLen : undefined }),
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
  return repeated(String(flags), id_ce_keyUsage, true, () => new KeyUsage(flags));
}

export function extKeyUsageExt(oids: readonly string[], critical = false): Extension {
  return repeated(oids.join(","), id_ce_extKeyUsage, critical, () => new ExtendedKeyUsage([...oids]));
}

/** Key identifier: the leftmost 160 bits of SHA-256 of the subjectPublicKey BIT STRING value (RFC 7093 §2 method 1). */
export function keyIdentifier(subjectPublicKey: ArrayBuffer | Uint8Array): Uint8Array {
  const bytes = subjectPublicKey instanceof Uint8Array ? subjectPublicKey : new Uint8Array(subjectPublicKey);
  return new Uint8Array(createHash("sha256").update(bytes).digest().subarray(0, 20));
}

export function subjectKeyIdentifierExt(keyId: Uint8Array): Extension {
  // SubjectKeyIdentifier ::= KeyIdentifier (OCTET STRING): its DER written directly, one per certificate.
  if (keyId.length < 0x80) {
    const der = new Uint8Array(2 + keyId.length);
    der.set([0x04, keyId.length]);
    der.set(keyId, 2);
    return new Extension({
      extnID: id_ce_subjectKeyIdentifier,
      critical: false,
      extnValue: new OctetString(der),
    });
  }
  return ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId));
}

export function authorityKeyIdentifierExt(keyId: Uint8Array): Extension {
  return repeated(
    Buffer.from(keyId).toString("hex"),
    id_ce_authorityKeyIdentifier,
    false,
    () => new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId) }),
  );
}

export function subjectAltNameExt(names: GeneralName[], critical = false): Extension {
  return ext(id_ce_subjectAltName, critical, new SubjectAlternativeName(names));
}

export function crlDistributionPointsExt(uris: readonly string[]): Extension {
  return repeated(
    JSON.stringify(uris),
    id_ce_cRLDistributionPoints,
    false,
    () =>
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

/**
 * Parsed extension values by certificate object: a certificate that comes again (an IDevID chain from
 * the certificate cache, the CA's own) is not parsed again. Callers must not change what they get.
 */
const parsed = new WeakMap<Certificate, Map<string, unknown>>();

function parseExt<T>(cert: Certificate, oid: string, type: new () => T): T | undefined {
  let m = parsed.get(cert);
  if (m?.has(oid)) return m.get(oid) as T | undefined;
  const e = findExtension(cert, oid);
  const v = e ? AsnParser.parse(e.extnValue.buffer, type) : undefined;
  if (!m) parsed.set(cert, (m = new Map()));
  m.set(oid, v);
  return v;
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

export function getNameConstraints(cert: Certificate): NameConstraints | undefined {
  return parseExt(cert, id_ce_nameConstraints, NameConstraints);
}

/** The policy OIDs of certificatePolicies (RFC 5280 §4.2.1.4), undefined when the extension is absent. */
export function getCertificatePolicies(cert: Certificate): string[] | undefined {
  const cp = parseExt(cert, id_ce_certificatePolicies, CertificatePolicies);
  return cp ? [...cp].map((p) => p.policyIdentifier) : undefined;
}

/** policyMappings (RFC 5280 §4.2.1.5) as [issuerDomainPolicy, subjectDomainPolicy] pairs. */
export function getPolicyMappings(cert: Certificate): Array<[string, string]> | undefined {
  const pm = parseExt(cert, id_ce_policyMappings, PolicyMappings);
  return pm ? [...pm].map((m): [string, string] => [m.issuerDomainPolicy, m.subjectDomainPolicy]) : undefined;
}

function skipCerts(v: ArrayBuffer | undefined): number | undefined {
  if (v === undefined) return undefined;
  const b = new Uint8Array(v);
  if (b.length > 4 || (b.length > 0 && b[0]! & 0x80)) return Number.MAX_SAFE_INTEGER;
  return b.reduce((n, x) => n * 256 + x, 0);
}

/** policyConstraints (RFC 5280 §4.2.1.11) as SkipCerts numbers. */
export function getPolicyConstraints(
  cert: Certificate,
): { requireExplicitPolicy?: number; inhibitPolicyMapping?: number } | undefined {
  const pc = parseExt(cert, id_ce_policyConstraints, PolicyConstraints);
  if (!pc) return undefined;
  return {
    requireExplicitPolicy: skipCerts(pc.requireExplicitPolicy),
    inhibitPolicyMapping: skipCerts(pc.inhibitPolicyMapping),
  };
}

/** inhibitAnyPolicy (RFC 5280 §4.2.1.14) SkipCerts. */
export function getInhibitAnyPolicy(cert: Certificate): number | undefined {
  const v = parseExt(cert, id_ce_inhibitAnyPolicy, InhibitAnyPolicy);
  return v ? skipCerts(v.value) : undefined;
}

/** Extensions path validation processes when they are marked critical (RFC 5280 §4.2, §6.1). */
export const UNDERSTOOD_CRITICAL = new Set([
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_extKeyUsage,
  id_ce_subjectAltName,
  id_ce_nameConstraints, // §6.1.4 (g), src/pki/path/name-constraints.ts
  id_ce_certificatePolicies, // §6.1.3 (d), src/pki/path/policy.ts
  id_ce_policyMappings, // §6.1.4 (a)(b)
  id_ce_policyConstraints, // §6.1.4 (i)
  id_ce_inhibitAnyPolicy, // §6.1.4 (j)
]);

const id_ad_ocsp = "1.3.6.1.5.5.7.48.1";
const id_pkix_ocsp_nocheck = "1.3.6.1.5.5.7.48.1.5";

/** authorityInfoAccess (RFC 5280 §4.2.2.1): OCSP responder and caIssuers URIs, non-critical. */
export function authorityInfoAccessExt(access: {
  ocsp?: readonly string[];
  caIssuers?: readonly string[];
}): Extension {
  const entry = (method: string, uri: string) =>
    new AccessDescription({
      accessMethod: method,
      accessLocation: new GeneralName({ uniformResourceIdentifier: uri }),
    });
  return repeated(
    JSON.stringify([access.ocsp ?? [], access.caIssuers ?? []]),
    id_pe_authorityInfoAccess,
    false,
    () =>
      new AuthorityInfoAccessSyntax([
        ...(access.ocsp ?? []).map((u) => entry(id_ad_ocsp, u)),
        ...(access.caIssuers ?? []).map((u) => entry(id_ad_caIssuers, u)),
      ]),
  );
}

/** The OCSP URIs of a certificate's authorityInfoAccess. */
export function getOcspUris(cert: Certificate): string[] {
  const aia = parseExt(cert, id_pe_authorityInfoAccess, AuthorityInfoAccessSyntax);
  return Array.from(aia ?? [])
    .filter((a) => a.accessMethod === id_ad_ocsp && a.accessLocation.uniformResourceIdentifier !== undefined)
    .map((a) => a.accessLocation.uniformResourceIdentifier!);
}

/** id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): clients do not check a delegated responder's status. */
export function ocspNoCheckExt(): Extension {
  return new Extension({
    extnID: id_pkix_ocsp_nocheck,
    critical: false,
    extnValue: new OctetString(new Uint8Array([0x05, 0x00])),
  });
}
