// Protocol-neutral issuance: a requested template, the requester and a profile become a signed
// certificate with a unique serial (RFC 5280 §4.1.2.2, §4.2 extensions). No CMP types here, so CMP,
// EST or CMC front ends can share it.
import { createHash } from "node:crypto";
import { AsnParser } from "@peculiar/asn1-schema";
import { DerReader } from "../asn1/der/index.js";
import { type GeneralName, Name, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import * as oids from "../asn1/oids.js";
import {
  allowedKeyUsages,
  keyIdentityDer,
  keyUsagesFor,
  minimumKeyBits,
  type PrivateKey,
  type PublicKey,
} from "../crypto/index.js";
import { buildCertificate, randomSerial } from "../pki/build.js";
import {
  authorityInfoAccessExt,
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  crlDistributionPointsExt,
  extKeyUsageExt,
  getSubjectKeyIdentifier,
  keyIdentifier,
  keyUsageExt,
  subjectAltNameExt,
  subjectKeyIdentifierExt,
  type KeyUsageType,
} from "../pki/extensions.js";
import { nameToString, namesEqual, parseName } from "../pki/names.js";
import type { CertEntry } from "../pki/path.js";
import type { CertificateRecord } from "../store/store.js";
import { distributionPointsFor } from "./crl/shard.js";
import type { ProfilePolicy } from "./policy.js";

export const EKU_NAMES: Readonly<Record<string, string>> = {
  serverAuth: oids.id_kp_serverAuth,
  clientAuth: oids.id_kp_clientAuth,
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  OCSPSigning: "1.3.6.1.5.5.7.3.9",
  cmcCA: oids.id_kp_cmcCA,
  cmcRA: oids.id_kp_cmcRA,
  cmKGA: oids.id_kp_cmKGA,
};

/** Why a request cannot be certified; front ends map the kind onto their protocol's error. */
export class IssuanceError extends Error {
  override readonly name = "IssuanceError";
  constructor(
    readonly kind: "badTemplate" | "notAuthorized",
    message: string,
  ) {
    super(message);
  }
}

/** Extensions a request asks for (CRMF template or PKCS#10 extensionRequest); absent: not asked. */
export interface RequestedExtensions {
  keyUsage?: KeyUsageType[];
  /** Extended key usage OIDs. */
  extendedKeyUsage?: string[];
  basicConstraints?: { ca: boolean; pathLen?: number };
}

export interface IssueRequest {
  /** Subject from the template or CSR; undefined to keep `oldSubject` (key update). */
  subject?: Name;
  /** Subject of the certificate being replaced (key update): the new one must keep it. */
  oldSubject?: Name;
  publicKey: PublicKey;
  subjectAltNames: readonly GeneralName[];
  notAfter?: Date;
  requested?: RequestedExtensions;
  profile: ProfilePolicy;
  requester: IssueRequester;
}

/** Who asks, and what that requester is bound to. */
export interface IssueRequester {
  id: string;
  /** The only subject a shared-secret holder may request, when bound. */
  boundSubject?: string;
  /** The only DNS subjectAltNames a shared-secret holder may request, when listed. */
  allowedDnsNames?: readonly string[];
  /** Subject of the certificate that authenticates the requester (cr): kept unless the profile allows a change. */
  heldSubject?: Name;
}

export interface PreparedCertificate {
  der: Uint8Array;
  serial: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** Hex SHA-256 of the certified SubjectPublicKeyInfo: how the store finds the certificates of a key. */
  spkiHash: string;
}

/** The store's key for the certificates of one public key. */
export function spkiHash(spki: Uint8Array): string {
  return createHash("sha256").update(spki).digest("hex");
}

export function checkKeyType(key: PublicKey, profile: ProfilePolicy): void {
  const allowed = profile.allowedKeyTypes;
  const ok =
    allowed.length === 0 ||
    allowed.some((a) => a === key.type || (a.endsWith("*") && key.type.startsWith(a.slice(0, -1))));
  if (!ok) {
    throw new IssuanceError(
      "badTemplate",
      `key type ${key.type} is not allowed by profile "${profile.name}" (allowed: ${allowed.join(", ")})`,
    );
  }
  // RFC 9483 §4.1.1: the CA checks the key against its policy; the minimum size applies to every profile.
  const min = profile.minimumKeyBits[key.type] ?? minimumKeyBits(key.type);
  if (min === undefined) return;
  const bits = key.native?.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && bits < min) {
    throw new IssuanceError("badTemplate", `${key.type} keys need at least ${min} bits, not ${bits}`);
  }
}

