// Public entry of the OCSP responder role (`lwcmp/ocsp`): pre-produced responses (RFC 9919) answered
// by lookup, with the store types a responder reads and writes.
export {
  OcspResponder,
  ocspStatusOf,
  responseCurrent,
  responseEtag,
  type OcspAnswer,
  type OcspPolicy,
  type OcspResponderOptions,
} from "./responder.js";
export type { CertIdHash } from "../pki/ocsp.js";
export type { OcspCertStatus, OcspResponseRecord, OcspStore, OcspSubject } from "../store/store.js";
