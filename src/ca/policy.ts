// The typed policy a CA role is given (per profile and body type), independent of the configuration
// file: what may be certified, by whom, and the transaction timings (RFC 9483 §4.1, §4.4).
import type { StrictRules } from "../cmp/validate.js";
import type { KeyUsageType } from "../pki/extensions.js";

export interface ProfilePolicy {
  name: string;
  validityMs: number;
  keyUsage: readonly KeyUsageType[];
  /** Extended key usage OIDs. */
  extendedKeyUsage: readonly string[];
  /** Key types that may be certified ("ml-dsa-*" style prefixes allowed); empty: any supported. */
  allowedKeyTypes: readonly string[];
  /** Smallest key size in bits per key type ("rsa", "rsa-pss"); the registry's minimum otherwise. */
  minimumKeyBits: Readonly<Record<string, number>>;
  /** A public key another certificate of this CA already certifies may be certified again. */
  allowKeyReuse: boolean;
  /** Key usages a request may ask for (RFC 5280 §4.2.1.3); checked against the key type as well. */
  requestableKeyUsage: readonly KeyUsageType[];
  /** Extended key usage OIDs a request may ask for besides `extendedKeyUsage` (RFC 5280 §4.2.1.12). */
  requestableExtendedKeyUsage: readonly string[];
  /** An empty subject is accepted with subjectAltNames, then marked critical (RFC 5280 §4.1.2.6). */
  allowEmptySubject: boolean;
  /** cr and kur may name a subject other than the requester's certificate's. */
  allowSubjectChange: boolean;
  /** A requested subject (RFC 4514 string) must match entirely. */
  subjectPattern: RegExp;
  /** Allowed DNS subjectAltNames; without it no SAN may be requested. */
  sanDnsPattern?: RegExp;
  /** A MAC requester's subject must equal its shared secret's bound subject. */
  bindSubjectToSecret: boolean;
  /** Offered in certReqTemplate (RFC 9483 §4.3.3). */
  template: { algorithm?: string; rsaKeyLength?: number };
  /** CRL distribution point URIs; "{shard}" is replaced by the certificate's shard (src/ca/crl/shard.ts). */
  crlDistributionPoints: readonly string[];
  /** OCSP responder URLs placed in authorityInfoAccess (RFC 5280 §4.2.2.1); absent: none. */
  ocspUrls?: readonly string[];
  /** Number of CRL shards the distribution points name (default 1). */
  crlShards?: number;
  /** AIA caIssuers URIs (RFC 5280 §4.2.2.1). */
  caIssuers?: readonly string[];
  centralKeyGeneration: boolean;
  centralKeyType: string;
}

/** What the CA decides for one body type under one profile. */
export interface RequestPolicy {
  profile: ProfilePolicy;
  /** Requester kinds accepted: "mac" or a trust source name ("issued", "external", "ra"). */
  requesters: readonly string[];
  /** Enrollments wait for an operator's decision (RFC 9483 §4.4). */
  requireApproval: boolean;
}

export interface TransactionPolicy {
  allowImplicitConfirm: boolean;
  confirmWaitTimeMs: number;
  messageTimeSkewMs: number;
  pollIntervalMs: number;
  /** How long an enrollment may wait for an operator's decision. */
  approvalWaitMs: number;
}

export interface CaPolicy {
  /** The profile used when a request names none. */
  defaultProfile: string;
  profileNames(): string[];
  /** The policy for `bodyType` under `profile`; undefined when the profile does not exist. */
  forRequest(profile: string, bodyType: string): RequestPolicy | undefined;
  transactions: TransactionPolicy;
  maxMacIterations: number;
  /** RFC 9483 §4.1.6.3: key encryption of the KGA's password recipient (default AES key wrap). */
  kgaPasswordKeyWrap?: "aes-kw" | "pwri-kek";
  revokeOnKeyUpdate: boolean;
  crlValidityMs: number;
  /** Receiver rules stricter than the engine's tolerant defaults (docs/conformance.md). */
  strict?: Partial<StrictRules>;
  revocation: RevocationPolicy;
  /** DNS subjectAltNames a shared secret may request, by its kid; undefined: no list configured. */
  secretDnsNames(kid: string): readonly string[] | undefined;
  /** CRL publication; absent: one full CRL a day, published on revocation, not partitioned. */
  crl?: CrlPolicy;
  /** Short name of the CA in download paths (/crl/<name>.crl); default derived from its CN. */
  caName?: string;
}

export interface RevocationPolicy {
  /** An rr without a reasonCode in crlEntryDetails is refused (RFC 9483 §4.2); else it means unspecified. */
  requireReasonCode: boolean;
}

/** How a CA publishes its CRLs (RFC 5280 §5). */
export interface CrlPolicy {
  intervalMs: number;
  validityMs: number;
  publishOnRevoke: boolean;
  shards: number;
  distributionPoints: readonly string[];
}
