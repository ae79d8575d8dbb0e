// The CA role: answers CMP requests (RFC 9483 §4) — enrollment (ir, cr, kur, p10cr) with certConf or
// implicitConfirm, delayed delivery by polling, revocation (rr) and general messages (genm) — as a
// transport-free handler: DER PKIMessage in, DER PKIMessage out.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Certificate,
  CRLReason,
  Extensions,
  GeneralName,
  id_ce_cRLReasons,
  SubjectAlternativeName,
} from "@peculiar/asn1-x509";
import {
  CertConfirmContent,
  CertIds,
  CertOrEncCert,
  CertRepMessage,
  CertResponse,
  CertifiedKeyPair,
  CMPCertificates,
  ErrorMsgContent,
  InfoTypeAndValue,
  InfoTypeAndValues,
  PKIBody,
  PKIFreeText,
  PKIMessage,
  PKIStatus,
  PKIStatusInfos,
  PollRepContent,
  PollRepEntry,
  RevRepContent,
  type PKIBodyType,
  type PKIHeader,
} from "../asn1/cmp.js";
import { CertId, EncryptedKey, type CertReqMsg } from "../asn1/crmf.js";
import { buildEnvelopedData, techniqueFor, type Recipient } from "../pki/cms/enveloped.js";
import { centralKeyType, generateCentralKey, keyRecipient, packageKey } from "./kga.js";
import { CertProfileValue, GeneralizedTimeValue, KemCiphertextInfo } from "../asn1/itav.js";
import * as oids from "../asn1/oids.js";
import { CmpError, MessageDecodeError } from "../cmp/errors.js";
import { computeCertHash, certHashAlgorithm } from "../cmp/certhash.js";
import { buildHeader, hex, responseHeader } from "../cmp/header.js";
import { bodyContentDer, decodePKIMessage, type DecodedMessage } from "../cmp/message.js";
import { popKind, templatePublicKey, verifySignaturePop } from "../cmp/pop.js";
import { protectMessage, protectionKind, type ProtectionCredential } from "../cmp/protection.js";
import { statusInfo } from "../cmp/status.js";
import type { FailInfo } from "../cmp/failinfo.js";
import {
  importPublicKeySpki,
  kemEncapsulate,
  verify,
  type PrivateKey,
  type PublicKey,
} from "../crypto/index.js";
import { certificatePublicKey } from "../pki/path.js";
import type { CaMaterials } from "../config/materials.js";
import type { Config, Profile } from "../config/schema.js";
import { serialHex } from "../pki/certificate.js";
import { firstChild } from "../pki/der.js";
import { nameToString, namesEqual } from "../pki/names.js";
import type { Store, TransactionRecord } from "../store/store.js";
import { TransactionIdInUseError } from "../store/store.js";
import { answerGenm } from "./genm.js";
import { issueCertificate, templateSans, type IssuedCertificate } from "./issue.js";
import { authenticate, type Requester } from "./requester.js";

/** The unprotected genm that only asks for a KemCiphertextInfo (RFC 9810 §5.1.3.4). */
function isKemBootstrap(d: DecodedMessage): boolean {
  return (
    d.bodyType === "genm" &&
    protectionKind(d.message.header) === "none" &&
    d.message.body.genm!.length === 1 &&
    d.message.body.genm![0]!.infoType === oids.id_it_KemCiphertextInfo
  );
}

/** Which body types each RFC 9483 §6.1 operation path accepts; continuation messages fit every path. */
const OPERATION_BODIES: Readonly<Record<string, readonly PKIBodyType[]>> = {
  initialization: ["ir"],
  certification: ["cr"],
  keyupdate: ["kur"],
  pkcs10: ["p10cr"],
  revocation: ["rr"],
  getcacerts: ["genm"],
  getrootupdate: ["genm"],
  getcertreqtemplate: ["genm"],
  getcrls: ["genm"],
  nested: ["nested"],
};
const CONTINUATION: readonly PKIBodyType[] = ["certConf", "pollReq", "error"];

/** Failure kinds that concern one certificate request and go into a rejected ip/cp/kup (RFC 9483 §3.6.4). */
const REQUEST_SPECIFIC: ReadonlySet<FailInfo> = new Set([
  "badAlg",
  "badPOP",
  "badCertTemplate",
  "badCertId",
  "notAuthorized",
  "badRequest",
  "unacceptedExtension",
  "duplicateCertReq",
]);

export interface CaLogEvent {
  event: string;
  transactionId?: string;
  requester?: string;
  detail?: string;
}

export interface CertificateAuthorityOptions {
  config: Config;
  materials: CaMaterials;
  store: Store;
  now?: () => Date;
  log?: (e: CaLogEvent) => void;
}

interface TxData {
  profile: string;
  pvno: number;
  bodyType: "ir" | "cr" | "kur" | "p10cr";
  protection: string;
  implicitConfirm: boolean;
  /** Issued, waiting for certConf. */
  cert?: { der: string; serial: string; certReqId: number };
  /** kur: the certificate being replaced. */
  oldSerial?: string;
  /** Indirect POP (RFC 9810 §5.2.8.3): the certificate goes out encrypted; certConf proves possession. */
  encrCert?: boolean;
}

