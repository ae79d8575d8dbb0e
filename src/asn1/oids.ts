// Object identifiers used by CMP, CRMF and the Lightweight CMP Profile, named as in the RFCs.
// RFC 9810 (CMP v3), RFC 4211 / RFC 9045 (CRMF), RFC 9480 / RFC 9483 (ITAVs), RFC 9481 (algorithms).

const PKIX = "1.3.6.1.5.5.7";

/** id-it: InfoTypeAndValue types, RFC 9810 Appendix F / RFC 9480 / RFC 9483. */
export const id_it = `${PKIX}.4`;
export const id_it_caProtEncCert = `${id_it}.1`;
export const id_it_signKeyPairTypes = `${id_it}.2`;
export const id_it_encKeyPairTypes = `${id_it}.3`;
export const id_it_preferredSymmAlg = `${id_it}.4`;
export const id_it_caKeyUpdateInfo = `${id_it}.5`;
export const id_it_currentCRL = `${id_it}.6`;
export const id_it_unsupportedOIDs = `${id_it}.7`;
export const id_it_keyPairParamReq = `${id_it}.10`;
export const id_it_keyPairParamRep = `${id_it}.11`;
export const id_it_revPassphrase = `${id_it}.12`;
export const id_it_implicitConfirm = `${id_it}.13`;
export const id_it_confirmWaitTime = `${id_it}.14`;
export const id_it_origPKIMessage = `${id_it}.15`;
export const id_it_suppLangTags = `${id_it}.16`;
export const id_it_caCerts = `${id_it}.17`;
export const id_it_rootCaKeyUpdate = `${id_it}.18`;
export const id_it_certReqTemplate = `${id_it}.19`;
export const id_it_rootCaCert = `${id_it}.20`;
export const id_it_certProfile = `${id_it}.21`;
export const id_it_crlStatusList = `${id_it}.22`;
export const id_it_crls = `${id_it}.23`;
export const id_it_KemCiphertextInfo = `${id_it}.24`;

/** id-regCtrl / id-regInfo: CRMF controls and registration info, RFC 4211 §6-7, RFC 9045, RFC 9483. */
export const id_pkip = `${PKIX}.5`;
export const id_regCtrl = `${id_pkip}.1`;
export const id_regCtrl_regToken = `${id_regCtrl}.1`;
export const id_regCtrl_authenticator = `${id_regCtrl}.2`;
export const id_regCtrl_pkiPublicationInfo = `${id_regCtrl}.3`;
export const id_regCtrl_pkiArchiveOptions = `${id_regCtrl}.4`;
export const id_regCtrl_oldCertID = `${id_regCtrl}.5`;
export const id_regCtrl_protocolEncrKey = `${id_regCtrl}.6`;
export const id_regCtrl_altCertTemplate = `${id_regCtrl}.7`;
export const id_regCtrl_algId = `${id_regCtrl}.11`;
export const id_regCtrl_rsaKeyLen = `${id_regCtrl}.12`;
export const id_regInfo = `${id_pkip}.2`;
export const id_regInfo_utf8Pairs = `${id_regInfo}.1`;
export const id_regInfo_certReq = `${id_regInfo}.2`;

/** MAC-based protection, RFC 9810 §5.1.3, arc 1.2.840.113533.7.66 (Entrust). */
export const id_PasswordBasedMac = "1.2.840.113533.7.66.13";
export const id_KemBasedMac = "1.2.840.113533.7.66.16";
export const id_DHBasedMac = "1.2.840.113533.7.66.30";
/** PBMAC1, RFC 8018 / RFC 9481 §6.1.2. */
export const id_PBMAC1 = "1.2.840.113549.1.5.14";
export const id_PBKDF2 = "1.2.840.113549.1.5.12";

/** HMAC, RFC 9481 §6.2.1 (RFC 8018 / RFC 4231 arcs). */
export const id_hmacWithSHA1 = "1.2.840.113549.2.7";
export const id_hmacWithSHA224 = "1.2.840.113549.2.8";
export const id_hmacWithSHA256 = "1.2.840.113549.2.9";
export const id_hmacWithSHA384 = "1.2.840.113549.2.10";
export const id_hmacWithSHA512 = "1.2.840.113549.2.11";
/** HMAC-SHA1 as RFC 4210 names it for PasswordBasedMac. */
export const id_hmac_sha1 = "1.3.6.1.5.5.8.1.2";