function checkSubject(req: IssueRequest): Name {
  const { profile, requester } = req;
  const subject = req.subject && req.subject.length > 0 ? req.subject : req.oldSubject;
  if (!subject || subject.length === 0) {
    // RFC 5280 §4.1.2.6: an empty subject needs subjectAltNames (then marked critical).
    if (profile.allowEmptySubject && req.subjectAltNames.length > 0 && !requester.boundSubject) {
      return new Name([]);
    }
    throw new IssuanceError(
      "badTemplate",
      profile.allowEmptySubject
        ? "the request names neither a subject nor subjectAltNames"
        : "the request names no subject",
    );
  }
  const text = nameToString(subject);
  if (req.oldSubject && !namesEqual(subject, req.oldSubject) && !profile.allowSubjectChange) {
    throw new IssuanceError(
      "badTemplate",
      `a key update keeps the subject "${nameToString(req.oldSubject)}"; "${text}" was requested`,
    );
  }
  const held = requester.heldSubject;
  if (held && !req.oldSubject && !profile.allowSubjectChange && !namesEqual(subject, held)) {
    throw new IssuanceError(
      "notAuthorized",
      `${requester.id} holds a certificate for "${nameToString(held)}" and may not request "${text}"`,
    );
  }
  if (!profile.subjectPattern.test(text)) {
    throw new IssuanceError("badTemplate", `subject "${text}" is not allowed by profile "${profile.name}"`);
  }
  if (requester.boundSubject && profile.bindSubjectToSecret && !req.oldSubject) {
    if (!namesEqual(parseName(requester.boundSubject), subject)) {
      throw new IssuanceError(
        "notAuthorized",
        `${requester.id} may only request subject "${requester.boundSubject}", not "${text}"`,
      );
    }
  }
  return subject;
}

function checkSans(req: IssueRequest): void {
  const p = req.profile;
  const bound = p.bindSubjectToSecret ? req.requester.allowedDnsNames : undefined;
  for (const san of req.subjectAltNames) {
    if (san.dNSName === undefined || !p.sanDnsPattern || !p.sanDnsPattern.test(san.dNSName)) {
      throw new IssuanceError("badTemplate", `subjectAltName entry is not allowed by profile "${p.name}"`);
    }
    if (bound && !bound.some((n) => n.toLowerCase() === san.dNSName!.toLowerCase())) {
      throw new IssuanceError(
        "notAuthorized",
        `${req.requester.id} may not request the subjectAltName ${san.dNSName} (allowed: ${bound.join(", ") || "none"})`,
      );
    }
  }
}

/** RFC 5280 §4.2.1.12: the key usages each extended key usage is consistent with. */
const EKU_KEY_USAGES: Readonly<Record<string, readonly KeyUsageType[]>> = {
  [oids.id_kp_serverAuth]: ["digitalSignature", "keyEncipherment", "keyAgreement"],
  [oids.id_kp_clientAuth]: ["digitalSignature", "keyAgreement"],
  "1.3.6.1.5.5.7.3.3": ["digitalSignature"],
  "1.3.6.1.5.5.7.3.4": ["digitalSignature", "nonRepudiation", "keyEncipherment", "keyAgreement"],
  "1.3.6.1.5.5.7.3.8": ["digitalSignature", "nonRepudiation"],
  "1.3.6.1.5.5.7.3.9": ["digitalSignature", "nonRepudiation"],
  [oids.id_kp_cmcCA]: ["digitalSignature"],
  [oids.id_kp_cmcRA]: ["digitalSignature"],
  [oids.id_kp_cmKGA]: ["digitalSignature"],
};

