// Protocol-neutral issuance: a requested template, the requester and a profile become a signed
// certificate with a unique serial (RFC 5280 §4.1.2.2, §4.2 extensions). No CMP types here, so CMP,
// EST or CMC front ends can share it.
import { AsnParser } from "@peculiar/asn1-schema";
import { type GeneralName, type Name, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import * as oids from "../asn1/oids.js";
import { keyUsagesFor, minimumKeyBits, type PrivateKey, type PublicKey } from "../crypto/index.js";
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

export interface IssueRequest {
  /** Subject from the template or CSR; undefined to keep `oldSubject` (key update). */
  subject?: Name;
  /** Subject of the certificate being replaced (key update): the new one must keep it. */
  oldSubject?: Name;
  publicKey: PublicKey;
  subjectAltNames: readonly GeneralName[];
  notAfter?: Date;
  profile: ProfilePolicy;
  /** Who asks; `boundSubject` is the only subject a shared-secret holder may request, when bound. */
  requester: { id: string; boundSubject?: string };
}

export interface PreparedCertificate {
  der: Uint8Array;
  serial: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

export function checkKeyType(key: PublicKey, profile: ProfilePolicy): void {
  const allowed = profile.allowedKeyTypes;
  if (allowed.length === 0) return;
  const ok = allowed.some((a) => a === key.type || (a.endsWith("*") && key.type.startsWith(a.slice(0, -1))));
  if (!ok) {
    throw new IssuanceError(
      "badTemplate",
      `key type ${key.type} is not allowed by profile "${profile.name}" (allowed: ${allowed.join(", ")})`,
    );
  }
  const min = minimumKeyBits(key.type);
  const bits = key.native?.asymmetricKeyDetails?.modulusLength;
  if (min !== undefined && bits !== undefined && bits < min) {
    throw new IssuanceError("badTemplate", `${key.type} keys need at least ${min} bits, not ${bits}`);
  }
}

function checkSubject(req: IssueRequest): Name {
  const { profile, requester } = req;
  const subject = req.subject && req.subject.length > 0 ? req.subject : req.oldSubject;
  if (!subject || subject.length === 0)
    throw new IssuanceError("badTemplate", "the request names no subject");
  const text = nameToString(subject);
  if (req.oldSubject && !namesEqual(subject, req.oldSubject)) {
    throw new IssuanceError(
      "badTemplate",
      `a key update keeps the subject "${nameToString(req.oldSubject)}"; "${text}" was requested`,
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
  for (const san of req.subjectAltNames) {
    if (san.dNSName === undefined || !p.sanDnsPattern || !p.sanDnsPattern.test(san.dNSName)) {
      throw new IssuanceError("badTemplate", `subjectAltName entry is not allowed by profile "${p.name}"`);
    }
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
    const profile = req.profile;
    const notBefore = new Date(now.getTime() - 60_000);
    let notAfter = new Date(now.getTime() + profile.validityMs);
    if (req.notAfter && req.notAfter < notAfter && req.notAfter > now) notAfter = req.notAfter;
    const caNotAfter = this.ca.cert.cert.tbsCertificate.validity.notAfter.getTime();
    if (notAfter > caNotAfter) notAfter = caNotAfter;
    const spkiBits = AsnParser.parse(req.publicKey.spki, SubjectPublicKeyInfo).subjectPublicKey;
    const extensions = [
      basicConstraintsExt(false),
      // RFC 5280 §4.2.1.3 / RFC 9935: only the usages the key type allows (ML-KEM: keyEncipherment).
      keyUsageExt(keyUsagesFor(req.publicKey.type, profile.keyUsage)),
      subjectKeyIdentifierExt(keyIdentifier(spkiBits)),
    ];
    const caSki = getSubjectKeyIdentifier(this.ca.cert.cert);
    if (caSki) extensions.push(authorityKeyIdentifierExt(caSki));
    if (profile.extendedKeyUsage.length > 0) extensions.push(extKeyUsageExt(profile.extendedKeyUsage));
    if (req.subjectAltNames.length > 0) extensions.push(subjectAltNameExt([...req.subjectAltNames]));
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
    if (profile.caIssuers?.length) extensions.push(authorityInfoAccessExt(profile.caIssuers));
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
    };
  }

  /** The store record of a prepared certificate. */
  record(
    c: PreparedCertificate,
    meta: {
      status: CertificateRecord["status"];
      profile: string;
      requester: string;
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
