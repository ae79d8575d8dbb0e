// The typed policy a CA role is given (per profile and body type), independent of the configuration
// file: what may be certified, by whom, and the transaction timings (RFC 9483 §4.1, §4.4).
import type { KeyUsageType } from "../pki/extensions.js";

export interface ProfilePolicy {
  name: string;
  validityMs: number;
  keyUsage: readonly KeyUsageType[];
  /** Extended key usage OIDs. */
  extendedKeyUsage: readonly string[];
  /** Key types that may be certified ("ml-dsa-*" style prefixes allowed); empty: any supported. */
  allowedKeyTypes: readonly string[];
  /** A requested subject (RFC 4514 string) must match entirely. */
  subjectPattern: RegExp;
  /** Allowed DNS subjectAltNames; without it no SAN may be requested. */
  sanDnsPattern?: RegExp;
  /** A MAC requester's subject must equal its shared secret's bound subject. */
  bindSubjectToSecret: boolean;
  /** Offered in certReqTemplate (RFC 9483 §4.3.3). */
  template: { algorithm?: string; rsaKeyLength?: number };
  crlDistributionPoints: readonly string[];
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
}
