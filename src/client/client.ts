// The end-entity CMP client (RFC 9483 §4): one call per operation, validating every response's
// nonces, protection and issued certificates, confirming with certConf and polling when asked to wait.
import { AsnParser, AsnSerializer, BitString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  Certificate,
  CertificateList,
  CRLReason,
  Extension,
  GeneralName,
  id_ce_cRLReasons,
  Name,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
  Time,
} from "@peculiar/asn1-x509";
import { OctetString } from "@peculiar/asn1-schema";
import { CertificationRequest } from "@peculiar/asn1-csr";
import {
  CertConfirmContent,
  CertificateLists,
  CertRepMessage,
  CertStatus,
  CMPCertificates,
  InfoTypeAndValue,
  InfoTypeAndValues,
  PKIBody,
  PKIMessage,
  PKIStatus,
  PollReqContent,
  PollReqEntry,
  RevDetails,
  RevReqContent,
  RootCaKeyUpdateContent,
  type PKIBodyType,
  type PKIHeader,
  type PKIStatusInfo,
} from "../asn1/cmp.js";
import {
  AttributeTypeAndValue,
  CertId,
  CertReqMessages,
  CertReqMsg,
  CertRequest,
  CertTemplate,
  OptionalValidity,
  POPOPrivKey,
  POPOSigningKey,
  ProofOfPossession,
  SubsequentMessage,
} from "../asn1/crmf.js";
import { openEnvelopedData } from "../pki/cms/enveloped.js";
import { verifySignedData } from "../pki/cms/signed.js";
import { readTlv } from "../pki/der.js";
import { EnvelopedData, SignedData } from "@peculiar/asn1-cms";
import {
  CertProfileValue,
  CertReqTemplateContent,
  CRLSource,
  CRLStatus,
  CRLStatusListValue,
  GeneralNameList,
  KemCiphertextInfo,
} from "../asn1/itav.js";
import * as oids from "../asn1/oids.js";
import { CmpError } from "../cmp/errors.js";
import { certHashAlgorithm, computeCertHash } from "../cmp/certhash.js";
import { buildHeader, hex, PVNO_CMP2000, PVNO_CMP2021 } from "../cmp/header.js";
import { decodePKIMessage, type DecodedMessage } from "../cmp/message.js";
import {
  protectMessage,
  protectionKind,
  verifyMacProtection,
  verifySignatureProtection,
  type ProtectionCredential,
} from "../cmp/protection.js";
import { formatStatus, statusInfo } from "../cmp/status.js";
import { verifyKemProtection } from "../cmp/kem-protection.js";
import {
  defaultSignatureAlgorithm,
  generateKeyPair,
  importPrivateKeyPkcs8,
  importPublicKeySpki,
  kemDecapsulate,
  sign,
  type PrivateKey,
} from "../crypto/index.js";
import { getSubjectKeyIdentifier } from "../pki/extensions.js";
import { namesEqual, nullDn, parseName } from "../pki/names.js";
import { certEntry, PathValidationError, validatePath, type CertEntry } from "../pki/path.js";

/** A failure the client reports to its user; `failInfo` names what the server (or the client) objected to. */
export class CmpClientError extends Error {
  override readonly name = "CmpClientError";
  constructor(
    message: string,
    readonly failInfo: readonly string[] = [],
    readonly serverStatus?: string,
  ) {
    super(message);
  }
}

export type ClientCredential =
  | {
      kind: "mac";
      reference: string | Uint8Array;
      secret: Uint8Array;
      algorithm?: "pbm" | "pbmac1";
      iterations?: number;
    }
  | { kind: "signature"; key: PrivateKey; certificate: Uint8Array; chain?: Uint8Array[] }
  /** A KEM certificate (ML-KEM): each transaction starts with a KemCiphertextInfo exchange (RFC 9810 §5.1.3.4). */
  | { kind: "kem"; key: PrivateKey; certificate: Uint8Array; chain?: Uint8Array[] };