interface Answer {
  body: PKIBody;
  extraCerts?: Uint8Array[];
  generalInfo?: InfoTypeAndValue[];
  /** Transaction whose lastSenderNonce records this answer. */
  tx?: TransactionRecord;
  /** Protocol version of the answer when its syntax needs cmp2021 (EnvelopedData). */
  pvno?: number;
}

function b64(u: Uint8Array): string {
  return Buffer.from(u).toString("base64");
}

export class CertificateAuthority {
  private readonly config: Config;
  private readonly m: CaMaterials;
  private readonly store: Store;
  private readonly now: () => Date;
  private readonly log: (e: CaLogEvent) => void;
  private readonly issuerName: string;
  private readonly senderName: GeneralName;

  constructor(opts: CertificateAuthorityOptions) {
    this.config = opts.config;
    this.m = opts.materials;
    this.store = opts.store;
    this.now = opts.now ?? (() => new Date());
    this.log = opts.log ?? (() => undefined);
    this.issuerName = nameToString(this.m.caCert.cert.tbsCertificate.subject);
    this.senderName = new GeneralName({ directoryName: this.m.signer.cert.cert.tbsCertificate.subject });
  }

  /**
   * Housekeeping any replica may run: certificates whose certConf did not come within
   * confirmWaitTime are revoked (RFC 9483 §4.1.1), expired transactions and nonces are dropped.
   */
  async sweep(now = this.now()): Promise<{ revoked: number }> {
    const deadline = now.getTime() - this.config.policy.confirmWaitTime;
    let revoked = 0;
    for (const c of await this.store.findCertificates({ status: "unconfirmed", limit: 500 })) {
      if (c.issuer !== this.issuerName || c.createdAt.getTime() > deadline) continue;
      if (await this.store.setCertificateStatus(c.issuer, c.serial, "revoked", { time: now, reason: 5 })) {
        revoked++;
        this.log({
          event: "certificate-unconfirmed-revoked",
          transactionId: c.transactionId,
          requester: c.requester,
          detail: c.serial,
        });
      }
    }
    await this.store.purgeExpired(now);
    return { revoked };
  }

  /** GET /.well-known/cmp: the profiles and operations this CA offers. */
  discovery(): { profiles: string[]; operations: string[]; ca: string } {
    return {
      ca: this.issuerName,
      profiles: Object.keys(this.config.profiles),
      operations: Object.keys(OPERATION_BODIES).filter((o) => o !== "nested"),
    };
  }

  /** Handles one DER request; always returns a DER PKIMessage (an error message when it must). */
  async handle(der: Uint8Array, ctx: { profile?: string; operation?: string } = {}): Promise<Uint8Array> {
    let decoded: DecodedMessage | undefined;
    let requester: Requester | undefined;
    try {
      decoded = decodePKIMessage(der);
      const kemBootstrap = isKemBootstrap(decoded);
      if (!kemBootstrap) this.checkOperation(decoded.bodyType, ctx.operation);
      this.checkHeader(decoded.message.header);
      requester = await authenticate(
        decoded,
        {
          materials: this.m,
          macLimits: { maxIterations: this.config.policy.maxMacIterations, minIterations: 1 },
          isRevoked: async (issuer, serial) => {
            const rec = await this.store.getCertificate(issuer, serial);
            return rec !== undefined && rec.status !== "valid";
          },
          kemSecret: async (tid) => (await this.store.getTransaction(hex(tid)))?.kemSecret ?? undefined,
          now: this.now(),
        },
        { kemBootstrap },
      );
      const h = decoded.message.header;
      const fresh = await this.store.recordNonce(
        new Uint8Array(h.senderNonce!),
        new Date(this.now().getTime() + 2 * this.config.policy.messageTimeSkew + 86_400_000),
        this.now(),
      );
      if (!fresh) throw new CmpError("badSenderNonce", "senderNonce was used before (replayed message?)");
      const answer = kemBootstrap
        ? await this.kemBootstrap(decoded, requester)
        : await this.dispatch(decoded, requester, ctx.profile);
      return await this.respond(decoded, requester, answer);
    } catch (e) {
      return this.errorResponse(decoded, requester, e);
    }
  }

  private checkOperation(bodyType: PKIBodyType, operation?: string): void {
    if (!operation || CONTINUATION.includes(bodyType)) return;
    const allowed = OPERATION_BODIES[operation];
    if (allowed && !allowed.includes(bodyType)) {
      throw new CmpError("badRequest", `a ${bodyType} message does not belong on the "${operation}" path`);
    }
  }

  // RFC 9483 §3.1 / RFC 9810 §5.1.1: the header fields a server relies on.
  private checkHeader(h: PKIHeader): void {
    if (h.pvno !== 2 && h.pvno !== 3) {
      throw new CmpError(
        "unsupportedVersion",
        `pvno ${h.pvno} is not supported; use 2 (cmp2000) or 3 (cmp2021)`,
      );
    }
    if (!h.transactionID || h.transactionID.byteLength === 0) {
      throw new CmpError("badRequest", "transactionID is missing");
    }
    if (!h.senderNonce || h.senderNonce.byteLength < 8) {
      throw new CmpError("badSenderNonce", "senderNonce is missing or shorter than 64 bits");
    }
    if (h.messageTime) {
      const skew = Math.abs(this.now().getTime() - h.messageTime.getTime());
      if (skew > this.config.policy.messageTimeSkew) {
        throw new CmpError(
          "badTime",
          `messageTime differs from the CA's clock by ${Math.round(skew / 1000)} s`,
        );
      }
    }
    const r = h.recipient.directoryName;
    if (r && r.length > 0) {
      const known = [this.m.caCert, this.m.signer.cert, ...this.m.chain].some((c) =>
        namesEqual(c.cert.tbsCertificate.subject, r),
      );
      if (!known) throw new CmpError("wrongAuthority", `recipient "${nameToString(r)}" is not this CA`);
    }
  }