function checkRequestedKeyUsage(wanted: readonly KeyUsageType[], type: string, p: ProfilePolicy): void {
  if (wanted.length === 0) throw new IssuanceError("badTemplate", "the requested keyUsage has no bit set");
  const possible = new Set(allowedKeyUsages(type));
  for (const u of wanted) {
    // RFC 5280 §4.2.1.9: keyCertSign goes with cA, which end-entity certificates do not carry.
    if (u === "keyCertSign") {
      throw new IssuanceError(
        "badTemplate",
        "keyCertSign is requested, but end-entity certificates are issued",
      );
    }
    if (!possible.has(u)) {
      throw new IssuanceError("badTemplate", `keyUsage ${u} is inconsistent with a ${type} key`);
    }
    // RFC 5280 §4.2.1.3: encipherOnly and decipherOnly qualify keyAgreement.
    if ((u === "encipherOnly" || u === "decipherOnly") && !wanted.includes("keyAgreement")) {
      throw new IssuanceError("badTemplate", `keyUsage ${u} is requested without keyAgreement`);
    }
    if (!p.requestableKeyUsage.includes(u)) {
      throw new IssuanceError("badTemplate", `keyUsage ${u} may not be requested under profile "${p.name}"`);
    }
  }
}

/**
 * The key usages and extended key usages the certificate gets: the requested ones where the key type
 * and the profile allow them, the profile's otherwise; an inconsistent request is refused, never
 * silently replaced.
 */
function grantedUsages(req: IssueRequest): Pick<ProfilePolicy, "keyUsage" | "extendedKeyUsage"> {
  const p = req.profile;
  const r = req.requested ?? {};
  const type = req.publicKey.type;
  if (r.basicConstraints?.ca) {
    throw new IssuanceError(
      "badTemplate",
      "basicConstraints cA is requested, but end-entity certificates are issued",
    );
  }
  if (r.keyUsage) checkRequestedKeyUsage(r.keyUsage, type, p);
  const keyUsage = r.keyUsage ?? p.keyUsage;
  const eku = r.extendedKeyUsage;
  if (eku?.length === 0) throw new IssuanceError("badTemplate", "the requested extendedKeyUsage is empty");
  for (const oid of eku ?? []) {
    if (!p.extendedKeyUsage.includes(oid) && !p.requestableExtendedKeyUsage.includes(oid)) {
      throw new IssuanceError(
        "badTemplate",
        `extendedKeyUsage ${oid} may not be requested under profile "${p.name}"`,
      );
    }
  }
  const extendedKeyUsage = eku ?? p.extendedKeyUsage;
  if (r.keyUsage || eku) {
    // RFC 5280 §4.2.1.12: a requested combination must leave each purpose a usable key usage.
    const issued = keyUsagesFor(type, keyUsage);
    for (const oid of extendedKeyUsage) {
      const fits = EKU_KEY_USAGES[oid];
      if (fits && !fits.some((u) => issued.includes(u))) {
        throw new IssuanceError(
          "badTemplate",
          `extendedKeyUsage ${oid} is inconsistent with keyUsage ${issued.join(", ")} of a ${type} key`,
        );
      }
    }
  }
  return { keyUsage, extendedKeyUsage };
}

/** The subjectPublicKey BIT STRING's bytes of a DER SubjectPublicKeyInfo (RFC 5280 §4.1), for the key identifier. */
function subjectPublicKeyBits(spki: Uint8Array): Uint8Array | ArrayBuffer {
  try {
    const r = DerReader.of(new DerReader(spki).read());
    r.expect(0x30, "AlgorithmIdentifier");
    return r.expect(0x03, "subjectPublicKey").content.subarray(1);
  } catch {
    return AsnParser.parse(spki, SubjectPublicKeyInfo).subjectPublicKey;
  }
}

export class Issuer {
  constructor(private readonly ca: { cert: CertEntry; key: PrivateKey }) {}

  get issuerName(): string {
    return nameToString(this.ca.cert.cert.tbsCertificate.subject);
  }