export interface CmpClientOptions {
  /** Sends one DER request and returns the DER answer (HTTP, file, or in-process). */
  send: (request: Uint8Array, operation: string) => Promise<Uint8Array>;
  credential: ClientCredential;
  /** Trust anchors for the server's protection certificate and the issued certificates. */
  trusted?: Uint8Array[];
  /** Further certificates that may help build chains. */
  untrusted?: Uint8Array[];
  /** The server's protection certificate, trusted as it is (openssl's -srvcert). */
  serverCert?: Uint8Array;
  /** The CA's name for the recipient field (NULL-DN when unknown). */
  recipient?: string | Name;
  /** Sender name; default: subject of the signing certificate, else NULL-DN. */
  sender?: string | Name;
  /** Ask for implicit confirmation (RFC 9483 §4.1.1). */
  implicitConfirm?: boolean;
  /** Certificate profile to name in generalInfo (RFC 9483 §4.1). */
  certProfile?: string;
  /** Bound on the total time spent polling, ms (default 5 minutes). */
  totalTimeoutMs?: number;
  /** Called while waiting: seconds until the next poll and the server's reason. */
  onProgress?: (info: { checkAfter: number; elapsedMs: number; reason?: string }) => void;
  /** Accept the CA root from caPubs of a MAC-protected ip when no trust anchor is configured (RFC 9483 §4.1.5). */
  trustCaPubsFromMac?: boolean;
  /** The clock for certificate validation and the polling deadline (default: the system clock). */
  now?: () => Date;
  /** Waits between polls (RFC 9483 §4.4); default a timer. Tests inject one that does not wait. */
  sleep?: (ms: number) => Promise<void>;
}

export interface EnrollResult {
  certificate: Uint8Array;
  /** Chain of the certificate from extraCerts/caPubs, without the certificate itself. */
  chain: Uint8Array[];
  caPubs: Uint8Array[];
  status: string;
  implicitlyConfirmed: boolean;
  transactionId: string;
  /** Central key generation: the key the KGA generated, decrypted and checked. */
  privateKey?: PrivateKey;
}

export interface EnrollRequest {
  subject?: string | Name;
  /** The key to certify; its private half signs the POP. Omit it for central key generation. */
  newKey?: PrivateKey;
  /** Central key generation (RFC 9483 §4.1.6): the key type to ask for (else the CA's profile decides). */
  centralKeyType?: string;
  dnsNames?: string[];
  notAfter?: Date;
  /** kur: the certificate being updated (defaults to the signature credential's certificate). */
  oldCertificate?: Uint8Array;
}

interface Exchange {
  transactionID: Uint8Array;
  lastNonce?: Uint8Array;
  pvno: number;
  /** KEM shared secret of this transaction, once the server sent its ciphertext. */
  kemSecret?: Uint8Array;
  kemPending?: boolean;
}

const REP_FOR: Record<string, PKIBodyType> = { ir: "ip", cr: "cp", kur: "kup", p10cr: "cp" };

export class CmpClient {
  private readonly o: CmpClientOptions;
  private readonly anchors: CertEntry[];
  constructor(options: CmpClientOptions) {
    this.o = options;
    this.anchors = (options.trusted ?? []).map((d) => certEntry(d));
  }

  // ---- public operations ----

  /** Enrollment with ir (initial), cr (additional) or kur (key update) — RFC 9483 §4.1.1-4.1.3. */
  async enroll(type: "ir" | "cr" | "kur", req: EnrollRequest): Promise<EnrollResult> {
    const newKey = req.newKey;
    const newSpki = newKey?.publicKey.spki;
    // RFC 9483 §4.1.6: central key generation is asked for with an empty subjectPublicKey that may name the algorithm.
    const template = new CertTemplate({
      publicKey: newSpki
        ? AsnParser.parse(newSpki, SubjectPublicKeyInfo)
        : centralKeyTemplate(req.centralKeyType),
    });
    if (!template.publicKey) delete template.publicKey;
    const subject = req.subject ?? (type === "kur" ? this.oldCert(req)?.tbsCertificate.subject : undefined);
    if (subject) template.subject = typeof subject === "string" ? parseName(subject) : subject;
    if (req.notAfter)
      template.validity = new OptionalValidity({ notAfter: new Time({ generalTime: req.notAfter }) });
    if (req.dnsNames?.length) {
      template.extensions = [
        new Extension({
          extnID: "2.5.29.17",
          critical: false,
          extnValue: new OctetString(
            AsnSerializer.serialize(
              new SubjectAlternativeName(req.dnsNames.map((d) => new GeneralName({ dNSName: d }))),
            ),
          ),
        }),
      ];
    }
    const certReq = new CertRequest({ certReqId: 0, certTemplate: template });
    if (type === "kur") {
      const old = this.oldCert(req);
      if (!old) throw new CmpClientError("a key update needs the certificate being updated");
      certReq.controls = [
        new AttributeTypeAndValue({
          type: oids.id_regCtrl_oldCertID,
          value: AsnSerializer.serialize(
            new CertId({
              issuer: new GeneralName({ directoryName: old.tbsCertificate.issuer }),
              serialNumber: old.tbsCertificate.serialNumber,
            }),
          ),
        }),
      ];
    }
    if (!newKey) {
      const body = new PKIBody({ [type]: new CertReqMessages([new CertReqMsg({ certReq })]) });
      return this.enrollWith(type, body, undefined, undefined, true);
    }
    let popo: ProofOfPossession;
    const signs = !/^(ml-kem-|composite:mlkem|x25519$|x448$)/.test(newKey.type);
    if (signs) {
      // RFC 4211 §4.1: the POP signature covers the DER of certReq.
      const popAlg = defaultSignatureAlgorithm(newKey);
      const popSig = sign(popAlg, newKey, new Uint8Array(AsnSerializer.serialize(certReq)));
      popo = new ProofOfPossession({
        signature: new POPOSigningKey({ algorithmIdentifier: popAlg, signature: new BitString(popSig) }),
      });
    } else {
      // RFC 9810 §5.2.8.3: a key that cannot sign proves possession by decrypting the certificate.
      popo = new ProofOfPossession({
        keyEncipherment: new POPOPrivKey({ subsequentMessage: SubsequentMessage.encrCert }),
      });
    }
    const body = new PKIBody({ [type]: new CertReqMessages([new CertReqMsg({ certReq, popo })]) });
    return this.enrollWith(type, body, newSpki, signs ? undefined : newKey);
  }