  private async dispatch(d: DecodedMessage, who: Requester, pathProfile?: string): Promise<Answer> {
    switch (d.bodyType) {
      case "ir":
      case "cr":
      case "kur":
      case "p10cr":
        return this.enroll(d, who, pathProfile);
      case "certConf":
        return this.certConf(d, who);
      case "pollReq":
        return this.pollReq(d, who);
      case "rr":
        return this.revoke(d, who);
      case "genm":
        await this.newTransaction(d, who, "genm", "done", null);
        return {
          body: new PKIBody({
            genp: new InfoTypeAndValues(
              await answerGenm(d.message.body.genm!, {
                materials: this.m,
                config: this.config,
                store: this.store,
                now: this.now(),
                profile: this.profileName(d, who, pathProfile),
              }),
            ),
          }),
        };
      case "error": {
        // RFC 9483 §3.6.4: an EE reporting an error ends the transaction; acknowledge with pkiConf.
        const tx = await this.store.getTransaction(hex(d.message.header.transactionID));
        if (tx)
          await this.store.updateTransaction(tx.transactionId, tx.version, { state: "done" }, this.now());
        this.log({
          event: "ee-error",
          transactionId: hex(d.message.header.transactionID),
          requester: who.id,
        });
        return { body: new PKIBody({ pkiconf: null }) };
      }
      default:
        throw new CmpError("badRequest", `this CA does not accept ${d.bodyType} messages`);
    }
  }

  private profileName(d: DecodedMessage, who: Requester, pathProfile?: string): string {
    let name = pathProfile;
    const gi = d.message.header.generalInfo?.find((i) => i.infoType === oids.id_it_certProfile);
    if (!name && gi?.infoValue) {
      try {
        name = AsnParser.parse(gi.infoValue, CertProfileValue)[0];
      } catch {
        throw new CmpError("badRequest", "certProfile in generalInfo is malformed");
      }
    }
    if (!name && who.kind === "mac") name = who.secret.profile;
    name ??= "default";
    if (!this.config.profiles[name])
      throw new CmpError("badRequest", `unknown certificate profile "${name}"`);
    return name;
  }

  private async newTransaction(
    d: DecodedMessage,
    who: Requester,
    kind: string,
    state: string,
    data: TxData | null,
  ): Promise<TransactionRecord> {
    const ttl = Math.max(this.config.policy.confirmWaitTime, 2 * this.config.policy.messageTimeSkew);
    try {
      return await this.store.createTransaction(
        {
          transactionId: hex(d.message.header.transactionID),
          requester: who.id,
          kind,
          state,
          data: data ? new TextEncoder().encode(JSON.stringify(data)) : null,
          lastSenderNonce: null,
          expiresAt: new Date(this.now().getTime() + ttl),
        },
        this.now(),
      );
    } catch (e) {
      if (e instanceof TransactionIdInUseError) {
        // A transaction opened by a KEM exchange (RFC 9810 §5.1.3.4) goes on with the real request.
        const tx = await this.store.getTransaction(hex(d.message.header.transactionID));
        if (
          tx &&
          tx.state === "kem-protection" &&
          tx.requester === who.id &&
          who.kind === "cert" &&
          who.kemSecret
        ) {
          return this.store.updateTransaction(
            tx.transactionId,
            tx.version,
            {
              state,
              data: data ? new TextEncoder().encode(JSON.stringify(data)) : null,
              expiresAt: new Date(this.now().getTime() + ttl),
            },
            this.now(),
          );
        }
        throw new CmpError(
          "transactionIdInUse",
          "transactionID is already in use; start a new transaction with a fresh one",
        );
      }
      throw e;
    }
  }

  /**
   * RFC 9810 §5.1.3.4: an EE whose only credential is a KEM certificate asks for a ciphertext; the
   * CA encapsulates to the certificate's key, keeps the shared secret for this transaction and
   * answers with KemCiphertextInfo, signed.
   */
  private async kemBootstrap(d: DecodedMessage, who: Requester): Promise<Answer> {
    if (who.kind !== "cert") throw new CmpError("badRequest", "KemCiphertextInfo needs a KEM certificate");
    const key = certificatePublicKey(who.cert.cert);
    const { sharedSecret, ciphertext } = kemEncapsulate(key);
    const opened = await this.newTransaction(d, who, "kem", "kem-protection", null);
    const tx = await this.store.updateTransaction(
      opened.transactionId,
      opened.version,
      { kemSecret: sharedSecret },
      this.now(),
    );
    const info = new KemCiphertextInfo({
      kem: new AlgorithmIdentifier({
        algorithm: who.cert.cert.tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm,
      }),
      ct: ciphertext.slice().buffer,
    });
    this.log({ event: "kem-ciphertext-sent", transactionId: tx.transactionId, requester: who.id });
    return {
      body: new PKIBody({
        genp: new InfoTypeAndValues([
          new InfoTypeAndValue({
            infoType: oids.id_it_KemCiphertextInfo,
            infoValue: AsnSerializer.serialize(info),
          }),
        ]),
      }),
      tx,
    };
  }