/** Digests. */
export const id_sha1 = "1.3.14.3.2.26";
export const id_sha224 = "2.16.840.1.101.3.4.2.4";
export const id_sha256 = "2.16.840.1.101.3.4.2.1";
export const id_sha384 = "2.16.840.1.101.3.4.2.2";
export const id_sha512 = "2.16.840.1.101.3.4.2.3";
export const id_sha3_256 = "2.16.840.1.101.3.4.2.8";
export const id_shake128 = "2.16.840.1.101.3.4.2.11";
export const id_shake256 = "2.16.840.1.101.3.4.2.12";

/** Extended key usages, RFC 6402 / RFC 9480 §2.10. */
export const id_kp = `${PKIX}.3`;
export const id_kp_serverAuth = `${id_kp}.1`;
export const id_kp_clientAuth = `${id_kp}.2`;
export const id_kp_cmcCA = `${id_kp}.27`;
export const id_kp_cmcRA = `${id_kp}.28`;
export const id_kp_cmKGA = `${id_kp}.32`;

/** CMS content types and attributes, RFC 5652 / RFC 5958. */
export const id_data = "1.2.840.113549.1.7.1";
export const id_signedData = "1.2.840.113549.1.7.2";
export const id_envelopedData = "1.2.840.113549.1.7.3";
export const id_ct_KP_aKeyPackage = "2.16.840.1.101.2.1.2.78.5";

/** HKDF for KEM-based MAC and KEMRecipientInfo, RFC 8619. */
export const id_alg_hkdf_with_sha256 = "1.2.840.113549.1.9.16.3.28";
export const id_alg_hkdf_with_sha384 = "1.2.840.113549.1.9.16.3.29";
export const id_alg_hkdf_with_sha512 = "1.2.840.113549.1.9.16.3.30";

/** KMAC, RFC 9481 §6.2.3. */
export const id_KMACWithSHAKE128 = "2.16.840.1.101.3.4.2.19";
export const id_KMACWithSHAKE256 = "2.16.840.1.101.3.4.2.20";

/** Names for the id-it OIDs, used by inspection output. */
export const infoTypeNames: Readonly<Record<string, string>> = {
  [id_it_caProtEncCert]: "caProtEncCert",
  [id_it_signKeyPairTypes]: "signKeyPairTypes",
  [id_it_encKeyPairTypes]: "encKeyPairTypes",
  [id_it_preferredSymmAlg]: "preferredSymmAlg",
  [id_it_caKeyUpdateInfo]: "caKeyUpdateInfo",
  [id_it_currentCRL]: "currentCRL",
  [id_it_unsupportedOIDs]: "unsupportedOIDs",
  [id_it_keyPairParamReq]: "keyPairParamReq",
  [id_it_keyPairParamRep]: "keyPairParamRep",
  [id_it_revPassphrase]: "revPassphrase",
  [id_it_implicitConfirm]: "implicitConfirm",
  [id_it_confirmWaitTime]: "confirmWaitTime",
  [id_it_origPKIMessage]: "origPKIMessage",
  [id_it_suppLangTags]: "suppLangTags",
  [id_it_caCerts]: "caCerts",
  [id_it_rootCaKeyUpdate]: "rootCaKeyUpdate",
  [id_it_certReqTemplate]: "certReqTemplate",
  [id_it_rootCaCert]: "rootCaCert",
  [id_it_certProfile]: "certProfile",
  [id_it_crlStatusList]: "crlStatusList",
  [id_it_crls]: "crls",
  [id_it_KemCiphertextInfo]: "KemCiphertextInfo",
};

/** Names for the id-regCtrl / id-regInfo OIDs. */
export const controlNames: Readonly<Record<string, string>> = {
  [id_regCtrl_regToken]: "regToken",
  [id_regCtrl_authenticator]: "authenticator",
  [id_regCtrl_pkiPublicationInfo]: "pkiPublicationInfo",
  [id_regCtrl_pkiArchiveOptions]: "pkiArchiveOptions",
  [id_regCtrl_oldCertID]: "oldCertID",
  [id_regCtrl_protocolEncrKey]: "protocolEncrKey",
  [id_regCtrl_altCertTemplate]: "altCertTemplate",
  [id_regCtrl_algId]: "algId",
  [id_regCtrl_rsaKeyLen]: "rsaKeyLen",
  [id_regInfo_utf8Pairs]: "utf8Pairs",
  [id_regInfo_certReq]: "certReq",
};
