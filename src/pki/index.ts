// Public entry of the pki layer (`lwcmp/pki`): X.509 certificates, names, extensions, CRLs,
// RFC 5280 path validation and CMS SignedData / EnvelopedData.
export type { Certificate, Extension, GeneralName, Name } from "@peculiar/asn1-x509";
export {
  certificateDer,
  parseCertificate,
  serialHex,
  summarizeCertificate,
  type CertificateSummary,
} from "./certificate.js";
export { derFromBytes, FormatError, pemBlocks, toPem } from "./pem.js";
export { buildCertificate, randomSerial, type CertificateSpec } from "./build.js";
export { buildCrl, type CrlSpec, type RevokedEntry } from "./crl.js";
export {
  authorityKeyIdentifierExt,
  basicConstraintsExt,
  crlDistributionPointsExt,
  extKeyUsageExt,
  findExtension,
  getAuthorityKeyIdentifier,
  getBasicConstraints,
  getExtKeyUsage,
  getKeyUsage,
  getSubjectAltNames,
  getSubjectKeyIdentifier,
  KEY_USAGE_NAMES,
  keyIdentifier,
  keyUsageExt,
  subjectAltNameExt,
  subjectKeyIdentifierExt,
  type KeyUsageType,
} from "./extensions.js";
export {
  directoryName,
  generalNameToString,
  isEmptyName,
  nameToString,
  namesEqual,
  NameSyntaxError,
  nullDn,
  parseName,
} from "./names.js";
export {
  certEntry,
  certificatePublicKey,
  PathValidationError,
  validatePath,
  type CertEntry,
  type PathFailure,
  type PathOptions,
} from "./path.js";
export {
  buildSignedData,
  parseSignedContentInfo,
  signedContentInfoDer,
  verifySignedData,
  type SignerMaterial,
  type VerifiedSignedData,
} from "./cms/signed.js";
export {
  buildEnvelopedData,
  CmsError,
  envelopedContentInfoDer,
  isKemKeyType,
  openEnvelopedData,
  parseEnvelopedContentInfo,
  techniqueFor,
  type Recipient,
  type RecipientCredential,
} from "./cms/enveloped.js";
export {
  authEnvelopedContentInfoDer,
  buildAuthEnvelopedData,
  openAuthEnvelopedData,
  parseAuthEnvelopedContentInfo,
} from "./cms/authenveloped.js";