  private async continuation(
    d: DecodedMessage,
    who: Requester,
    state: string,
  ): Promise<{ tx: TransactionRecord; data: TxData }> {
    const h = d.message.header;
    const tx = await this.store.getTransaction(hex(h.transactionID));
    if (!tx || tx.expiresAt < this.now()) {
      throw new CmpError("badRequest", `no open transaction ${hex(h.transactionID)} (unknown or expired)`);
    }
    if (tx.requester !== who.id)
      throw new CmpError("notAuthorized", "the transaction belongs to another requester");
    if (tx.state !== state) {
      throw new CmpError(
        tx.state === "done" && d.bodyType === "certConf" ? "certConfirmed" : "badRequest",
        `transaction is in state "${tx.state}", a ${d.bodyType} does not fit`,
      );
    }
    if (
      !h.recipNonce ||
      !tx.lastSenderNonce ||
      !Buffer.from(h.recipNonce).equals(Buffer.from(tx.lastSenderNonce))
    ) {
      throw new CmpError(
        "badRecipientNonce",
        "recipNonce does not match the senderNonce of the CA's last message",
      );
    }
    return { tx, data: JSON.parse(new TextDecoder().decode(tx.data!)) as TxData };
  }

  // ---- enrollment: ir / cr / kur / p10cr (RFC 9483 §4.1) ----

  private repType(t: TxData["bodyType"]): "ip" | "cp" | "kup" {
    return t === "ir" ? "ip" : t === "kur" ? "kup" : "cp";
  }

  private certRep(t: TxData["bodyType"], responses: CertResponse[], caPubs?: Uint8Array[]): PKIBody {
    const rep = new CertRepMessage({ response: responses });
    if (caPubs?.length) rep.caPubs = new CMPCertificates(caPubs.map((c) => AsnParser.parse(c, Certificate)));
    return new PKIBody({ [this.repType(t)]: rep });
  }

  private async enroll(d: DecodedMessage, who: Requester, pathProfile?: string): Promise<Answer> {
    const type = d.bodyType as TxData["bodyType"];
    const certReqId = type === "p10cr" ? -1 : (d.message.body[type]?.[0]?.certReq.certReqId ?? 0);
    const tx = await this.newTransaction(d, who, type, "processing", null);
    try {
      const profileName = this.profileName(d, who, pathProfile);
      const profile = this.config.profiles[profileName]!;
      this.authorizeEnrollment(type, who, profile, profileName);
      const input = this.enrollmentInput(d, who, profile);
      const data: TxData = {
        profile: profileName,
        pvno: d.message.header.pvno,
        bodyType: type,
        protection: protectionKind(d.message.header),
        implicitConfirm: this.implicitConfirmRequested(d.message.header),
        oldSerial:
          type === "kur" && who.kind === "cert"
            ? serialHex(who.cert.cert.tbsCertificate.serialNumber)
            : undefined,
        encrCert: input.encrCert,
      };
      if (profile.requireApproval) {
        const summary = `${type} for "${input.subject ? nameToString(input.subject) : "(old subject)"}" by ${who.id}`;
        await this.store.createApproval(
          {
            transactionId: tx.transactionId,
            requester: who.id,
            profile: profileName,
            summary,
            request: d.der,
          },
          this.now(),
        );
        const waiting = await this.store.updateTransaction(
          tx.transactionId,
          tx.version,
          {
            state: "waiting-approval",
            data: new TextEncoder().encode(JSON.stringify(data)),
            expiresAt: new Date(this.now().getTime() + 7 * 86_400_000),
          },
          this.now(),
        );
        this.log({
          event: "enrollment-waiting",
          transactionId: tx.transactionId,
          requester: who.id,
          detail: summary,
        });
        // RFC 9483 §4.4: answer "waiting"; the EE polls with pollReq.
        const resp = new CertResponse({
          certReqId,
          status: statusInfo(PKIStatus.waiting, { text: "the request waits for approval" }),
        });
        return { body: this.certRep(type, [resp]), tx: waiting };
      }
      return await this.issueAndAnswer(who, tx, data, input, certReqId);
    } catch (e) {
      if (e instanceof CmpError && e.failInfo.every((f) => REQUEST_SPECIFIC.has(f))) {
        // RFC 9483 §3.6.4: a request-specific failure is a rejected ip/cp/kup.
        const done = await this.store.updateTransaction(
          tx.transactionId,
          tx.version,
          { state: "done" },
          this.now(),
        );
        this.log({
          event: "enrollment-rejected",
          transactionId: tx.transactionId,
          requester: who.id,
          detail: e.statusString,
        });
        const resp = new CertResponse({
          certReqId,
          status: statusInfo(PKIStatus.rejection, { text: e.statusString, failInfo: e.failInfo }),
        });
        return { body: this.certRep(type, [resp]), tx: done };
      }
      throw e;
    }
  }

  private implicitConfirmRequested(h: PKIHeader): boolean {
    return !!h.generalInfo?.some((i) => i.infoType === oids.id_it_implicitConfirm);
  }

