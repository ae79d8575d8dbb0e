// Which answer a failure gets (RFC 9483 §3.6.4): request-specific failures of a certificate request
// are a rejected ip / cp / kup, failures of a revocation a rejected rp; everything else an error message.
import type { PKIBody, PKIBodyType } from "../../asn1/cmp.js";
import { PKIStatus } from "../../asn1/cmp.js";
import { certRepBody, rejectedCertResponse, rpBody, type CertRequestBodyType } from "../build/response.js";
import type { CmpError } from "../errors.js";
import type { FailInfo } from "../failinfo.js";
import type { DecodedMessage } from "../message.js";
import { statusInfo } from "../status.js";

/** Failures that concern one certificate request rather than the message as a whole. */
const REQUEST_SPECIFIC: ReadonlySet<FailInfo> = new Set([
  "badAlg",
  "badPOP",
  "badCertTemplate",
  "badCertId",
  "notAuthorized",
  "badRequest",
  "unacceptedExtension",
  "duplicateCertReq",
]);

export function isCertRequest(t: PKIBodyType): t is CertRequestBodyType {
  return t === "ir" || t === "cr" || t === "kur" || t === "p10cr";
}

/** certReqId of the (single) request in a certificate request message; -1 for p10cr (RFC 9483 §4.1.4). */
export function requestCertReqId(d: DecodedMessage): number {
  if (d.bodyType === "p10cr") return -1;
  const t = d.bodyType as "ir" | "cr" | "kur";
  return d.message.body[t]?.[0]?.certReq.certReqId ?? 0;
}

/** The body that reports `e` for request `d` when it is not an error message; undefined otherwise. */
export function rejectionBody(d: DecodedMessage, e: CmpError): PKIBody | undefined {
  if (isCertRequest(d.bodyType) && e.failInfo.every((f) => REQUEST_SPECIFIC.has(f))) {
    return certRepBody(d.bodyType, [rejectedCertResponse(requestCertReqId(d), e)]);
  }
  // RFC 9483 §4.2: revocation failures are reported in the rp status.
  if (d.bodyType === "rr") {
    return rpBody(statusInfo(PKIStatus.rejection, { text: e.statusString, failInfo: e.failInfo }));
  }
  return undefined;
}