  /** Enrollment with a PKCS#10 request (RFC 9483 §4.1.4). */
  async p10cr(csrDer: Uint8Array): Promise<EnrollResult> {
    const csr = AsnParser.parse(csrDer, CertificationRequest);
    const spki = new Uint8Array(AsnSerializer.serialize(csr.certificationRequestInfo.subjectPKInfo));
    return this.enrollWith("p10cr", new PKIBody({ p10cr: csr }), spki);
  }

  /** Revocation of a certificate (RFC 9483 §4.2); reason is a CRLReason code. */
  async revoke(certificate: Uint8Array, reason = 0): Promise<{ status: string }> {
    const cert = AsnParser.parse(certificate, Certificate);
    const details = new RevDetails({
      certDetails: new CertTemplate({
        issuer: cert.tbsCertificate.issuer,
        serialNumber: cert.tbsCertificate.serialNumber,
      }),
      crlEntryDetails: [
        new Extension({
          extnID: id_ce_cRLReasons,
          critical: false,
          extnValue: new OctetString(AsnSerializer.serialize(new CRLReason(reason))),
        }),
      ],
    });
    const ex = this.newExchange(PVNO_CMP2000);
    const rsp = await this.exchange(
      ex,
      new PKIBody({ rr: new RevReqContent([details]) }),
      "revocation",
      "rp",
    );
    const st = rsp.message.body.rp!.status[0];
    if (!st) throw new CmpClientError("the rp holds no status");
    if (st.status !== PKIStatus.accepted && st.status !== PKIStatus.grantedWithMods) {
      throw this.statusError("revocation refused", st);
    }
    return { status: formatStatus(st) };
  }

  /** A general message (RFC 9483 §4.3); returns the InfoTypeAndValues of the genp. */
  async genm(itavs: InfoTypeAndValue[], operation = "getcacerts"): Promise<InfoTypeAndValue[]> {
    const ex = this.newExchange(PVNO_CMP2000);
    const rsp = await this.exchange(
      ex,
      new PKIBody({ genm: new InfoTypeAndValues(itavs) }),
      operation,
      "genp",
      this.profileInfo(),
    );
    return [...rsp.message.body.genp!];
  }

  /** RFC 9483 §4.3.1: the CA certificates. */
  async getCaCerts(): Promise<Uint8Array[]> {
    const [itav] = await this.genm([new InfoTypeAndValue({ infoType: oids.id_it_caCerts })], "getcacerts");
    if (!itav?.infoValue) return [];
    return AsnParser.parse(itav.infoValue, CMPCertificates).map(
      (c) => new Uint8Array(AsnSerializer.serialize(c)),
    );
  }

  /** RFC 9483 §4.3.2: a root CA update for `oldRoot`, validated as the RFC asks; undefined when none. */
  async getRootUpdate(
    oldRoot?: Uint8Array,
  ): Promise<{ newWithNew: Uint8Array; newWithOld?: Uint8Array; oldWithNew?: Uint8Array } | undefined> {
    const value = oldRoot ? AsnSerializer.serialize(AsnParser.parse(oldRoot, Certificate)) : undefined;
    const [itav] = await this.genm(
      [new InfoTypeAndValue({ infoType: oids.id_it_rootCaCert, infoValue: value })],
      "getrootupdate",
    );
    if (!itav || itav.infoType !== oids.id_it_rootCaKeyUpdate) {
      throw new CmpClientError("the genp does not answer with rootCaKeyUpdate");
    }
    if (!itav.infoValue) return undefined;
    const u = AsnParser.parse(itav.infoValue, RootCaKeyUpdateContent);
    const der = (c: Certificate) => new Uint8Array(AsnSerializer.serialize(c));
    const result = {
      newWithNew: der(u.newWithNew),
      newWithOld: u.newWithOld && der(u.newWithOld),
      oldWithNew: u.oldWithNew && der(u.oldWithNew),
    };
    // RFC 9483 §4.3.2: newWithOld must chain to the old root the EE trusts.
    if (oldRoot && result.newWithOld) {
      try {
        await validatePath(certEntry(result.newWithOld), { anchors: [certEntry(oldRoot)], time: this.now() });
      } catch (e) {
        throw new CmpClientError(
          `the new root's newWithOld certificate does not verify with the old root: ${(e as Error).message}`,
        );
      }
    }
    return result;
  }

