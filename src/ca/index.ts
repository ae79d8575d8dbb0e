// Public entry of the CA role (`lwcmp/ca`): CertificateAuthority, the demo PKI, root rollover, CRL
// publication, the operator's calls, and the configuration and key material a CA is built from.
export { CertificateAuthority, type CaLogEvent, type CertificateAuthorityOptions } from "./authority.js";
export { buildDemoPki, type DemoFile, type DemoOptions } from "./demo.js";
export { rolloverRoot, type RolloverResult } from "./rollover.js";
export {
  ConfigError,
  loadConfig,
  parseConfig,
  resolvePath,
  resolveSecret,
  type LoadedConfig,
} from "../config/load.js";
export {
  loadCaMaterials,
  readCertificates,
  readPrivateKey,
  type CaMaterials,
  type SharedSecretEntry,
} from "../config/materials.js";
export { parseDuration, type Config, type ConfigDocument, type Profile } from "../config/schema.js";
export { Issuer, IssuanceError, type IssueRequest, type PreparedCertificate } from "./issuer.js";
export type { CaPolicy, ProfilePolicy, RequestPolicy, TransactionPolicy } from "./policy.js";
export { caPolicyFromConfig } from "../config/policy.js";
export { CaCredentials } from "./credentials.js";
export {
  CaOperator,
  normalizeSerial,
  OperatorError,
  type CaOperatorOptions,
  type RevokeRequest,
  type RevokeResult,
} from "./operator.js";
export { CrlPublisher, DEFAULT_CRL_POLICY, type CrlPublisherOptions } from "./crl/publisher.js";
export type { CrlPolicy } from "./policy.js";
