// Public entry of the CA role (`lwcmp/ca`): CertificateAuthority, the demo PKI, root rollover, and the
// configuration and key material a CA is built from.
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
