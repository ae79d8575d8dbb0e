// PKIBody builders for the answers a CA or RA sends (RFC 9483 §4, RFC 9810 §5.3): ip / cp / kup,
// rp, genp, pollRep, pkiConf and error.
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import {
  CertIds,
  CertOrEncCert,
  CertRepMessage,
  CertResponse,
  CertifiedKeyPair,
  CMPCertificates,
  ErrorMsgContent,
  type InfoTypeAndValue,
  InfoTypeAndValues,
  PKIBody,
  PKIFreeText,
  PKIStatus,
  PKIStatusInfos,
  PollRepContent,
  PollRepEntry,
  RevRepContent,
  type PKIStatusInfo,
} from "../../asn1/cmp.js";
import type { CertId, EncryptedKey } from "../../asn1/crmf.js";
import type { CmpError } from "../errors.js";
import { statusInfo } from "../status.js";
import { noteReceived } from "../../asn1/der/received.js";

export type CertRequestBodyType = "ir" | "cr" | "kur" | "p10cr";
export type CertResponseBodyType = "ip" | "cp" | "kup";

/** RFC 9483 §4.1: ir -> ip, cr and p10cr -> cp, kur -> kup. */
export function responseTypeFor(t: CertRequestBodyType): CertResponseBodyType {
  return t === "ir" ? "ip" : t === "kur" ? "kup" : "cp";
}

export interface IssuedContent {
  /** The certificate in clear, or EnvelopedData to the new key (indirect POP, RFC 9810 §5.2.8.3). */
  certificate: { der: Uint8Array } | { encrypted: EncryptedKey };
  /** Central key generation (RFC 9483 §4.1.6): the key for the EE. */
  privateKey?: EncryptedKey;
}

/** The part of asn1js's writer the serialiser hands to a constructed element's children. */
interface BerWriter {
  write(buf: ArrayBuffer): void;
}

/**
 * A Certificate that serialises as `der` unchanged (no parse and re-encode of what was just
 * signed) and parses its fields only when one is read. Its fields are read-only.
 */
export function embeddedCertificate(der: Uint8Array): Certificate {
  let parsed: Certificate | undefined;
  const fields = (): Certificate => (parsed ??= AsnParser.parse(der, Certificate));
  const bytes = der.slice().buffer;
  const encoded = {
    toBER(_sizeOnly?: boolean, writer?: BerWriter): ArrayBuffer {
      if (!writer) return bytes;
      writer.write(bytes);
      return new ArrayBuffer(0);
    },
  };
  const cert: Certificate = Object.create(Certificate.prototype);
  // The DER writer of the answer body embeds these bytes as well (src/asn1/der/cert-rep-writer.ts).
  noteReceived(cert, der, true);
  Object.defineProperties(cert, {
    tbsCertificate: { enumerable: true, get: () => fields().tbsCertificate },
    signatureAlgorithm: { enumerable: true, get: () => fields().signatureAlgorithm },
    signatureValue: { enumerable: true, get: () => fields().signatureValue },
    // @peculiar/asn1-schema serialises objects with toASN/fromASN through them.
    toASN: { value: () => encoded },
    fromASN: { value: () => fields() },
  });
  return cert;
}

export function certResponse(certReqId: number, status: PKIStatusInfo, issued?: IssuedContent): CertResponse {
  const r = new CertResponse({ certReqId, status });
  if (issued) {
    const c = issued.certificate;
    r.certifiedKeyPair = new CertifiedKeyPair({
      certOrEncCert:
        "der" in c
          ? new CertOrEncCert({ certificate: embeddedCertificate(c.der) })
          : new CertOrEncCert({ encryptedCert: c.encrypted }),
      privateKey: issued.privateKey,
    });
  }
  return r;
}

/** A rejected certificate response (RFC 9483 §3.6.4): request-specific failures. */
export function rejectedCertResponse(certReqId: number, e: CmpError): CertResponse {
  return new CertResponse({
    certReqId,
    status: statusInfo(PKIStatus.rejection, { text: e.statusString, failInfo: e.failInfo }),
  });
}

export function certRepBody(
  requestType: CertRequestBodyType,
  responses: CertResponse[],
  caPubs?: readonly Uint8Array[],
): PKIBody {
  const rep = new CertRepMessage({ response: responses });
  if (caPubs?.length) rep.caPubs = new CMPCertificates(caPubs.map(embeddedCertificate));
  return new PKIBody({ [responseTypeFor(requestType)]: rep });
}

export function rpBody(status: PKIStatusInfo, revCerts?: CertId[]): PKIBody {
  return new PKIBody({
    rp: new RevRepContent({
      status: new PKIStatusInfos([status]),
      revCerts: revCerts ? new CertIds(revCerts) : undefined,
    }),
  });
}

export function genpBody(itavs: InfoTypeAndValue[]): PKIBody {
  return new PKIBody({ genp: new InfoTypeAndValues(itavs) });
}

/** RFC 9483 §4.4: pollRep with the time to wait, in seconds, and a reason for the user. */
export function pollRepBody(certReqId: number, checkAfterSeconds: number, reason?: string): PKIBody {
  return new PKIBody({
    pollRep: new PollRepContent([
      new PollRepEntry({
        certReqId,
        checkAfter: checkAfterSeconds,
        reason: reason ? new PKIFreeText([reason]) : undefined,
      }),
    ]),
  });
}

export function pkiConfBody(): PKIBody {
  return new PKIBody({ pkiconf: null });
}

/** RFC 9483 §3.6.4: an error message with status rejection, failInfo and the reason in plain words. */
export function errorBody(e: Pick<CmpError, "failInfo" | "statusString">): PKIBody {
  return new PKIBody({
    error: new ErrorMsgContent({
      pKIStatusInfo: statusInfo(PKIStatus.rejection, { text: e.statusString, failInfo: e.failInfo }),
    }),
  });
}
