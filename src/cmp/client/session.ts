// One CMP transaction seen from the requesting side (RFC 9483 §3-4): header with a fresh transactionID,
// protection, sending, and the checks of every answer (validate.ts, protection, nonces, body type).
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate, GeneralName, type Name } from "@peculiar/asn1-x509";
import { InfoTypeAndValue, PKIMessage, PKIStatus, type PKIBody, type PKIBodyType } from "../../asn1/cmp.js";
import { KemCiphertextInfo } from "../../asn1/itav.js";
import * as oids from "../../asn1/oids.js";
import { kemDecapsulate } from "../../crypto/index.js";
import { isEmptyName, nullDn } from "../../pki/names.js";
import { genmBody } from "../build/request.js";
import { errorBody } from "../build/response.js";
import { FailInfoNames, type FailInfo } from "../failinfo.js";
import { CmpError } from "../errors.js";
import { buildHeader, freshId, PVNO_CMP2000, PVNO_CMP2021 } from "../header.js";
import { decodePKIMessage, type DecodedMessage, type DecodeLimits } from "../message.js";
import { protectMessage, protectionKind, type MacLimits, type ProtectionCredential } from "../protection.js";
import { checkHeader, checkSigner, TOLERANT_RULES, type StrictRules } from "../validate.js";
import { CmpClientError, fromCmpError, statusError } from "./errors.js";
import type { ClientCredential, SendFunction, ServerTrust } from "./types.js";
import { verifyAnswerProtection } from "./verify.js";

/** RFC 9483 §3.1 leaves the tolerance to local policy; ten minutes covers unsynchronised devices. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 10 * 60_000;

export interface ClientSessionOptions {
  send: SendFunction;
  credential: ClientCredential;
  trust: ServerTrust;
  /** Sender name; default: subject of the credential's certificate, else NULL-DN. */
  sender?: Name;
  /** The CA's name for the recipient field (NULL-DN when unknown). */
  recipient?: Name;
  /** Initial pvno; raised to cmp2021 by `requireCmp2021` (RFC 9810 §7). */
  pvno?: number;
  /** The clock for messageTime checks and certificate validation (default: the system clock). */
  now?: () => Date;
  /** Largest accepted |messageTime - now| of an answer in ms (default 10 minutes); null: not checked. */
  maxClockSkewMs?: number | null;
  macLimits?: MacLimits;
  /** Rules for answers stricter than the tolerant defaults (docs/conformance.md). */
  strict?: Partial<StrictRules>;
  /** Report an answer that fails our checks to the server with an error message (default true). */
  reportErrors?: boolean;
  /**
   * Continue a transaction begun earlier (an RA re-protecting an EE's messages, RFC 9483 §5.2.3):
   * its transactionID and the server's last senderNonce.
   */
  resume?: { transactionID: Uint8Array; lastNonce?: Uint8Array };
  /** Decode limits for answers beyond the defaults (a nested answer holding a whole batch). */
  answerLimits?: Partial<DecodeLimits>;
}

export interface ExchangeOptions {
  /** The RFC 9483 §6.1 operation path the message goes to. */
  operation: string;
  /** The body types that may answer; an `error` body always becomes a CmpClientError. */
  expect: PKIBodyType | readonly PKIBodyType[];
  generalInfo?: InfoTypeAndValue[];
  /** RFC 9483 §4.4: an error with status "waiting" is returned, for the caller to poll. */
  acceptWaiting?: boolean;
}

export interface ForwardOptions {
  /** Body types accepted besides `error` (which is returned, for the forwarder to pass on). */
  expect?: readonly PKIBodyType[];
}

/** Whether an answer is an error message with status "waiting" (RFC 9483 §4.4). */
export function isWaitingError(rsp: DecodedMessage): boolean {
  return rsp.bodyType === "error" && rsp.message.body.error!.pKIStatusInfo.status === PKIStatus.waiting;
}

export class ClientSession {
  /** RFC 9483 §3.1: 128 random bits, kept for the whole transaction. */
  readonly transactionID: Uint8Array;
  private pvnoValue: number;
  /** The server's last senderNonce, echoed as our next recipNonce. */
  private lastNonce?: Uint8Array;
  private kemSecret?: Uint8Array;
  private readonly senderName: GeneralName;
  private readonly recipientName: GeneralName;

  constructor(private readonly o: ClientSessionOptions) {
    this.transactionID = o.resume ? o.resume.transactionID : new Uint8Array(freshId());
    this.lastNonce = o.resume?.lastNonce;
    this.pvnoValue = o.pvno ?? PVNO_CMP2000;
    this.senderName = o.sender ? new GeneralName({ directoryName: o.sender }) : defaultSender(o.credential);
    this.recipientName = o.recipient ? new GeneralName({ directoryName: o.recipient }) : nullDn();
  }

  /** The server's last senderNonce in this transaction (the next recipNonce). */
  get lastSenderNonce(): Uint8Array | undefined {
    return this.lastNonce;
  }

