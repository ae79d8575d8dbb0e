// The typed policy an RA / LRA role is given (RFC 9483 §5), independent of the configuration file: per
// certificate profile and body type, who is accepted downstream, how the message goes upstream (§5.2) or
// is answered by the RA itself (§5.1), and to which upstream.
import * as oids from "../asn1/oids.js";
import type { PasswordKeyWrap } from "../cmp/kga.js";
import type { StrictRules } from "../cmp/validate.js";

/** The genm types an RA may answer itself, with their RFC 9483 §6.1 operation path. */
export const LOCAL_GENM: Readonly<Record<string, string>> = {
  [oids.id_it_caCerts]: "getcacerts",
  [oids.id_it_rootCaCert]: "getrootupdate",
  [oids.id_it_certReqTemplate]: "getcertreqtemplate",
  [oids.id_it_crlStatusList]: "getcrls",
};

/** How one message goes upstream (RFC 9483 §5.2) or whether the RA answers it itself (§5.1). */
export type ForwardMode =
  /** §5.2.1 not changing protection: upstream as received, the answer downstream as received. */
  | "forward"
  /** §5.2.2.1 adding protection: wrapped alone in a nested message signed by the RA. */
  | "nest"
  /** §5.2.2.2 batching: collected with other requests into one nested message signed by the RA. */
  | "batch"
  /** §5.2.3.1 replacing protection, keeping POP: the RA's header and protection, the EE's body. */
  | "reprotect"
  /** §5.2.3.2 replacing protection, POP verified by the RA: popo raVerified, the template may change. */
  | "raverified"
  /** §5.1: the RA answers itself (genm types it holds; anything else is refused, never forwarded). */
  | "local";

/** What the RA decides for one body type (or genm infoType) under one profile. */
export interface RaRoute {
  mode: ForwardMode;
  /** Name of the upstream (RaPolicy.upstreams); unused for "local". */
  upstream: string;
  /** Requester kinds accepted downstream: "mac" or a trust source name ("issued", "external", "ra"). */
  requesters: readonly string[];
  /** Ask the inventory / authorization hook before forwarding (src/ra/hooks.ts). */
  hook: boolean;
  /** Hold the request for an RA officer's decision before it goes upstream (RFC 9483 §5.1, §4.4). */
  approval: boolean;
}

export interface UpstreamPolicy {
  name: string;
  /** URL of the upstream CMP endpoint (`…/.well-known/cmp`); absent when `transfer` is given. */
  url?: string;
  /** RFC 9483 §6.4: a folder for file-based transfer instead (as configured; relative to the config file). */
  transfer?: string;
  /** Certificate profile named upstream (path segment); default: the downstream profile. */
  profile?: string;
  /** The upstream's name for the recipient field of messages the RA builds (RFC 4514); default NULL-DN. */
  recipient?: string;
  /** Per-request timeout of one upstream exchange (RFC 9483 §6: configurable per-request timeout). */
  timeoutMs: number;
  /**
   * Delayed delivery while the upstream is unreachable (RFC 9483 §5.1.2, §4.4): the first retry after
   * initialDelayMs, doubled up to maxDelayMs, given up after giveUpAfterMs (0: no delayed delivery).
   */
  retry: { initialDelayMs: number; maxDelayMs: number; giveUpAfterMs: number };
  /** Batching (mode "batch"): send when this many requests wait, or after maxWaitMs. */
  batch: { maxMessages: number; maxWaitMs: number };
}

export interface RaTransactionPolicy {
  messageTimeSkewMs: number;
  /** checkAfter the RA names in its own waiting answers and pollReps. */
  pollIntervalMs: number;
  /** How long the RA keeps a transaction open for the EE's next message (certConf, pollReq). */
  transactionWaitMs: number;
  /** How long a request held for an RA officer waits for the decision. */
  approvalWaitMs: number;
  /** How long the RA answers local genm types (rootCaCert, certReqTemplate, crlStatusList) from the upstream's last answer. */
  genmCacheMs: number;
}

export interface RaPolicy {
  /** The profile used when a request names none. */
  defaultProfile: string;
  profileNames(): string[];
  /**
   * The route for `bodyType` under `profile` (genm: `genm:<infoType OID>` first, then `genm`);
   * undefined when the profile does not exist or the body type is not routed.
   */
  forRequest(profile: string, bodyType: string, infoType?: string): RaRoute | undefined;
  upstream(name: string): UpstreamPolicy | undefined;
  upstreams(): readonly UpstreamPolicy[];
  transactions: RaTransactionPolicy;
  maxMacIterations: number;
  /** Central key generation at the RA (RFC 9483 §4.1.6): the default key type and the password key wrap. */
  kga?: { keyType: string; passwordKeyWrap: PasswordKeyWrap };
  /** Receiver rules stricter than the engine's tolerant defaults (docs/conformance.md). */
  strict?: Partial<StrictRules>;
}