  private authorizeEnrollment(
    type: TxData["bodyType"],
    who: Requester,
    profile: Profile,
    profileName: string,
  ): void {
    const kind = who.kind === "mac" ? "mac" : who.source;
    if (!profile.requesters.includes(kind)) {
      throw new CmpError(
        "notAuthorized",
        `profile "${profileName}" does not accept requests from ${kind} requesters`,
      );
    }
    // RFC 9483 §4.1.3: kur is protected with the certificate being updated, which this CA issued.
    if (type === "kur" && (who.kind !== "cert" || who.source !== "issued")) {
      throw new CmpError(
        "notAuthorized",
        "a key update must be signed with the certificate being updated, issued by this CA",
      );
    }
  }

  private enrollmentInput(d: DecodedMessage, who: Requester, profile: Profile) {
    const type = d.bodyType;
    if (type === "p10cr") return this.p10crInput(d);
    const reqs = d.message.body[type as "ir" | "cr" | "kur"]!;
    if (reqs.length !== 1) {
      throw new CmpError(
        "badRequest",
        `exactly one certificate request per message is supported, found ${reqs.length}`,
      );
    }
    const msg = reqs[0]!;
    if (msg.certReq.certReqId !== 0)
      throw new CmpError("badRequest", "certReqId must be 0 (RFC 9483 §4.1.1)");
    const t = msg.certReq.certTemplate;
    let publicKey = templatePublicKey(msg);
    let central: { key: PrivateKey; recipient: Recipient } | undefined;
    let encrCert = false;
    if (!publicKey) {
      // RFC 9483 §4.1.6: an empty subjectPublicKey asks for central key generation.
      if (!this.m.kga || !profile.centralKeyGeneration) {
        throw new CmpError(
          "badCertTemplate",
          "central key generation (empty public key) is not offered here",
        );
      }
      const recipient = keyRecipient(who);
      const key = generateCentralKey(centralKeyType(t.publicKey, msg.certReq.controls, profile));
      central = { key, recipient };
      publicKey = key.publicKey;
    } else {
      encrCert = this.checkPop(msg, publicKey, who) === "encrCert";
    }
    let oldSubject;
    if (type === "kur" && who.kind === "cert") {
      const old = who.cert.cert;
      oldSubject = old.tbsCertificate.subject;
      this.checkOldCertId(msg, old);
      const oldKey = new Uint8Array(AsnSerializer.serialize(old.tbsCertificate.subjectPublicKeyInfo));
      if (Buffer.from(oldKey).equals(Buffer.from(publicKey.spki))) {
        throw new CmpError(
          "badCertTemplate",
          "a key update needs a new key; the request repeats the old one",
        );
      }
    }
    return {
      subject: t.subject,
      oldSubject,
      publicKey,
      requestedSans: templateSans(t),
      requestedNotAfter: t.validity?.notAfter?.getTime(),
      encrCert,
      central,
    };
  }

  private checkOldCertId(msg: CertReqMsg, old: Certificate): void {
    const ctl = msg.certReq.controls?.find((c) => c.type === oids.id_regCtrl_oldCertID);
    if (!ctl) return;
    let id: CertId;
    try {
      id = AsnParser.parse(ctl.value, CertId);
    } catch {
      throw new CmpError("badRequest", "the oldCertID control is malformed");
    }
    const sameSerial = serialHex(id.serialNumber) === serialHex(old.tbsCertificate.serialNumber);
    const sameIssuer =
      !id.issuer.directoryName || namesEqual(id.issuer.directoryName, old.tbsCertificate.issuer);
    if (!sameSerial || !sameIssuer) {
      throw new CmpError("badCertId", "oldCertID does not name the certificate that protects the key update");
    }
  }

  private checkPop(msg: CertReqMsg, key: PublicKey, who: Requester): "direct" | "encrCert" {
    const kind = popKind(msg);
    if (kind === "signature") {
      verifySignaturePop(msg, key);
      return "direct";
    }
    if (kind === "raVerified") {
      // RFC 9483 §5.2.3.2: only an authorized RA may vouch for the POP.
      if (who.kind === "cert" && who.source === "ra") return "direct";
      throw new CmpError("badPOP", "raVerified POP is accepted only from an authorized RA");
    }
    if (kind === "encrCert") {
      // RFC 9810 §5.2.8.3: the certificate is returned encrypted to the new key (KEM keys have no other POP).
      try {
        techniqueFor(key);
      } catch {
        throw new CmpError("badPOP", `a ${key.type} key cannot receive an encrypted certificate`);
      }
      return "encrCert";
    }
    throw new CmpError(
      "badPOP",
      kind === "none"
        ? "the request carries no proof-of-possession"
        : `proof-of-possession by ${kind} is not supported for this key; sign the request with the new key`,
    );
  }

  private p10crInput(d: DecodedMessage) {
    const csr = d.message.body.p10cr!;
    const info = csr.certificationRequestInfo;
    const spki = new Uint8Array(AsnSerializer.serialize(info.subjectPKInfo));
    let publicKey: PublicKey;
    try {
      publicKey = importPublicKeySpki(spki);
    } catch {
      throw new CmpError("badCertTemplate", "the public key in the PKCS#10 request cannot be read");
    }
    // The CSR signature is its proof-of-possession (RFC 9483 §4.1.4), checked over the received bytes.
    const csrDer = bodyContentDer(d);
    let ok: boolean;
    try {
      ok = verify(csr.signatureAlgorithm, publicKey, firstChild(csrDer), new Uint8Array(csr.signature));
    } catch {
      ok = false;
    }
    if (!ok) throw new CmpError("badPOP", "the PKCS#10 request's signature does not verify");
    const extReq = info.attributes.find((a) => a.type === "1.2.840.113549.1.9.14");
    let requestedSans: GeneralName[] = [];
    if (extReq?.values[0]) {
      const exts = AsnParser.parse(extReq.values[0], Extensions);
      const san = exts.find((e) => e.extnID === "2.5.29.17");
      if (san) requestedSans = [...AsnParser.parse(san.extnValue.buffer, SubjectAlternativeName)];
    }
    return {
      subject: info.subject,
      oldSubject: undefined,
      publicKey,
      requestedSans,
      requestedNotAfter: undefined,
      encrCert: false,
      central: undefined,
    };
  }

