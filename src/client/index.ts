// Public entry of the end-entity client (`lwcmp/client`): CmpClient, one call per RFC 9483 §4 operation.
export {
  CmpClient,
  CmpClientError,
  type ClientCredential,
  type CmpClientOptions,
  type EnrollRequest,
  type EnrollResult,
} from "./client.js";
export { collectCrls, fetchCrl, type CrlCheckOptions } from "./crl-check.js";
export {
  checkOcsp,
  OcspCheckError,
  postOcspRequest,
  type OcspCheckOptions,
  type OcspFetch,
} from "./ocsp-check.js";
export { CrlIssuerUnknownError, type CrlIssuerHints } from "./genm.js";
