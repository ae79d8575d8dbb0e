// Issuance policy: checks a requested template against the certificate profile and builds the
// certificate (RFC 9483 §4.1, RFC 5280 §4.2 extensions, serials of 127 random bits).
import { AsnParser } from "@peculiar/asn1-schema";
import {
  GeneralName,
  id_ce_subjectAltName,
  Name,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import type { CertTemplate } from "../asn1/crmf.js";
import * as oids from "../asn1/oids.js";
import type { PublicKey } from "../crypto/index.js";
import { CmpError } from "../cmp/errors.js";
import type { Profile } from "../config/schema.js";
import type { CaMaterials } from "../config/materials.js";
import { buildCertificate, randomSerial } from "../pki/build.js";
import {
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
import type { Requester } from "./requester.js";

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

export interface IssueInput {
  /** Subject from the template or CSR; undefined to take it from `oldSubject` (kur). */
  subject?: Name;
  /** Subject of the certificate being updated (kur) — the new one must keep it. */
  oldSubject?: Name;
  publicKey: PublicKey;
  /** Requested SAN entries (template or CSR extension). */
  requestedSans: GeneralName[];
  requestedNotAfter?: Date;
  profileName: string;
  profile: Profile;
  requester: Requester;
}

export interface IssuedCertificate {
  der: Uint8Array;
  serial: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
}

function fullMatch(pattern: string, text: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(text);
}

/** The ML-KEM X.509 profile (RFC 9935) allows keyEncipherment only. */
function keyUsageFor(key: PublicKey, profile: Profile): KeyUsageType[] {
  if (key.type.startsWith("ml-kem") || key.type.startsWith("composite:mlkem")) return ["keyEncipherment"];
  if (key.type === "x25519" || key.type === "x448") return ["keyAgreement"];
  return profile.keyUsage;
}

export function checkKeyType(key: PublicKey, profile: Profile, profileName: string): void {
  const allowed = profile.allowedKeyTypes;
  if (allowed.length === 0) return;
  const ok = allowed.some((a) => a === key.type || (a.endsWith("*") && key.type.startsWith(a.slice(0, -1))));
  if (!ok) {
    throw new CmpError(
      "badCertTemplate",
      `key type ${key.type} is not allowed by profile "${profileName}" (allowed: ${allowed.join(", ")})`,
    );
  }
  if (key.type === "rsa") {
    const bits = key.native?.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) throw new CmpError("badCertTemplate", `RSA keys need at least 2048 bits, not ${bits}`);
  }
}

/** SAN entries requested in a CRMF template's extensions. */
export function templateSans(t: CertTemplate): GeneralName[] {
  const ext = t.extensions?.find((e) => e.extnID === id_ce_subjectAltName);
  if (!ext) return [];
  try {
    return [...AsnParser.parse(ext.extnValue.buffer, SubjectAlternativeName)];
  } catch {
    throw new CmpError("badCertTemplate", "the subjectAltName extension in the template is malformed");
  }
}

export function issueCertificate(ca: CaMaterials, input: IssueInput, now = new Date()): IssuedCertificate {
  const { profile, profileName, requester } = input;
  const subject = input.subject && input.subject.length > 0 ? input.subject : input.oldSubject;
  if (!subject || subject.length === 0) {
    throw new CmpError("badCertTemplate", "the request names no subject");
  }
  const subjectText = nameToString(subject);
  if (input.oldSubject && !namesEqual(subject, input.oldSubject)) {
    throw new CmpError(
      "badCertTemplate",
      `a key update keeps the subject "${nameToString(input.oldSubject)}"; "${subjectText}" was requested`,
    );
  }
  if (!fullMatch(profile.subjectPattern, subjectText)) {
    throw new CmpError(
      "badCertTemplate",
      `subject "${subjectText}" is not allowed by profile "${profileName}"`,
    );
  }
  if (
    requester.kind === "mac" &&
    requester.secret.subject &&
    profile.bindSubjectToSecret &&
    !input.oldSubject
  ) {
    if (!namesEqual(parseName(requester.secret.subject), subject)) {
      throw new CmpError(
        "notAuthorized",
        `shared secret "${requester.secret.kid}" may only request subject "${requester.secret.subject}", not "${subjectText}"`,
      );
    }
  }
  checkKeyType(input.publicKey, profile, profileName);
  for (const san of input.requestedSans) {
    if (
      san.dNSName === undefined ||
      !profile.sanDnsPattern ||
      !fullMatch(profile.sanDnsPattern, san.dNSName)
    ) {
      throw new CmpError(
        "badCertTemplate",
        `subjectAltName entry is not allowed by profile "${profileName}"`,
      );
    }
  }
  const notBefore = new Date(now.getTime() - 60_000);
  let notAfter = new Date(now.getTime() + profile.validity);
  if (input.requestedNotAfter && input.requestedNotAfter < notAfter && input.requestedNotAfter > now) {
    notAfter = input.requestedNotAfter;
  }
  const caNotAfter = ca.caCert.cert.tbsCertificate.validity.notAfter.getTime();
  if (notAfter > caNotAfter) notAfter = caNotAfter;

  const spkiBitString = AsnParser.parse(input.publicKey.spki, SubjectPublicKeyInfo).subjectPublicKey;
  const extensions = [
    basicConstraintsExt(false),
    keyUsageExt(keyUsageFor(input.publicKey, profile)),
    subjectKeyIdentifierExt(keyIdentifier(spkiBitString)),
  ];
  const caSki = getSubjectKeyIdentifier(ca.caCert.cert);
  if (caSki) extensions.push(authorityKeyIdentifierExt(caSki));
  if (profile.extendedKeyUsage.length > 0) {
    extensions.push(extKeyUsageExt(profile.extendedKeyUsage.map((n) => EKU_NAMES[n] ?? n)));
  }
  if (input.requestedSans.length > 0) extensions.push(subjectAltNameExt(input.requestedSans));
  if (profile.crlDistributionPoints.length > 0)
    extensions.push(crlDistributionPointsExt(profile.crlDistributionPoints));

  const serial = randomSerial();
  const der = buildCertificate({
    serial,
    issuer: ca.caCert.cert.tbsCertificate.subject,
    subject,
    notBefore,
    notAfter,
    subjectPublicKeyInfo: input.publicKey.spki,
    extensions,
    issuerKey: ca.caKey,
  });
  return { der, serial: Buffer.from(serial).toString("hex"), subject: subjectText, notBefore, notAfter };
}