  private async issueAndAnswer(
    who: Requester,
    tx: TransactionRecord,
    data: TxData,
    input: ReturnType<CertificateAuthority["enrollmentInput"]>,
    certReqId: number,
  ): Promise<Answer> {
    const profile = this.config.profiles[data.profile]!;
    // An encrypted certificate is only proven received by certConf: no implicit confirmation.
    const implicit = data.implicitConfirm && this.config.policy.allowImplicitConfirm && !data.encrCert;
    let issued: IssuedCertificate | undefined;
    for (let attempt = 0; attempt < 3 && !issued; attempt++) {
      const candidate = issueCertificate(
        this.m,
        { ...input, profileName: data.profile, profile, requester: who },
        this.now(),
      );
      try {
        // Durable before it leaves: the store commits synchronously to disk (see docs/store.md).
        await this.store.insertCertificate({
          serial: candidate.serial,
          issuer: this.issuerName,
          subject: candidate.subject,
          der: candidate.der,
          notBefore: candidate.notBefore,
          notAfter: candidate.notAfter,
          status: implicit ? "valid" : "unconfirmed",
          profile: data.profile,
          requester: who.id,
          transactionId: tx.transactionId,
          createdAt: this.now(),
        });
        issued = candidate;
      } catch (e) {
        if (!(e instanceof Error && e.name === "DuplicateSerialError")) throw e;
      }
    }
    if (!issued) throw new CmpError("systemFailure", "could not allocate a unique serial number");
    const generalInfo: InfoTypeAndValue[] = [];
    let next: TransactionRecord;
    if (implicit) {
      generalInfo.push(
        new InfoTypeAndValue({
          infoType: oids.id_it_implicitConfirm,
          infoValue: new Uint8Array([5, 0]).buffer,
        }),
      );
      next = await this.store.updateTransaction(tx.transactionId, tx.version, { state: "done" }, this.now());
      await this.afterConfirm(data);
    } else {
      data.cert = { der: b64(issued.der), serial: issued.serial, certReqId };
      const deadline = new Date(this.now().getTime() + this.config.policy.confirmWaitTime);
      next = await this.store.updateTransaction(
        tx.transactionId,
        tx.version,
        {
          state: "waiting-certconf",
          data: new TextEncoder().encode(JSON.stringify(data)),
          expiresAt: deadline,
        },
        this.now(),
      );
      generalInfo.push(
        new InfoTypeAndValue({
          infoType: oids.id_it_confirmWaitTime,
          infoValue: AsnSerializer.serialize(
            new GeneralizedTimeValue(new Date(Math.floor(deadline.getTime() / 1000) * 1000)),
          ),
        }),
      );
    }
    this.log({
      event: "certificate-issued",
      transactionId: tx.transactionId,
      requester: who.id,
      detail: `${issued.subject} serial ${issued.serial}`,
    });
    const resp = new CertResponse({
      certReqId,
      status: statusInfo(PKIStatus.accepted),
      certifiedKeyPair: new CertifiedKeyPair({
        certOrEncCert: data.encrCert
          ? new CertOrEncCert({
              encryptedCert: new EncryptedKey({
                envelopedData: buildEnvelopedData(issued.der, oids.id_data, [
                  { kind: "certificate", certificate: issued.der },
                ]),
              }),
            })
          : new CertOrEncCert({ certificate: AsnParser.parse(issued.der, Certificate) }),
        privateKey: input.central
          ? packageKey(this.m, input.central.key, input.central.recipient)
          : undefined,
      }),
    });
    // RFC 9483 §4.1.1: extraCerts carry the chain of the new certificate; caPubs the root for MAC-based ir (§4.1.5).
    const chain = [this.m.caCert.der, ...this.m.chain.map((c) => c.der)];
    const root = this.m.chain.length ? this.m.chain[this.m.chain.length - 1]!.der : this.m.caCert.der;
    const caPubs = who.kind === "mac" && data.bodyType === "ir" ? [root] : undefined;
    return {
      body: this.certRep(data.bodyType, [resp], caPubs),
      extraCerts: chain,
      generalInfo,
      tx: next,
      // RFC 9810 §7: EnvelopedData in a message needs cmp2021.
      pvno: data.encrCert || input.central ? 3 : undefined,
    };
  }

  /** After confirmation: kur may retire the old certificate (policy). */
  private async afterConfirm(data: TxData): Promise<void> {
    if (data.bodyType === "kur" && data.oldSerial && this.config.policy.revokeOnKeyUpdate) {
      await this.store.setCertificateStatus(this.issuerName, data.oldSerial, "revoked", {
        time: this.now(),
        reason: 4,
      });
    }
  }

