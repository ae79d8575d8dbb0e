// What a role plugs into the CMP server engine: one handler per body type (genm per infoType), the
// credential resolver that authenticates senders, and the answer a handler gives back.
import type { GeneralName, Name } from "@peculiar/asn1-x509";
import type { InfoTypeAndValue, PKIBody, PKIBodyType, PKIHeader } from "../../asn1/cmp.js";
import type { PrivateKey } from "../../crypto/index.js";
import type { CertEntry } from "../../pki/path.js";
import type { StoreSession } from "../../store/store.js";
import type { DecodedMessage } from "../message.js";
import type { MacLimits } from "../protection.js";
import type { TxState } from "../transaction.js";

export interface SharedSecretCredential {
  kid: string;
  secret: Uint8Array;
  /** Subject the holder may request (RFC 4514), if bound. */
  subject?: string;
  /** Profile the secret is for, if bound. */
  profile?: string;
}

/** One set of trust anchors a protection certificate may chain to, tried in order. */
export interface TrustSource {
  /** Name the role authorizes by, e.g. "issued", "external", "ra". */
  name: string;
  anchors: readonly CertEntry[];
  /** Whether certificates of the message's extraCerts may serve as intermediates. */
  useExtraCerts: boolean;
  /** Whether the chain is checked against the role's revocation state. */
  checkRevocation: boolean;
}

/** How the engine learns who a sender is, without knowing the role's key material. */
export interface CredentialResolver {
  sharedSecret(senderKID: Uint8Array): SharedSecretCredential | undefined;
  trustSources(): readonly TrustSource[];
  isRevoked(cert: CertEntry): Promise<boolean>;
  macLimits: MacLimits;
}

export type Requester =
  | { kind: "mac"; id: string; secret: SharedSecretCredential }
  | {
      kind: "cert";
      id: string;
      /** The TrustSource the protection certificate chained to. */
      source: string;
      cert: CertEntry;
      chain: CertEntry[];
      /** Shared secret of the transaction's KEM exchange, when the message is KEM-protected. */
      kemSecret?: Uint8Array;
    };

/** A stored transaction as the engine and handlers see it. */
export interface Transaction {
  id: string;
  requester: string;
  kind: string;
  state: TxState;
  lastSenderNonce?: Uint8Array;
  kemSecret?: Uint8Array;
  expiresAt: Date;
  version: number;
}

export interface HandlerContext {
  request: DecodedMessage;
  header: PKIHeader;
  bodyType: PKIBodyType;
  requester: Requester;
  /** Certificate profile and operation from the transport (RFC 9483 §6.1 path). */
  path: { profile?: string; operation?: string };
  now: Date;
  signal?: AbortSignal;
  /**
   * The RA that forwarded this message inside its nested message (RFC 9483 §5.2.2), if any: the
   * RFC 4514 subject of its certificate.
   */
  forwardedBy?: string;
  /** How many nested messages enclose this one (0: it came alone). */
  nestingLevel?: number;
  /** The open transaction a continuation message (certConf, pollReq, error) belongs to. */
  transaction?: Transaction;
}

/** The next state of the transaction, recorded together with the response's senderNonce. */
export interface TransactionUpdate {
  state: TxState;
  expiresAt: Date;
  kind?: string;
  kemSecret?: Uint8Array;
}

export interface Answer {
  body: PKIBody;
  /**
   * An answer passed on as received (an RA forwarding an upstream's answer, RFC 9483 §5.2.1): sent
   * unchanged instead of `body`; its senderNonce is recorded as the transaction's last one.
   */
  raw?: { der: Uint8Array; senderNonce?: Uint8Array };
  extraCerts?: readonly Uint8Array[];
  generalInfo?: InfoTypeAndValue[];
  /** Protocol version of the answer when its syntax needs cmp2021 (RFC 9810 §7). */
  pvno?: number;
  next?: TransactionUpdate;
  /** Role writes committed in the same unit of work as the transaction update. */
  writes?: (s: StoreSession) => Promise<void>;
  /** Force signature protection (e.g. a KemCiphertextInfo answer, RFC 9810 §5.1.3.4). */
  signed?: boolean;
}

export type Handler = (ctx: HandlerContext) => Promise<Answer>;

export interface GenmAnswer {
  itav: InfoTypeAndValue;
  next?: TransactionUpdate;
  signed?: boolean;
}

/** RFC 9483 §4.4: the genm cannot be answered now; the engine answers error/waiting (see delayed.ts). */
export interface GenmWaiting {
  waiting: { checkAfter: number; reason?: string; expiresAt: Date };
}

export interface GenmHandler {
  answer(itav: InfoTypeAndValue, ctx: HandlerContext): Promise<GenmAnswer | GenmWaiting>;
  /**
   * May arrive unprotected as the only InfoTypeAndValue of a genm: the sender is then identified by its
   * certificate in extraCerts alone (the KEM bootstrap of RFC 9810 §5.1.3.4).
   */
  unprotected?: boolean;
}

/** A pollReq for an answer delayed with error/waiting (RFC 9483 §4.4), with the request that waits. */
export interface DelayedContext extends HandlerContext {
  transaction: Transaction;
  /** The request answered with "waiting", as it arrived (authenticated then). */
  original: DecodedMessage;
}

/** The final answer to a delayed request, or "pending" while it is not ready (answered with pollRep). */
export type DelayedHandler = (ctx: DelayedContext) => Promise<Answer | "pending">;

export interface Handlers {
  /** ir, cr, kur and p10cr. */
  certRequest?: Handler;
  certConf?: Handler;
  pollReq?: Handler;
  rr?: Handler;
  /** An error message from the peer (RFC 9483 §3.6.4). */
  error?: Handler;
  nested?: Handler;
  /** A whole genm message (an RA forwarding it); when given, `genm` is not used. */
  genmMessage?: Handler;
  /** genm by infoType OID; `default` answers types without a handler. */
  genm?: { byType: ReadonlyMap<string, GenmHandler>; default?: GenmHandler };
  /** Answers the pollReq of any request a handler delayed with `waitingAnswer` (RFC 9483 §4.4). */
  delayed?: DelayedHandler;
}

/** How the server names and protects itself. */
export interface ServerIdentity {
  /** Names accepted in the recipient field of requests (NULL-DN is always accepted). */
  names: readonly Name[];
  sender: GeneralName;
  signer: { key: PrivateKey; certificate: Uint8Array; chain: readonly Uint8Array[] };
}