  get pvno(): number {
    return this.pvnoValue;
  }

  /** RFC 9810 §7: messages carrying EnvelopedData or certConf hashAlg need cmp2021. */
  requireCmp2021(): void {
    this.pvnoValue = PVNO_CMP2021;
  }

  now(): Date {
    return this.o.now?.() ?? new Date();
  }

  /** Builds, protects and sends one message of this transaction; returns the checked answer. */
  async exchange(body: PKIBody, opts: ExchangeOptions): Promise<DecodedMessage> {
    if (this.o.credential.kind === "kem" && !this.kemSecret) await this.kemBootstrap(opts.operation);
    const rsp = await this.roundTrip(body, opts);
    if (opts.acceptWaiting && isWaitingError(rsp)) return rsp;
    if (rsp.bodyType === "error") {
      throw statusError("the server reported an error", rsp.message.body.error!.pKIStatusInfo);
    }
    const expected: readonly PKIBodyType[] = typeof opts.expect === "string" ? [opts.expect] : opts.expect;
    if (!expected.includes(rsp.bodyType)) {
      throw new CmpClientError(`expected ${expected.join(" or ")} but the server sent ${rsp.bodyType}`);
    }
    return rsp;
  }

  /**
   * Sends a message this session did not build (an RA forwarding an end entity's request) and checks
   * the answer against that message's transactionID and senderNonce. An `error` answer is returned.
   */
  async forward(der: Uint8Array, operation: string, opts: ForwardOptions = {}): Promise<DecodedMessage> {
    let request: DecodedMessage;
    try {
      request = decodePKIMessage(der);
    } catch (e) {
      throw fromCmpError(e, "the message to forward is not a valid PKIMessage");
    }
    const h = request.message.header;
    if (!h.transactionID || !h.senderNonce) {
      throw new CmpClientError("the message to forward lacks transactionID or senderNonce", ["badRequest"]);
    }
    const answers = {
      transactionID: new Uint8Array(h.transactionID),
      senderNonce: new Uint8Array(h.senderNonce),
    };
    const rsp = await this.transmit(der, operation);
    await this.checkAnswer(rsp, answers, h.sender.directoryName);
    if (opts.expect && rsp.bodyType !== "error" && !opts.expect.includes(rsp.bodyType)) {
      throw new CmpClientError(`expected ${opts.expect.join(" or ")} but the server sent ${rsp.bodyType}`);
    }
    return rsp;
  }

  /**
   * Builds, protects and sends one message and returns the checked answer whatever its body (an RA
   * passing the upstream's answer on, error bodies included).
   */
  async roundTrip(body: PKIBody, opts: ExchangeOptions): Promise<DecodedMessage> {
    const header = this.header(opts.generalInfo);
    const senderNonce = new Uint8Array(header.senderNonce!);
    const der = protectMessage(new PKIMessage({ header, body }), this.protection());
    const rsp = await this.transmit(der, opts.operation);
    try {
      await this.checkAnswer(
        rsp,
        { transactionID: this.transactionID, senderNonce },
        this.senderName.directoryName,
      );
    } catch (e) {
      if (e instanceof CmpClientError && this.o.reportErrors !== false)
        await this.report(rsp, e, opts.operation);
      throw e;
    }
    const next = rsp.message.header.senderNonce;
    this.lastNonce = next ? new Uint8Array(next) : undefined;
    return rsp;
  }

  /**
   * Builds and protects the next message of this transaction without sending it (an RA that may have
   * to send the very same bytes again later, RFC 9483 §5.1.2); `forward` sends it and checks the answer.
   */
  prepare(body: PKIBody, opts: Pick<ExchangeOptions, "generalInfo"> = {}): Uint8Array {
    return protectMessage(new PKIMessage({ header: this.header(opts.generalInfo), body }), this.protection());
  }

  private header(generalInfo?: ExchangeOptions["generalInfo"]) {
    return buildHeader({
      pvno: this.pvnoValue,
      sender: this.senderName,
      recipient: this.recipientName,
      transactionID: this.transactionID,
      recipNonce: this.lastNonce,
      generalInfo,
    });
  }

  /**
   * RFC 9483 §3.6.1: an answer that fails our checks is reported to the server with an error message
   * (best effort: its answer, or a failure to send, does not change what the user is told).
   */
  private async report(rsp: DecodedMessage, e: CmpClientError, operation: string): Promise<void> {
    if (rsp.bodyType === "error") return;
    const next = rsp.message.header.senderNonce;
    const header = buildHeader({
      pvno: this.pvnoValue,
      sender: this.senderName,
      recipient: this.recipientName,
      transactionID: this.transactionID,
      recipNonce: next ? new Uint8Array(next) : this.lastNonce,
    });
    const failInfo = e.failInfo.filter((f): f is FailInfo =>
      (FailInfoNames as readonly string[]).includes(f),
    );
    const body = errorBody({
      failInfo: failInfo.length ? failInfo : ["badRequest"],
      statusString: e.message,
    });
    try {
      await this.o.send(protectMessage(new PKIMessage({ header, body }), this.protection()), operation);
    } catch {
      // The user hears about the original failure either way.
    }
  }

