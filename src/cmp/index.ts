// Public entry of the cmp layer (`lwcmp/cmp`): PKIMessage codec, headers, protection (RFC 9810 §5.1.3),
// proof-of-possession, PKIStatusInfo / PKIFailureInfo and the JSON description of a message.
export {
  bodyTypeOf,
  decodeNested,
  decodePKIMessage,
  encodeNestedContent,
  encodePKIMessage,
  encodeProtectedPart,
  type DecodedMessage,
} from "./message.js";
export { buildHeader, PVNO_CMP2000, PVNO_CMP2021, responseHeader, type HeaderOptions } from "./header.js";
export {
  computeMacProtection,
  DEFAULT_MAC_LIMITS,
  protectionCertificate,
  protectionKind,
  protectMessage,
  verifyMacProtection,
  verifySignatureProtection,
  type KemCredential,
  type MacLimits,
  type NoProtection,
  type Pbmac1Credential,
  type PbmCredential,
  type ProtectionCredential,
  type ProtectionKind,
  type SignatureCredential,
} from "./protection.js";
export { kemBasedMacAlgorithm, verifyKemProtection } from "./kem-protection.js";
export { popKind, templatePublicKey, verifySignaturePop, type PopKind } from "./pop.js";
export { certHashAlgorithm, computeCertHash, type CertHashChoice } from "./certhash.js";
export { CmpError, MessageDecodeError } from "./errors.js";
export { decodeFailInfo, encodeFailInfo, FailInfoNames, type FailInfo } from "./failinfo.js";
export { describeStatus, formatStatus, PKIStatusNames, statusInfo, type StatusSummary } from "./status.js";
export { algorithmName, describeMessage, renderDescription, type MessageDescription } from "./inspect.js";
export * from "./build/index.js";
export {
  checkHeader,
  checkPvno,
  checkSenderName,
  checkSigner,
  macSenderKid,
  MIN_NONCE_BYTES,
  type HeaderRules,
} from "./validate.js";
export {
  canTransition,
  checkTransition,
  decodeState,
  encodeState,
  isFinal,
  SecretSealer,
  type Delayed,
  type Enrollment,
  type TxState,
  type TxStateName,
} from "./transaction.js";
export {
  CmpServer,
  OPERATIONS,
  type CmpServerOptions,
  type EngineLogEvent,
  type RequestInfo,
} from "./server/engine.js";
export {
  DELAYED_CERT_REQ_ID,
  delayedPollHandler,
  isDelayedPoll,
  waitingAnswer,
  type WaitingOptions,
} from "./server/delayed.js";
export type {
  Answer,
  CredentialResolver,
  DelayedContext,
  DelayedHandler,
  GenmAnswer,
  GenmHandler,
  GenmWaiting,
  Handler,
  HandlerContext,
  Handlers,
  Requester,
  ServerIdentity,
  SharedSecretCredential,
  Transaction,
  TransactionUpdate,
  TrustSource,
} from "./server/types.js";