  // ---- certConf (RFC 9483 §4.1.1, RFC 9810 §5.3.18) ----

  private async certConf(d: DecodedMessage, who: Requester): Promise<Answer> {
    const { tx, data } = await this.continuation(d, who, "waiting-certconf");
    const content: CertConfirmContent = d.message.body.certConf!;
    const cert = data.cert!;
    if (content.length !== 1 || content[0]!.certReqId !== cert.certReqId) {
      throw new CmpError("badRequest", `certConf must hold one CertStatus for certReqId ${cert.certReqId}`);
    }
    const st = content[0]!;
    const der = new Uint8Array(Buffer.from(cert.der, "base64"));
    if (st.hashAlg && d.message.header.pvno !== 3) {
      throw new CmpError("badRequest", "CertStatus.hashAlg requires pvno 3 (RFC 9810 §5.3.18)");
    }
    const alg = st.hashAlg ?? certHashAlgorithm(AsnParser.parse(der, Certificate)).alg;
    const expected = computeCertHash(der, alg);
    if (!Buffer.from(expected).equals(Buffer.from(st.certHash))) {
      throw new CmpError("badCertId", "certHash does not match the certificate issued in this transaction");
    }
    const rejected = st.statusInfo && st.statusInfo.status === PKIStatus.rejection;
    if (rejected) {
      // RFC 9483 §4.1.1: a certificate the EE rejects is revoked.
      await this.store.setCertificateStatus(this.issuerName, cert.serial, "revoked", {
        time: this.now(),
        reason: 5,
      });
      this.log({
        event: "certificate-rejected-by-ee",
        transactionId: tx.transactionId,
        requester: who.id,
        detail: cert.serial,
      });
    } else {
      await this.store.setCertificateStatus(this.issuerName, cert.serial, "valid");
      await this.afterConfirm(data);
      this.log({
        event: "certificate-confirmed",
        transactionId: tx.transactionId,
        requester: who.id,
        detail: cert.serial,
      });
    }
    const done = await this.store.updateTransaction(
      tx.transactionId,
      tx.version,
      { state: "done" },
      this.now(),
    );
    return { body: new PKIBody({ pkiconf: null }), tx: done };
  }

  // ---- delayed delivery (RFC 9483 §4.4) ----

  private async pollReq(d: DecodedMessage, who: Requester): Promise<Answer> {
    const { tx, data } = await this.continuation(d, who, "waiting-approval");
    const certReqId = data.bodyType === "p10cr" ? -1 : 0;
    const ids = d.message.body.pollReq!.map((p) => p.certReqId);
    if (ids.length !== 1 || ids[0] !== certReqId) {
      throw new CmpError("badRequest", `pollReq must name certReqId ${certReqId}`);
    }
    const approval = await this.store.getApprovalByTransaction(tx.transactionId);
    if (!approval || approval.status === "pending") {
      const checkAfter = Math.max(1, Math.round(this.config.policy.pollInterval / 1000));
      const body = new PKIBody({
        pollRep: new PollRepContent([
          new PollRepEntry({
            certReqId,
            checkAfter,
            reason: new PKIFreeText(["waiting for approval by a PKI operator"]),
          }),
        ]),
      });
      return { body, tx: await this.store.updateTransaction(tx.transactionId, tx.version, {}, this.now()) };
    }
    if (approval.status === "rejected") {
      const done = await this.store.updateTransaction(
        tx.transactionId,
        tx.version,
        { state: "done" },
        this.now(),
      );
      const resp = new CertResponse({
        certReqId,
        status: statusInfo(PKIStatus.rejection, {
          text: `rejected by a PKI operator${approval.reason ? `: ${approval.reason}` : ""}`,
          failInfo: ["notAuthorized"],
        }),
      });
      return { body: this.certRep(data.bodyType, [resp]), tx: done };
    }
    // Approved: the original request was authenticated and its POP checked when it arrived.
    const original = decodePKIMessage(approval.request);
    const input = this.enrollmentInput(original, who, this.config.profiles[data.profile]!);
    return this.issueAndAnswer(who, tx, data, input, certReqId);
  }

  // ---- revocation (RFC 9483 §4.2) ----