  /** Checks the request against the profile and signs a certificate (serial: 127 random bits). */
  prepare(req: IssueRequest, now: Date): PreparedCertificate {
    const subject = checkSubject(req);
    checkKeyType(req.publicKey, req.profile);
    checkSans(req);
    const profile = { ...req.profile, ...grantedUsages(req) };
    const notBefore = new Date(now.getTime() - 60_000);
    let notAfter = new Date(now.getTime() + profile.validityMs);
    if (req.notAfter && req.notAfter < notAfter && req.notAfter > now) notAfter = req.notAfter;
    const caNotAfter = this.ca.cert.cert.tbsCertificate.validity.notAfter.getTime();
    if (notAfter > caNotAfter) notAfter = caNotAfter;
    const spkiBits = subjectPublicKeyBits(req.publicKey.spki);
    const extensions = [
      basicConstraintsExt(false),
      // RFC 5280 §4.2.1.3 / RFC 9935: only the usages the key type allows (ML-KEM: keyEncipherment).
      keyUsageExt(keyUsagesFor(req.publicKey.type, profile.keyUsage)),
      subjectKeyIdentifierExt(keyIdentifier(spkiBits)),
    ];
    const caSki = getSubjectKeyIdentifier(this.ca.cert.cert);
    if (caSki) extensions.push(authorityKeyIdentifierExt(caSki));
    if (profile.extendedKeyUsage.length > 0) extensions.push(extKeyUsageExt(profile.extendedKeyUsage));
    if (req.subjectAltNames.length > 0)
      extensions.push(subjectAltNameExt([...req.subjectAltNames], subject.length === 0));
    const serial = randomSerial();
    if (profile.crlDistributionPoints.length > 0) {
      // The shard of a partitioned CRL follows from the serial (RFC 5280 §5.2.5).
      const hex = Buffer.from(serial).toString("hex");
      extensions.push(
        crlDistributionPointsExt(
          distributionPointsFor(profile.crlDistributionPoints, hex, profile.crlShards ?? 1),
        ),
      );
    }
    if (profile.caIssuers?.length || profile.ocspUrls?.length) {
      extensions.push(authorityInfoAccessExt({ caIssuers: profile.caIssuers, ocsp: profile.ocspUrls }));
    }
    const der = buildCertificate({
      serial,
      issuer: this.ca.cert.cert.tbsCertificate.subject,
      subject,
      notBefore,
      notAfter,
      subjectPublicKeyInfo: req.publicKey.spki,
      extensions,
      issuerKey: this.ca.key,
    });
    return {
      der,
      serial: Buffer.from(serial).toString("hex"),
      subject: nameToString(subject),
      notBefore,
      notAfter,
      // One hash per key whatever its encoding (RFC 9483 §4.1: the key-reuse check).
      spkiHash: spkiHash(keyIdentityDer(req.publicKey)),
    };
  }

  /** The store record of a prepared certificate. */
  record(
    c: PreparedCertificate,
    meta: {
      status: CertificateRecord["status"];
      profile: string;
      requester: string;
      /** The RA that forwarded the request (RFC 9483 §5.2). */
      forwardedBy?: string;
      transactionId?: string;
      now: Date;
    },
  ): CertificateRecord {
    return {
      serial: c.serial,
      issuer: this.issuerName,
      subject: c.subject,
      der: c.der,
      notBefore: c.notBefore,
      notAfter: c.notAfter,
      status: meta.status,
      profile: meta.profile,
      requester: meta.requester,
      transactionId: meta.transactionId,
      createdAt: meta.now,
      spkiHash: c.spkiHash,
      forwardedBy: meta.forwardedBy,
    };
  }

  /**
   * Prepares and stores a certificate, drawing a new serial when one is taken (a front end without its
   * own unit of work, e.g. EST, calls this).
   */
  async issue(
    req: IssueRequest,
    store: { insertCertificate(r: CertificateRecord): Promise<void> },
    meta: { status: CertificateRecord["status"]; transactionId?: string; now: Date },
  ): Promise<PreparedCertificate> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const c = this.prepare(req, meta.now);
      try {
        await store.insertCertificate(
          this.record(c, { ...meta, profile: req.profile.name, requester: req.requester.id }),
        );
        return c;
      } catch (e) {
        if (!(e instanceof Error && e.name === "DuplicateSerialError")) throw e;
      }
    }
    throw new Error("could not allocate a unique serial number");
  }
}