  /** RFC 9483 §4.3.3: the certificate request template of a profile. */
  async getCertReqTemplate(): Promise<CertReqTemplateContent | undefined> {
    const [itav] = await this.genm(
      [new InfoTypeAndValue({ infoType: oids.id_it_certReqTemplate })],
      "getcertreqtemplate",
    );
    return itav?.infoValue ? AsnParser.parse(itav.infoValue, CertReqTemplateContent) : undefined;
  }

  /** RFC 9483 §4.3.4: current CRLs for the given issuer (by name), or for what the server offers. */
  async getCrls(issuer?: string | Name, thisUpdate?: Date): Promise<Uint8Array[]> {
    const status = new CRLStatus({
      source: new CRLSource({
        issuer: issuer
          ? new GeneralNameList([
              new GeneralName({ directoryName: typeof issuer === "string" ? parseName(issuer) : issuer }),
            ])
          : undefined,
      }),
      thisUpdate: thisUpdate ? new Time({ generalTime: thisUpdate }) : undefined,
    });
    const value = issuer ? AsnSerializer.serialize(new CRLStatusListValue([status])) : undefined;
    const [itav] = await this.genm(
      [new InfoTypeAndValue({ infoType: oids.id_it_crlStatusList, infoValue: value })],
      "getcrls",
    );
    if (!itav?.infoValue) return [];
    return AsnParser.parse(itav.infoValue, CertificateLists).map(
      (c: CertificateList) => new Uint8Array(AsnSerializer.serialize(c)),
    );
  }

  // ---- internals ----