  private async transmit(der: Uint8Array, operation: string): Promise<DecodedMessage> {
    let answer: Uint8Array;
    try {
      answer = await this.o.send(der, operation);
    } catch (e) {
      throw new CmpClientError(
        `transport failure: ${e instanceof Error ? e.message : String(e)}`,
        [],
        undefined,
        {
          cause: e,
        },
      );
    }
    try {
      return decodePKIMessage(answer, this.o.answerLimits);
    } catch (e) {
      const why = e instanceof CmpError ? e.statusString : String(e);
      throw new CmpClientError(`the server's answer is not a valid PKIMessage: ${why}`, ["badDataFormat"]);
    }
  }

  /** Protection first (nothing unauthenticated is trusted), then the header rules of validate.ts. */
  private async checkAnswer(
    rsp: DecodedMessage,
    answers: { transactionID: Uint8Array; senderNonce: Uint8Array },
    ownName: Name | undefined,
  ): Promise<void> {
    const now = this.now();
    const signer = await verifyAnswerProtection(rsp, {
      credential: this.o.credential,
      trust: this.o.trust,
      now,
      kemSecret: this.kemSecret,
      macLimits: this.o.macLimits,
    });
    const skew = this.o.maxClockSkewMs === undefined ? DEFAULT_MAX_CLOCK_SKEW_MS : this.o.maxClockSkewMs;
    const h = rsp.message.header;
    const strict = { ...TOLERANT_RULES, ...this.o.strict };
    try {
      checkHeader(h, {
        role: "client",
        now,
        maxClockSkewMs: skew ?? undefined,
        ownNames: ownName && !isEmptyName(ownName) ? [ownName] : undefined,
        answers,
        minNonceBytes: strict.minNonceBytes,
      });
      if (signer) checkSigner(h, signer, strict.requireSenderKID);
    } catch (e) {
      throw fromCmpError(e);
    }
  }

  private protection(): ProtectionCredential {
    const c = this.o.credential;
    if (c.kind === "signature")
      return { kind: "signature", key: c.key, certificate: c.certificate, chain: c.chain };
    if (c.kind === "kem") {
      const extraCerts = [c.certificate, ...(c.chain ?? [])];
      // RFC 9810 §5.1.3.4: the message that starts the KEM exchange is unprotected and carries the certificate.
      return this.kemSecret
        ? { kind: "kem", sharedSecret: this.kemSecret, extraCerts }
        : { kind: "none", extraCerts };
    }
    const kid = typeof c.reference === "string" ? new TextEncoder().encode(c.reference) : c.reference;
    return c.algorithm === "pbmac1"
      ? { kind: "pbmac1", secret: c.secret, senderKID: kid, iterations: c.iterations }
      : { kind: "pbm", secret: c.secret, senderKID: kid, iterations: c.iterations };
  }

  /**
   * RFC 9810 §5.1.3.4: asks the server for a KEM ciphertext to our KEM certificate (an unprotected
   * genm carrying the certificate), checks the server's signature on the answer, decapsulates.
   */
  private async kemBootstrap(operation: string): Promise<void> {
    const c = this.o.credential;
    if (c.kind !== "kem") return;
    const genm = genmBody([new InfoTypeAndValue({ infoType: oids.id_it_KemCiphertextInfo })]);
    const rsp = await this.roundTrip(genm, { operation, expect: "genp" });
    if (rsp.bodyType === "error") {
      throw statusError("the server reported an error", rsp.message.body.error!.pKIStatusInfo);
    }
    if (rsp.bodyType !== "genp")
      throw new CmpClientError(`expected genp but the server sent ${rsp.bodyType}`);
    if (protectionKind(rsp.message.header) !== "signature") {
      throw new CmpClientError("the KEM ciphertext must come signature-protected by the server");
    }
    const itav = rsp.message.body.genp!.find((i) => i.infoType === oids.id_it_KemCiphertextInfo);
    if (!itav?.infoValue) throw new CmpClientError("the server sent no KemCiphertextInfo");
    const info = AsnParser.parse(itav.infoValue, KemCiphertextInfo);
    try {
      this.kemSecret = kemDecapsulate(c.key, new Uint8Array(info.ct));
    } catch (e) {
      throw new CmpClientError(`KEM decapsulation failed: ${(e as Error).message}`, ["badMessageCheck"]);
    }
  }
}

/** RFC 9483 §3.1: the sender is the subject of the protection certificate; NULL-DN for MAC without a name. */
function defaultSender(c: ClientCredential): GeneralName {
  if (c.kind === "mac") return nullDn();
  return new GeneralName({
    directoryName: AsnParser.parse(c.certificate, Certificate).tbsCertificate.subject,
  });
}
