// The OCSP responder role: pre-produced responses (RFC 9919) answered by lookup.
export {
  OcspResponder,
  ocspStatusOf,
  responseCurrent,
  responseEtag,
  type OcspAnswer,
  type OcspPolicy,
  type OcspResponderOptions,
} from "./responder.js";