  /** RFC 9483 §4.1 / §4.3.3: the certificate profile, named in generalInfo. */
  private profileInfo(): InfoTypeAndValue[] {
    if (!this.o.certProfile) return [];
    return [
      new InfoTypeAndValue({
        infoType: oids.id_it_certProfile,
        infoValue: AsnSerializer.serialize(new CertProfileValue([this.o.certProfile])),
      }),
    ];
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  private sleep(ms: number): Promise<void> {
    if (this.o.sleep) return this.o.sleep(ms);
    return new Promise((r) => setTimeout(r, ms));
  }

  private oldCert(req: EnrollRequest): Certificate | undefined {
    const der =
      req.oldCertificate ?? (this.o.credential.kind === "mac" ? undefined : this.o.credential.certificate);
    return der ? AsnParser.parse(der, Certificate) : undefined;
  }

  private newExchange(pvno: number): Exchange {
    return { transactionID: new Uint8Array(crypto.getRandomValues(new Uint8Array(16))), pvno };
  }

  private credential(ex: Exchange): ProtectionCredential {
    const c = this.o.credential;
    if (c.kind === "signature")
      return { kind: "signature", key: c.key, certificate: c.certificate, chain: c.chain };
    if (c.kind === "kem") {
      const extraCerts = [c.certificate, ...(c.chain ?? [])];
      return ex.kemSecret
        ? { kind: "kem", sharedSecret: ex.kemSecret, extraCerts }
        : { kind: "none", extraCerts };
    }
    const kid = typeof c.reference === "string" ? new TextEncoder().encode(c.reference) : c.reference;
    return c.algorithm === "pbmac1"
      ? { kind: "pbmac1", secret: c.secret, senderKID: kid, iterations: c.iterations }
      : { kind: "pbm", secret: c.secret, senderKID: kid, iterations: c.iterations };
  }

  private senderName(): GeneralName {
    const s = this.o.sender;
    if (s) return new GeneralName({ directoryName: typeof s === "string" ? parseName(s) : s });
    const c = this.o.credential;
    if (c.kind === "signature" || c.kind === "kem") {
      return new GeneralName({
        directoryName: AsnParser.parse(c.certificate, Certificate).tbsCertificate.subject,
      });
    }
    return nullDn();
  }

  private recipientName(): GeneralName {
    const r = this.o.recipient;
    if (!r) return nullDn();
    return new GeneralName({ directoryName: typeof r === "string" ? parseName(r) : r });
  }

  private async exchange(
    ex: Exchange,
    body: PKIBody,
    operation: string,
    expect: PKIBodyType | PKIBodyType[],
    generalInfo: InfoTypeAndValue[] = [],
  ): Promise<DecodedMessage> {
    if (this.o.credential.kind === "kem" && !ex.kemSecret && !ex.kemPending) {
      ex.kemPending = true;
      await this.kemExchange(ex, operation);
    }
    const header = buildHeader({
      pvno: ex.pvno,
      sender: this.senderName(),
      recipient: this.recipientName(),
      transactionID: ex.transactionID,
      recipNonce: ex.lastNonce,
      generalInfo,
    });
    const sentNonce = new Uint8Array(header.senderNonce!);
    const der = protectMessage(new PKIMessage({ header, body }), this.credential(ex));
    let answer: Uint8Array;
    try {
      answer = await this.o.send(der, operation);
    } catch (e) {
      throw new CmpClientError(`transport failure: ${(e as Error).message}`);
    }
    let rsp: DecodedMessage;
    try {
      rsp = decodePKIMessage(answer);
    } catch (e) {
      throw new CmpClientError(
        `the server's answer is not a valid PKIMessage: ${(e as CmpError).statusString ?? String(e)}`,
      );
    }
    const h = rsp.message.header;
    await this.checkProtection(rsp, ex);
    if (!h.transactionID || !Buffer.from(h.transactionID).equals(Buffer.from(ex.transactionID))) {
      throw new CmpClientError("the response's transactionID differs from the request's");
    }
    if (!h.recipNonce || !Buffer.from(h.recipNonce).equals(Buffer.from(sentNonce))) {
      throw new CmpClientError("the response's recipNonce does not match our senderNonce", [
        "badRecipientNonce",
      ]);
    }
    ex.lastNonce = h.senderNonce ? new Uint8Array(h.senderNonce) : undefined;
    if (rsp.bodyType === "error") {
      const info = rsp.message.body.error!.pKIStatusInfo;
      throw this.statusError("the server reported an error", info);
    }
    const expected = Array.isArray(expect) ? expect : [expect];
    if (!expected.includes(rsp.bodyType)) {
      throw new CmpClientError(`expected ${expected.join(" or ")} but the server sent ${rsp.bodyType}`);
    }
    return rsp;
  }

  /**
   * RFC 9810 §5.1.3.4: asks the server for a KEM ciphertext to our KEM certificate (an unprotected
   * genm carrying the certificate), checks the server's signature on the answer, decapsulates.
   */
  private async kemExchange(ex: Exchange, operation: string): Promise<void> {
    const c = this.o.credential;
    if (c.kind !== "kem") return;
    const genm = new PKIBody({
      genm: new InfoTypeAndValues([new InfoTypeAndValue({ infoType: oids.id_it_KemCiphertextInfo })]),
    });
    const rsp = await this.exchange(ex, genm, operation, "genp");
    if (protectionKind(rsp.message.header) !== "signature") {
      throw new CmpClientError("the KEM ciphertext must come signature-protected by the server");
    }
    const itav = rsp.message.body.genp!.find((i) => i.infoType === oids.id_it_KemCiphertextInfo);
    if (!itav?.infoValue) throw new CmpClientError("the server sent no KemCiphertextInfo");
    const info = AsnParser.parse(itav.infoValue, KemCiphertextInfo);
    try {
      ex.kemSecret = kemDecapsulate(c.key, new Uint8Array(info.ct));
    } catch (e) {
      throw new CmpClientError(`KEM decapsulation failed: ${(e as Error).message}`, ["badMessageCheck"]);
    }
  }

  private statusError(prefix: string, info: PKIStatusInfo): CmpClientError {
    const text = formatStatus(info);
    const failInfo = text.match(/\(([^)]*)\)/)?.[1]?.split(", ") ?? [];
    return new CmpClientError(`${prefix}: ${text}`, failInfo, text);
  }

