// What an RA / LRA role is given besides its policy: its key material (CMP signer with id-kp-cmcRA,
// downstream trust, shared secrets, upstream trust and credential), the inventory hook, and its log.
import type { SharedSecretEntry } from "../config/materials.js";
import type { CertTemplate } from "../asn1/crmf.js";
import type { KgaSigner } from "../cmp/kga.js";
import type { PrivateKey } from "../crypto/index.js";
import type { CertEntry } from "../pki/path.js";

export interface RaMaterials {
  /** The RA's CMP signer (RFC 9483 §5.2.3: its certificate should carry id-kp-cmcRA) and chain, root last. */
  signer: { cert: CertEntry; key: PrivateKey; chain: CertEntry[] };
  /** Downstream trust: certificates issued by the PKI (kur, cr, rr) chain to these. */
  issuingAnchors: CertEntry[];
  /** Downstream trust: external anchors (manufacturer IDevID, RFC 9483 §4.1.1). */
  externalAnchors: CertEntry[];
  /** Downstream LRAs / RAs allowed to send nested messages or raVerified (certificates). */
  raCerts: CertEntry[];
  /** Shared secrets of EEs (MAC protection downstream), by hex of the senderKID bytes. */
  secrets: Map<string, SharedSecretEntry>;
  /** The RA's key generation authority (RFC 9483 §4.1.6): its id-kp-cmKGA signer and chain. */
  kga?: KgaSigner;
  /** Per upstream: what the RA trusts for that upstream's answers, and an optional MAC credential for it. */
  upstreams: Map<string, UpstreamMaterials>;
}

export interface UpstreamMaterials {
  anchors: CertEntry[];
  /** The upstream's protection certificate trusted as it is (like openssl's -srvcert). */
  serverCert?: CertEntry;
  /** MAC credential towards the upstream instead of the RA's signature, where the upstream wants it. */
  mac?: { kid: string; secret: Uint8Array };
}

/** What the inventory / authorization hook is told about one request (RFC 9483 §5.2: "consulting an inventory"). */
export interface HookRequest {
  profile: string;
  bodyType: string;
  transactionId: string;
  /** Who the RA authenticated downstream: "mac:<kid>" or the protection certificate's subject. */
  requester: string;
  requesterKind: "mac" | "cert";
  /** Subject and subjectAltNames asked for (RFC 4514 / dNSName strings), when the body holds a template. */
  subject?: string;
  dnsNames?: string[];
  /** The request as received (DER). */
  message: Uint8Array;
}

/** The hook's decision: approve, reject with a reason (failInfo notAuthorized), or approve a changed template. */
export type HookDecision =
  | { decision: "approve" }
  | { decision: "reject"; reason: string }
  | { decision: "modify"; template: CertTemplate };

export type InventoryHook = (request: HookRequest) => Promise<HookDecision>;

export interface RaLogEvent {
  event: string;
  transactionId?: string;
  requester?: string;
  upstream?: string;
  detail?: string;
}

/**
 * Sends one DER message to an upstream and returns its DER answer (HTTP by default; files or in-process
 * in tests). A thrown error means the upstream could not be reached.
 */
export type UpstreamSend = (
  upstream: string,
  request: Uint8Array,
  info: { operation: string; profile?: string; signal?: AbortSignal },
) => Promise<Uint8Array>;
