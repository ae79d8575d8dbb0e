// PKIBody builders for the messages an end entity or an RA sends (RFC 9483 §4, RFC 9810 §5.3):
// ir / cr / kur / p10cr, rr, genm, certConf, pollReq, nested and error.
import { AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  type Certificate,
  CRLReason,
  Extension,
  id_ce_cRLReasons,
} from "@peculiar/asn1-x509";
import type { CertificationRequest } from "@peculiar/asn1-csr";
import {
  CertConfirmContent,
  CertStatus,
  type InfoTypeAndValue,
  InfoTypeAndValues,
  PKIBody,
  PKIStatus,
  PollReqContent,
  PollReqEntry,
  RevDetails,
  RevReqContent,
} from "../../asn1/cmp.js";
import { CertTemplate, type CertReqMessages } from "../../asn1/crmf.js";
import { certHashAlgorithm, computeCertHash } from "../certhash.js";
import { encodeNestedContent } from "../message.js";
import { statusInfo } from "../status.js";
import type { FailInfo } from "../failinfo.js";

export type CertRequestType = "ir" | "cr" | "kur";

export function certRequestBody(type: CertRequestType, messages: CertReqMessages): PKIBody {
  return new PKIBody({ [type]: messages });
}

export function p10crBody(csr: CertificationRequest): PKIBody {
  return new PKIBody({ p10cr: csr });
}

/** RFC 9483 §4.2: one RevDetails naming issuer and serialNumber, with the CRLReason. */
export function rrBody(cert: Certificate, reason: number): PKIBody {
  const details = new RevDetails({
    certDetails: new CertTemplate({
      issuer: cert.tbsCertificate.issuer,
      serialNumber: cert.tbsCertificate.serialNumber,
    }),
    crlEntryDetails: [
      new Extension({
        extnID: id_ce_cRLReasons,
        critical: false,
        extnValue: new OctetString(AsnSerializer.serialize(new CRLReason(reason))),
      }),
    ],
  });
  return new PKIBody({ rr: new RevReqContent([details]) });
}

export function genmBody(itavs: InfoTypeAndValue[]): PKIBody {
  return new PKIBody({ genm: new InfoTypeAndValues(itavs) });
}

export interface CertConfInput {
  /** DER of the certificate being confirmed. */
  certificate: Uint8Array;
  parsed: Certificate;
  certReqId: number;
  /** Reject the certificate with this reason (RFC 9483 §4.1.1). */
  rejection?: { text: string; failInfo: FailInfo[] };
}

/**
 * RFC 9810 §5.3.18: certConf with certHash; hashAlg (which needs pvno 3) when the certificate's
 * signature algorithm implies no hash. Returns the body and whether pvno 3 is needed.
 */
export function certConfBody(c: CertConfInput): { body: PKIBody; needsCmp2021: boolean } {
  const choice = certHashAlgorithm(c.parsed);
  const st = new CertStatus({
    certHash: computeCertHash(c.certificate, choice.alg).slice().buffer,
    certReqId: c.certReqId,
    statusInfo: c.rejection
      ? statusInfo(PKIStatus.rejection, { text: c.rejection.text, failInfo: c.rejection.failInfo })
      : undefined,
    hashAlg: choice.explicit ? new AlgorithmIdentifier({ algorithm: choice.alg.algorithm }) : undefined,
  });
  return { body: new PKIBody({ certConf: new CertConfirmContent([st]) }), needsCmp2021: choice.explicit };
}

/** RFC 9483 §4.4: pollReq for the request with certReqId (-1 for p10cr and non-certificate messages). */
export function pollReqBody(certReqId: number): PKIBody {
  return new PKIBody({ pollReq: new PollReqContent([new PollReqEntry({ certReqId })]) });
}

/** RFC 9483 §5.2.2: a nested body carrying already encoded (and protected) PKIMessages. */
export function nestedBody(messages: readonly Uint8Array[]): PKIBody {
  return new PKIBody({ nested: encodeNestedContent(messages) });
}
