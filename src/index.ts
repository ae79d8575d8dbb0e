// Main entry of lwcmp (`lwcmp`): the pieces most users need. Each layer has its own subpath
// (lwcmp/client, lwcmp/ca, lwcmp/cmp, lwcmp/asn1, lwcmp/crypto, lwcmp/pki, lwcmp/store) with the rest.
export {
  CmpClient,
  CmpClientError,
  type ClientCredential,
  type CmpClientOptions,
  type EnrollRequest,
  type EnrollResult,
} from "./client/index.js";
export { CertificateAuthority, type CaLogEvent, type CertificateAuthorityOptions } from "./ca/index.js";
export {
  exportPkcs8,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKeyPem,
  importPrivateKeyPkcs8,
  importPublicKeyPem,
  importPublicKeySpki,
  type KeyType,
  type PrivateKey,
  type PublicKey,
} from "./crypto/index.js";
export {
  CmpError,
  decodePKIMessage,
  describeMessage,
  type DecodedMessage,
  type MessageDescription,
} from "./cmp/index.js";