  private async checkProtection(rsp: DecodedMessage, ex: Exchange): Promise<void> {
    const kind = protectionKind(rsp.message.header);
    const c = this.o.credential;
    if (kind === "none") {
      if (rsp.bodyType === "error") return; // reported to the user as an (unauthenticated) error
      throw new CmpClientError("the response is not protected");
    }
    try {
      if (kind === "kem") {
        if (!ex.kemSecret)
          throw new CmpClientError("the server used KEM-based protection before any KEM exchange");
        verifyKemProtection(rsp, ex.kemSecret);
        return;
      }
      if (kind === "pbm" || kind === "pbmac1") {
        if (c.kind !== "mac")
          throw new CmpClientError("the server answered with MAC protection to a signed request");
        verifyMacProtection(rsp, c.secret, { maxIterations: 1_000_000, minIterations: 1 });
        return;
      }
      const extra = rsp.extraCerts;
      const known = [
        ...(this.o.serverCert ? [certEntry(this.o.serverCert)] : []),
        ...this.anchors,
        ...(this.o.untrusted ?? []).map((d) => certEntry(d)),
      ];
      // RFC 9483 §3.3: the protection certificate comes first in extraCerts; a server may omit it when
      // the client knows it already (openssl's -srvcert), found then by senderKID or sender name.
      const signer = extra[0] ?? findSigner(rsp.message.header, known);
      if (!signer)
        throw new CmpClientError(
          "the signed response carries no protection certificate and none of ours matches its sender",
        );
      if (this.anchors.length === 0 && !this.o.serverCert) {
        throw new CmpClientError(
          "cannot check the server's signature: no trusted certificates configured (--trusted)",
        );
      }
      const pinned = this.o.serverCert && Buffer.from(this.o.serverCert).equals(Buffer.from(signer.der));
      if (!pinned) {
        await validatePath(signer, {
          anchors: this.anchors,
          intermediates: [...extra.slice(1), ...(this.o.untrusted ?? []).map((d) => certEntry(d))],
          time: this.now(),
        });
      }
      const key = importPublicKeySpki(
        new Uint8Array(AsnSerializer.serialize(signer.cert.tbsCertificate.subjectPublicKeyInfo)),
      );
      verifySignatureProtection(rsp, key);
    } catch (e) {
      if (e instanceof CmpClientError) throw e;
      if (e instanceof CmpError)
        throw new CmpClientError(`the response's protection is invalid: ${e.statusString}`, e.failInfo);
      if (e instanceof PathValidationError)
        throw new CmpClientError(`the server's certificate is not trusted: ${e.message}`);
      throw e;
    }
  }

  private async enrollWith(
    type: "ir" | "cr" | "kur" | "p10cr",
    body: PKIBody,
    newSpki: Uint8Array | undefined,
    /** The new key when the certificate comes encrypted to it (indirect POP). */
    decryptionKey?: PrivateKey,
    centralKeyGeneration = false,
  ): Promise<EnrollResult> {
    // RFC 9810 §7: an exchange that carries EnvelopedData uses cmp2021.
    const ex = this.newExchange(decryptionKey || centralKeyGeneration ? PVNO_CMP2021 : PVNO_CMP2000);
    const gi: InfoTypeAndValue[] = [];
    if (this.o.implicitConfirm)
      gi.push(
        new InfoTypeAndValue({
          infoType: oids.id_it_implicitConfirm,
          infoValue: new Uint8Array([5, 0]).buffer,
        }),
      );
    gi.push(...this.profileInfo());
    const operation = { ir: "initialization", cr: "certification", kur: "keyupdate", p10cr: "pkcs10" }[type];
    const repType = REP_FOR[type]!;
    const certReqId = type === "p10cr" ? -1 : 0;
    let rsp = await this.exchange(ex, body, operation, repType, gi);
    const started = this.now().getTime();
    const total = this.o.totalTimeoutMs ?? 300_000;
    // RFC 9483 §4.4: "waiting" means poll with pollReq until the answer is ready.
    for (;;) {
      const rep = rsp.message.body[repType as "ip"] as CertRepMessage | undefined;
      const first = rep?.response[0];
      if (rep && first && first.status.status !== PKIStatus.waiting) break;
      if (rep && !first) throw new CmpClientError(`the ${repType} holds no response`);
      const checkAfter = rsp.bodyType === "pollRep" ? rsp.message.body.pollRep![0]!.checkAfter : 1;
      const reason =
        rsp.bodyType === "pollRep" ? rsp.message.body.pollRep![0]!.reason?.join("; ") : undefined;
      const elapsed = this.now().getTime() - started;
      if (elapsed + checkAfter * 1000 > total) {
        throw new CmpClientError(
          `gave up waiting after ${Math.round(elapsed / 1000)} s (limit ${Math.round(total / 1000)} s)`,
        );
      }
      this.o.onProgress?.({ checkAfter, elapsedMs: elapsed, reason });
      await this.sleep(Math.max(0, checkAfter) * 1000);
      rsp = await this.exchange(
        ex,
        new PKIBody({ pollReq: new PollReqContent([new PollReqEntry({ certReqId })]) }),
        operation,
        [repType, "pollRep"],
      );
    }
    const rep = rsp.message.body[repType as "ip"] as CertRepMessage;
    const r = rep.response[0]!;
    if (r.certReqId !== certReqId)
      throw new CmpClientError(`the response names certReqId ${r.certReqId}, expected ${certReqId}`);
    if (r.status.status !== PKIStatus.accepted && r.status.status !== PKIStatus.grantedWithMods) {
      throw this.statusError("enrollment refused", r.status);
    }
    const coe = r.certifiedKeyPair?.certOrEncCert;
    let certificate: Uint8Array;
    if (coe?.certificate) {
      certificate = new Uint8Array(AsnSerializer.serialize(coe.certificate));
    } else if (coe?.encryptedCert?.envelopedData) {
      if (!decryptionKey)
        throw new CmpClientError("the certificate came encrypted, but not to a key this client holds");
      try {
        certificate = openEnvelopedData(coe.encryptedCert.envelopedData, { kind: "key", key: decryptionKey });
      } catch (e) {
        throw new CmpClientError(`cannot decrypt the issued certificate: ${(e as Error).message}`);
      }
    } else {
      throw new CmpClientError("the response holds no certificate");
    }
    const certObj = AsnParser.parse(certificate, Certificate);
    const caPubs = (rep.caPubs ?? []).map((c) => new Uint8Array(AsnSerializer.serialize(c)));
    const extra = rsp.extraCerts.map((c) => c.der);
    let privateKey: PrivateKey | undefined;
    if (centralKeyGeneration) {
      const enc = r.certifiedKeyPair?.privateKey?.envelopedData;
      if (!enc)
        throw new CmpClientError(
          "central key generation was asked for, but the response holds no private key",
        );
      privateKey = await this.openCentralKey(enc, extra, caPubs, protectionKind(rsp.message.header));
    }
    const problem = await this.checkIssued(
      certificate,
      newSpki ?? privateKey!.publicKey.spki,
      extra,
      caPubs,
      protectionKind(rsp.message.header),
    );
    const implicit =
      !!this.o.implicitConfirm &&
      !!rsp.message.header.generalInfo?.some((i) => i.infoType === oids.id_it_implicitConfirm);
    if (!implicit) {
      await this.confirm(ex, operation, certObj, certificate, certReqId, problem);
    }
    if (problem) throw new CmpClientError(`the issued certificate was rejected: ${problem}`);
    const chain = this.chainOf(certificate, [...extra, ...caPubs]);
    return {
      certificate,
      chain,
      caPubs,
      status: formatStatus(r.status),
      implicitlyConfirmed: implicit,
      transactionId: hex(ex.transactionID),
      privateKey,
    };
  }

