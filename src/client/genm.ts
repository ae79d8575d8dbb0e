// General messages of RFC 9483 §4.3: the request InfoTypeAndValues and the reading of each genp answer.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import {
  Certificate,
  CRLDistributionPoints,
  GeneralName,
  id_ce_cRLDistributionPoints,
  Time,
  type CertificateList,
  type Name,
} from "@peculiar/asn1-x509";
import { CertificateLists, CMPCertificates, InfoTypeAndValue, RootCaKeyUpdateContent } from "../asn1/cmp.js";
import {
  CertReqTemplateContent,
  CRLSource,
  CRLStatus,
  CRLStatusListValue,
  GeneralNameList,
} from "../asn1/itav.js";
import * as oids from "../asn1/oids.js";
import { CmpClientError } from "../cmp/client/errors.js";
import type { ClientCredential } from "../cmp/client/types.js";
import { findExtension } from "../pki/extensions.js";
import { parseName } from "../pki/names.js";
import { certEntry, validatePath } from "../pki/path.js";

export interface RootUpdate {
  newWithNew: Uint8Array;
  newWithOld?: Uint8Array;
  oldWithNew?: Uint8Array;
}

const der = (x: unknown) => new Uint8Array(AsnSerializer.serialize(x));

/** RFC 9483 §4.3.1: the CA certificates of a caCerts answer. */
export function readCaCerts(itav: InfoTypeAndValue | undefined): Uint8Array[] {
  if (!itav?.infoValue) return [];
  return AsnParser.parse(itav.infoValue, CMPCertificates).map((c) => der(c));
}

/** RFC 9483 §4.3.2: rootCaCert naming the root the EE trusts now (absent when it trusts none). */
export function rootCaCertItav(oldRoot?: Uint8Array): InfoTypeAndValue {
  const value = oldRoot ? AsnSerializer.serialize(AsnParser.parse(oldRoot, Certificate)) : undefined;
  return new InfoTypeAndValue({ infoType: oids.id_it_rootCaCert, infoValue: value });
}

/** RFC 9483 §4.3.2: the rootCaKeyUpdate answer; newWithOld must chain to the old root the EE trusts. */
export async function readRootUpdate(
  itav: InfoTypeAndValue | undefined,
  oldRoot: Uint8Array | undefined,
  now: Date,
): Promise<RootUpdate | undefined> {
  if (!itav || itav.infoType !== oids.id_it_rootCaKeyUpdate) {
    throw new CmpClientError("the genp does not answer with rootCaKeyUpdate");
  }
  if (!itav.infoValue) return undefined;
  const u = AsnParser.parse(itav.infoValue, RootCaKeyUpdateContent);
  const result: RootUpdate = {
    newWithNew: der(u.newWithNew),
    newWithOld: u.newWithOld && der(u.newWithOld),
    oldWithNew: u.oldWithNew && der(u.oldWithNew),
  };
  if (oldRoot && result.newWithOld) {
    try {
      await validatePath(certEntry(result.newWithOld), { anchors: [certEntry(oldRoot)], time: now });
    } catch (e) {
      throw new CmpClientError(
        `the new root's newWithOld certificate does not verify with the old root: ${(e as Error).message}`,
      );
    }
  }
  return result;
}

/** RFC 9483 §4.3.3: the certificate request template, absent when the profile has none. */
export function readCertReqTemplate(itav: InfoTypeAndValue | undefined): CertReqTemplateContent | undefined {
  return itav?.infoValue ? AsnParser.parse(itav.infoValue, CertReqTemplateContent) : undefined;
}

/** What the client knows that can name a CRL issuer when the caller names none (RFC 9483 §4.3.4). */
export interface CrlIssuerHints {
  /** The client's own protection credential: the issuer of a signature or KEM certificate. */
  credential?: ClientCredential;
  /** The recipient name the client addresses (the CA). */
  recipient?: string | Name;
  /** A certificate whose CRL is wanted: its CRL distribution point, else its issuer. */
  oldCertificate?: Uint8Array;
}

const directory = (n: string | Name) =>
  new GeneralName({ directoryName: typeof n === "string" ? parseName(n) : n });
const byIssuer = (n: string | Name) => new CRLSource({ issuer: new GeneralNameList([directory(n)]) });
const isNullDn = (n: string | Name) => (typeof n === "string" ? parseName(n) : n).length === 0;

/** No CRL issuer was given and none is known to the client. */
export class CrlIssuerUnknownError extends CmpClientError {}

/** The CRL distribution point of a certificate (its first named one), else its issuer. */
function certificateSource(der0: Uint8Array): CRLSource {
  const cert = AsnParser.parse(der0, Certificate);
  const ext = findExtension(cert, id_ce_cRLDistributionPoints);
  const dps = ext ? [...AsnParser.parse(ext.extnValue.buffer, CRLDistributionPoints)] : [];
  const dp = dps.find((d) => d.distributionPoint);
  if (dp?.distributionPoint) return new CRLSource({ dpn: dp.distributionPoint });
  const crlIssuer = dps.find((d) => d.cRLIssuer?.length)?.cRLIssuer;
  if (crlIssuer) return new CRLSource({ issuer: new GeneralNameList([...crlIssuer]) });
  return byIssuer(cert.tbsCertificate.issuer);
}

/**
 * RFC 9483 §4.3.4: the CRLSource a crlStatusList names: the given issuer, else the issuer of the
 * client's protection certificate, else the recipient, else the old certificate's distribution point.
 */
export function crlSourceFor(issuer: string | Name | undefined, hints: CrlIssuerHints = {}): CRLSource {
  if (issuer !== undefined && !isNullDn(issuer)) return byIssuer(issuer);
  const c = hints.credential;
  if (c && c.kind !== "mac")
    return byIssuer(AsnParser.parse(c.certificate, Certificate).tbsCertificate.issuer);
  if (hints.recipient !== undefined && !isNullDn(hints.recipient)) return byIssuer(hints.recipient);
  if (hints.oldCertificate) return certificateSource(hints.oldCertificate);
  throw new CrlIssuerUnknownError("crlStatusList needs the CRL issuer (RFC 9483 §4.3.4) and none is known");
}

/** RFC 9483 §4.3.4: crlStatusList with one CRLStatus (the source, and the thisUpdate of the CRL held). */
export function crlStatusListItav(source: CRLSource, thisUpdate?: Date): InfoTypeAndValue {
  const status = new CRLStatus({
    source,
    thisUpdate: thisUpdate ? new Time({ generalTime: thisUpdate }) : undefined,
  });
  return new InfoTypeAndValue({
    infoType: oids.id_it_crlStatusList,
    infoValue: AsnSerializer.serialize(new CRLStatusListValue([status])),
  });
}

/** RFC 9483 §4.3.4: the genp answers with id-it-crls, without a value when the client's CRLs are current. */
export function readCrls(itav: InfoTypeAndValue | undefined): Uint8Array[] {
  if (itav && itav.infoType !== oids.id_it_crls) {
    const name = oids.infoTypeNames[itav.infoType] ?? itav.infoType;
    throw new CmpClientError(`the genp does not answer with crls but with ${name}`);
  }
  if (!itav?.infoValue) return [];
  return AsnParser.parse(itav.infoValue, CertificateLists).map((c: CertificateList) => der(c));
}