  private async revoke(d: DecodedMessage, who: Requester): Promise<Answer> {
    const tx = await this.newTransaction(d, who, "rr", "done", null);
    const details = d.message.body.rr!;
    const answer = (status: ReturnType<typeof statusInfo>, ids?: CertId[]): Answer => ({
      body: new PKIBody({
        rp: new RevRepContent({
          status: new PKIStatusInfos([status]),
          revCerts: ids ? new CertIds(ids) : undefined,
        }),
      }),
      tx,
    });
    try {
      if (details.length !== 1)
        throw new CmpError("badRequest", "exactly one RevDetails per rr is supported");
      const t = details[0]!.certDetails;
      if (!t.issuer || !t.serialNumber) {
        throw new CmpError(
          "badRequest",
          "certDetails must hold the issuer and serialNumber of the certificate to revoke",
        );
      }
      if (!namesEqual(t.issuer, this.m.caCert.cert.tbsCertificate.subject)) {
        throw new CmpError(
          "badCertId",
          `certificates of "${nameToString(t.issuer)}" are not revoked by this CA`,
        );
      }
      const serial = serialHex(t.serialNumber);
      const rec = await this.store.getCertificate(this.issuerName, serial);
      if (!rec) throw new CmpError("badCertId", `no certificate with serial ${serial} was issued by this CA`);
      const holder = who.kind === "cert" && Buffer.from(who.cert.der).equals(Buffer.from(rec.der));
      const ra = who.kind === "cert" && who.source === "ra";
      if (!holder && !ra) {
        throw new CmpError(
          "notAuthorized",
          "a revocation must be signed with the certificate to be revoked, or by an authorized RA",
        );
      }
      if (rec.status === "revoked")
        throw new CmpError("certRevoked", `certificate ${serial} is already revoked`);
      const reason = revocationReason(details[0]!.crlEntryDetails);
      await this.store.setCertificateStatus(this.issuerName, serial, "revoked", { time: this.now(), reason });
      this.log({
        event: "certificate-revoked",
        transactionId: tx.transactionId,
        requester: who.id,
        detail: `${serial} reason ${reason}`,
      });
      return answer(statusInfo(PKIStatus.accepted));
    } catch (e) {
      if (e instanceof CmpError) {
        // RFC 9483 §4.2: revocation failures are reported in the rp status.
        return answer(statusInfo(PKIStatus.rejection, { text: e.statusString, failInfo: e.failInfo }));
      }
      throw e;
    }
  }

  // ---- responses ----

  private credentialFor(d: DecodedMessage | undefined, who: Requester | undefined): ProtectionCredential {
    if (who?.kind === "cert" && who.kemSecret && d && protectionKind(d.message.header) === "kem") {
      // RFC 9810 §5.1.3.4: the responder protects with the same KEM-derived MAC key.
      return { kind: "kem", sharedSecret: who.kemSecret };
    }
    if (who?.kind === "mac" && d) {
      const kind = protectionKind(d.message.header);
      return {
        kind: kind === "pbmac1" ? "pbmac1" : "pbm",
        secret: who.secret.secret,
        senderKID: d.message.header.senderKID ? new Uint8Array(d.message.header.senderKID) : undefined,
      };
    }
    return {
      kind: "signature",
      key: this.m.signer.key,
      certificate: this.m.signer.cert.der,
      chain: this.signerChain(),
    };
  }

  private signerChain(): Uint8Array[] {
    const s = this.m.signer.cert;
    if (Buffer.from(s.der).equals(Buffer.from(this.m.caCert.der))) return this.m.chain.map((c) => c.der);
    return [this.m.caCert.der, ...this.m.chain.map((c) => c.der)];
  }

  private async respond(d: DecodedMessage, who: Requester, a: Answer): Promise<Uint8Array> {
    const header = responseHeader(d.message.header, {
      pvno: a.pvno,
      sender: this.senderName,
      recipKID: d.message.header.senderKID ? new Uint8Array(d.message.header.senderKID) : undefined,
      generalInfo: a.generalInfo,
    });
    if (a.tx) {
      await this.store.updateTransaction(
        a.tx.transactionId,
        a.tx.version,
        {
          lastSenderNonce: new Uint8Array(header.senderNonce!),
        },
        this.now(),
      );
    }
    const msg = new PKIMessage({ header, body: a.body });
    const cred = this.credentialFor(d, who);
    if (cred.kind === "signature") {
      const extra = [...(cred.chain ?? [])];
      for (const c of a.extraCerts ?? []) {
        if (![cred.certificate, ...extra].some((x) => Buffer.from(x).equals(Buffer.from(c)))) extra.push(c);
      }
      cred.chain = extra;
    } else {
      cred.extraCerts = a.extraCerts;
    }
    return protectMessage(msg, cred);
  }

  /** RFC 9483 §3.6.4: an error message, protected whenever the CA can. */
  private errorResponse(d: DecodedMessage | undefined, who: Requester | undefined, e: unknown): Uint8Array {
    let err: CmpError;
    if (e instanceof CmpError) err = e;
    else if (e instanceof TransactionIdInUseError)
      err = new CmpError("transactionIdInUse", "transactionID is already in use");
    else {
      this.log({ event: "internal-error", detail: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      err = new CmpError("systemFailure", "the CA could not process the request; try again later");
    }
    if (!(e instanceof MessageDecodeError) && e instanceof CmpError) {
      this.log({
        event: "request-failed",
        transactionId: d ? hex(d.message.header.transactionID) : undefined,
        requester: who?.id,
        detail: `${err.failInfo.join(",")}: ${err.statusString}`,
      });
    }
    const body = new PKIBody({
      error: new ErrorMsgContent({
        pKIStatusInfo: statusInfo(PKIStatus.rejection, { text: err.statusString, failInfo: err.failInfo }),
      }),
    });
    const h = d?.message.header;
    const header = h
      ? responseHeader(h, { sender: this.senderName, pvno: h.pvno === 3 ? 3 : 2 })
      : buildHeader({ sender: this.senderName });
    return protectMessage(new PKIMessage({ header, body }), this.credentialFor(d, who));
  }
}

function revocationReason(
  exts: { extnID: string; extnValue: { buffer: ArrayBuffer } }[] | undefined,
): number {
  const ext = exts?.find((x) => x.extnID === id_ce_cRLReasons);
  if (!ext) return 0;
  try {
    return AsnParser.parse(ext.extnValue.buffer, CRLReason).reason;
  } catch {
    throw new CmpError("badRequest", "the reasonCode in crlEntryDetails is malformed");
  }
}