  /**
   * RFC 9483 §4.1.6: decrypts the EnvelopedData, checks the KGA's SignedData signature, its chain
   * and id-kp-cmKGA authorization (optional for password recipients, enforced here when a trust
   * anchor is known), and reads the AsymmetricKeyPackage.
   */
  private async openCentralKey(
    env: EnvelopedData,
    extra: Uint8Array[],
    caPubs: Uint8Array[],
    protection: string,
  ): Promise<PrivateKey> {
    const c = this.o.credential;
    let content: Uint8Array;
    try {
      content = openEnvelopedData(
        env,
        c.kind === "mac"
          ? { kind: "password", password: c.secret }
          : { kind: "key", key: c.key, certificate: c.certificate },
      );
    } catch (e) {
      throw new CmpClientError(`cannot decrypt the centrally generated key: ${(e as Error).message}`);
    }
    let verified;
    try {
      verified = verifySignedData(AsnParser.parse(content, SignedData));
    } catch (e) {
      throw new CmpClientError(`the key package's signature is invalid: ${(e as Error).message}`);
    }
    if (verified.contentType !== oids.id_ct_KP_aKeyPackage) {
      throw new CmpClientError("the signed content is not an AsymmetricKeyPackage");
    }
    // As for the certificate (RFC 9483 §4.1.5), caPubs of a MAC-protected answer may serve as anchors.
    const macProtected = protection === "pbm" || protection === "pbmac1";
    const anchors =
      this.anchors.length > 0 ? this.anchors : macProtected ? caPubs.map((d) => certEntry(d)) : [];
    // §4.1.6: checking the KGA is optional for password recipients without a known anchor, required otherwise.
    if (anchors.length > 0 || c.kind !== "mac") {
      try {
        await validatePath(verified.signer, {
          anchors,
          intermediates: [
            ...verified.certificates,
            ...[...extra, ...caPubs].map((d) => certEntry(d)),
            ...(this.o.untrusted ?? []).map((d) => certEntry(d)),
          ],
          requiredEku: oids.id_kp_cmKGA,
          time: this.now(),
        });
      } catch (e) {
        throw new CmpClientError(`the key generation authority is not trusted: ${(e as Error).message}`);
      }
    }
    // AsymmetricKeyPackage ::= SEQUENCE OF OneAsymmetricKey; one key is expected.
    const seq = readTlv(verified.content, 0);
    const first = readTlv(verified.content, seq.contentStart, seq.end);
    try {
      return importPrivateKeyPkcs8(verified.content.slice(first.start, first.end));
    } catch (e) {
      throw new CmpClientError(`the key package holds no usable private key: ${(e as Error).message}`);
    }
  }

