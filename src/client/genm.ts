// General messages of RFC 9483 §4.3: the request InfoTypeAndValues and the reading of each genp answer.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate, GeneralName, Time, type CertificateList, type Name } from "@peculiar/asn1-x509";
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

/** RFC 9483 §4.3.4: crlStatusList naming the issuer (and the CRL we hold), or empty for what the server offers. */
export function crlStatusListItav(issuer?: string | Name, thisUpdate?: Date): InfoTypeAndValue {
  const status = new CRLStatus({
    source: new CRLSource({
      issuer: issuer
        ? new GeneralNameList([
            new GeneralName({ directoryName: typeof issuer === "string" ? parseName(issuer) : issuer }),
          ])
        : undefined,
    }),
    thisUpdate: thisUpdate ? new Time({ generalTime: thisUpdate }) : undefined,
  });
  const value = issuer ? AsnSerializer.serialize(new CRLStatusListValue([status])) : undefined;
  return new InfoTypeAndValue({ infoType: oids.id_it_crlStatusList, infoValue: value });
}

export function readCrls(itav: InfoTypeAndValue | undefined): Uint8Array[] {
  if (!itav?.infoValue) return [];
  return AsnParser.parse(itav.infoValue, CertificateLists).map((c: CertificateList) => der(c));
}