  /** Validates the new certificate; returns a reason to reject it, or undefined when it is fine. */
  private async checkIssued(
    cert: Uint8Array,
    spki: Uint8Array,
    extra: Uint8Array[],
    caPubs: Uint8Array[],
    protection: string,
  ): Promise<string | undefined> {
    const c = AsnParser.parse(cert, Certificate);
    const got = new Uint8Array(AsnSerializer.serialize(c.tbsCertificate.subjectPublicKeyInfo));
    if (!Buffer.from(got).equals(Buffer.from(spki))) return "its public key is not the requested one";
    let anchors = this.anchors;
    if (
      anchors.length === 0 &&
      (protection === "pbm" || protection === "pbmac1") &&
      (this.o.trustCaPubsFromMac ?? true)
    ) {
      // RFC 9483 §4.1.5: MAC protection authenticates caPubs, which may then serve as trust anchors.
      anchors = caPubs.map((d) => certEntry(d));
    }
    if (anchors.length === 0) return "no trust anchor to validate it (configure --trusted)";
    try {
      await validatePath(certEntry(cert), {
        anchors,
        intermediates: [...extra, ...caPubs, ...(this.o.untrusted ?? [])].map((d) => certEntry(d)),
        time: this.now(),
      });
      return undefined;
    } catch (e) {
      return e instanceof PathValidationError ? e.message : String(e);
    }
  }

  private async confirm(
    ex: Exchange,
    operation: string,
    certObj: Certificate,
    der: Uint8Array,
    certReqId: number,
    problem?: string,
  ): Promise<void> {
    const choice = certHashAlgorithm(certObj);
    // RFC 9810 §5.3.18: hashAlg (pvno 3) when the signature algorithm implies no hash.
    if (choice.explicit) ex.pvno = PVNO_CMP2021;
    const st = new CertStatus({
      certHash: computeCertHash(der, choice.alg).slice().buffer as ArrayBuffer,
      certReqId,
      statusInfo: problem
        ? statusInfo(PKIStatus.rejection, { text: problem, failInfo: ["incorrectData"] })
        : undefined,
      hashAlg: choice.explicit ? new AlgorithmIdentifier({ algorithm: choice.alg.algorithm }) : undefined,
    });
    await this.exchange(ex, new PKIBody({ certConf: new CertConfirmContent([st]) }), operation, "pkiconf");
  }

  private chainOf(cert: Uint8Array, pool: Uint8Array[]): Uint8Array[] {
    const seen = new Set<string>();
    const out: Uint8Array[] = [];
    for (const c of pool) {
      const k = Buffer.from(c).toString("base64");
      if (seen.has(k) || Buffer.from(c).equals(Buffer.from(cert))) continue;
      seen.add(k);
      out.push(c);
    }
    return out;
  }
}

function findSigner(h: PKIHeader, pool: CertEntry[]): CertEntry | undefined {
  const kid = h.senderKID ? Buffer.from(h.senderKID) : undefined;
  const byKid =
    kid &&
    pool.find((c) => {
      const ski = getSubjectKeyIdentifier(c.cert);
      return ski && kid.equals(Buffer.from(ski));
    });
  if (byKid) return byKid;
  const name = h.sender.directoryName;
  return name ? pool.find((c) => namesEqual(c.cert.tbsCertificate.subject, name)) : undefined;
}

/** An empty SubjectPublicKeyInfo naming the wanted algorithm (RFC 9483 §4.1.6). */
function centralKeyTemplate(type?: string): SubjectPublicKeyInfo | undefined {
  // Without a wanted type the publicKey field stays out and the KGA's profile decides.
  if (!type) return undefined;
  const alg = /^rsa/.test(type)
    ? new AlgorithmIdentifier({
        algorithm: "1.2.840.113549.1.1.1",
        parameters: new Uint8Array([5, 0]).buffer,
      })
    : AsnParser.parse(generateKeyPair(type).publicKey.spki, SubjectPublicKeyInfo).algorithm;
  return new SubjectPublicKeyInfo({ algorithm: alg, subjectPublicKey: new ArrayBuffer(0) });
}
