// Builders for every request the characterization tests send to the in-process CA (test/helpers/ca.ts),
// each able to break any header field.
import { AsnParser, AsnSerializer, BitString, OctetString } from "@peculiar/asn1-schema";
import {
  AttributeTypeAndValue as NameAttribute,
  AttributeValue,
  Certificate,
  CRLReason,
  Extension,
  GeneralName,
  id_ce_cRLReasons,
  Name,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import { Attributes, CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import {
  CertConfirmContent,
  CertStatus,
  ErrorMsgContent,
  InfoTypeAndValue,
  InfoTypeAndValues,
  PKIBody,
  PKIMessage,
  PKIStatus,
  PKIStatusInfo,
  PollReqContent,
  PollReqEntry,
  RevDetails,
  RevReqContent,
} from "../../src/asn1/cmp.js";
import {
  AttributeTypeAndValue,
  CertId,
  CertReqMessages,
  CertReqMsg,
  CertRequest,
  CertTemplate,
  POPOSigningKey,
  ProofOfPossession,
} from "../../src/asn1/crmf.js";
import { CertProfileValue } from "../../src/asn1/itav.js";
import * as oids from "../../src/asn1/oids.js";
import { buildHeader } from "../../src/cmp/header.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { protectMessage, type ProtectionCredential } from "../../src/cmp/protection.js";
import {
  defaultSignatureAlgorithm,
  digest,
  generateKeyPair,
  sign,
  type PrivateKey,
} from "../../src/crypto/index.js";

import type { Answer, RequestCredential, TestCa } from "./ca.js";

/** RFC 4514 text ("CN=a,O=b", most significant last) to a Name; CN, O, OU, C and serialNumber only. */
export function dn(text: string): Name {
  if (text === "") return new Name([]);
  const types: Record<string, string> = {
    CN: "2.5.4.3",
    serialNumber: "2.5.4.5",
    C: "2.5.4.6",
    O: "2.5.4.10",
    OU: "2.5.4.11",
  };
  const rdns = text
    .split(",")
    .reverse()
    .map((part) => {
      const [k, v] = part.split("=") as [string, string];
      const printable = k === "C" || k === "serialNumber";
      const value = new AttributeValue(printable ? { printableString: v } : { utf8String: v });
      return new RelativeDistinguishedName([new NameAttribute({ type: types[k]!, value })]);
    });
  return new Name(rdns);
}

/** Header fields a request may set or break; omitted fields take correct values. */
export interface HeaderOptions {
  cred?: RequestCredential;
  pvno?: number;
  /** null leaves the field out. */
  transactionID?: Uint8Array | null;
  senderNonce?: Uint8Array | null;
  recipNonce?: Uint8Array | null;
  /** Default: the test clock; null leaves the field out. */
  messageTime?: Date | null;
  /** Recipient DN text; default (and "") NULL-DN. */
  recipient?: string;
  /** Sender DN text; default the protection certificate's subject, NULL-DN for MAC. */
  sender?: string;
  /** Replaces senderKID (for MAC: the key identifier the secret is looked up by). */
  senderKID?: Uint8Array;
  /** "corrupt" flips one bit of the protection value after protecting. */
  protection?: "valid" | "corrupt";
  implicitConfirm?: boolean;
  certProfile?: string;
  generalInfo?: InfoTypeAndValue[];
}

export interface BuiltRequest {
  der: Uint8Array;
  transactionID?: Uint8Array;
  senderNonce?: Uint8Array;
  /** The key the request certifies. */
  key?: PrivateKey;
}

const te = new TextEncoder();

export function randomBytes(n = 16): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

function protection(cred: RequestCredential, senderKID?: Uint8Array): ProtectionCredential {
  if (cred.kind === "none") return { kind: "none", extraCerts: cred.extraCerts };
  if (cred.kind === "signature")
    return { kind: "signature", key: cred.key, certificate: cred.cert, chain: cred.chain };
  const kid = senderKID ?? te.encode(cred.kid);
  return { kind: cred.alg ?? "pbm", secret: te.encode(cred.secret), senderKID: kid, iterations: 1000 };
}

/** Any body under a header built from `o`, protected as `o.cred` (default the demo shared secret). */
export function request(t: TestCa, body: PKIBody, o: HeaderOptions = {}): BuiltRequest {
  const cred = o.cred ?? t.mac;
  const gi = [...(o.generalInfo ?? [])];
  if (o.implicitConfirm)
    gi.push(
      new InfoTypeAndValue({
        infoType: oids.id_it_implicitConfirm,
        infoValue: new Uint8Array([5, 0]).buffer,
      }),
    );
  if (o.certProfile) {
    const value = AsnSerializer.serialize(new CertProfileValue([o.certProfile]));
    gi.push(new InfoTypeAndValue({ infoType: oids.id_it_certProfile, infoValue: value }));
  }
  const senderName =
    o.sender !== undefined
      ? dn(o.sender)
      : cred.kind === "signature"
        ? AsnParser.parse(cred.cert, Certificate).tbsCertificate.subject
        : dn("");
  const header = buildHeader({
    pvno: o.pvno,
    sender: new GeneralName({ directoryName: senderName }),
    recipient: new GeneralName({ directoryName: dn(o.recipient ?? "") }),
    messageTime: o.messageTime === undefined ? t.clock.now() : o.messageTime,
    transactionID: o.transactionID ?? undefined,
    senderNonce: o.senderNonce ?? undefined,
    recipNonce: o.recipNonce ?? undefined,
    senderKID: cred.kind === "signature" ? o.senderKID : undefined,
    generalInfo: gi,
  });
  if (o.transactionID === null) delete header.transactionID;
  if (o.senderNonce === null) delete header.senderNonce;
  const der = protectMessage(new PKIMessage({ header, body }), protection(cred, o.senderKID));
  if (o.protection === "corrupt") {
    const value = Buffer.from(decodePKIMessage(der).message.protection!.value);
    der[Buffer.from(der).indexOf(value) + value.length - 1]! ^= 1;
  }
  return {
    der,
    transactionID: header.transactionID ? new Uint8Array(header.transactionID) : undefined,
    senderNonce: header.senderNonce ? new Uint8Array(header.senderNonce) : undefined,
  };
}

export interface EnrollOptions extends HeaderOptions {
  subject?: string;
  key?: PrivateKey;
  dnsNames?: string[];
  certReqId?: number;
  /** "bad" signs something else; "none" leaves the POP out. */
  pop?: "valid" | "bad" | "none";
  /** kur: the certificate named in oldCertID (default the signature credential's certificate). */
  oldCert?: Uint8Array;
}

function certReqMessages(o: EnrollOptions, key: PrivateKey, kind: "ir" | "cr" | "kur"): CertReqMessages {
  const template = new CertTemplate({ publicKey: AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo) });
  const subject = o.subject ?? (kind === "kur" ? undefined : "CN=test-ee");
  if (subject) template.subject = dn(subject);
  if (o.dnsNames?.length) {
    const san = new SubjectAlternativeName(o.dnsNames.map((d) => new GeneralName({ dNSName: d })));
    template.extensions = [
      new Extension({
        extnID: "2.5.29.17",
        critical: false,
        extnValue: new OctetString(AsnSerializer.serialize(san)),
      }),
    ];
  }
  const certReq = new CertRequest({ certReqId: o.certReqId ?? 0, certTemplate: template });
  const old = o.oldCert ?? (o.cred?.kind === "signature" ? o.cred.cert : undefined);
  if (kind === "kur" && old) {
    const c = AsnParser.parse(old, Certificate).tbsCertificate;
    const id = new CertId({
      issuer: new GeneralName({ directoryName: c.issuer }),
      serialNumber: c.serialNumber,
    });
    certReq.controls = [
      new AttributeTypeAndValue({ type: oids.id_regCtrl_oldCertID, value: AsnSerializer.serialize(id) }),
    ];
  }
  const msg = new CertReqMsg({ certReq });
  if (o.pop !== "none") {
    // RFC 4211 §4.1: the POP signature covers the DER of certReq.
    const alg = defaultSignatureAlgorithm(key);
    const signed = new Uint8Array(AsnSerializer.serialize(certReq));
    if (o.pop === "bad") signed[signed.length - 1]! ^= 1;
    const popo = new POPOSigningKey({
      algorithmIdentifier: alg,
      signature: new BitString(sign(alg, key, signed)),
    });
    msg.popo = new ProofOfPossession({ signature: popo });
  }
  return new CertReqMessages([msg]);
}

function enrollRequest(t: TestCa, kind: "ir" | "cr" | "kur", o: EnrollOptions): BuiltRequest {
  const key = o.key ?? generateKeyPair("ec-p256");
  const body = new PKIBody({ [kind]: certReqMessages(o, key, kind) });
  return { ...request(t, body, o), key };
}

export const irRequest = (t: TestCa, o: EnrollOptions = {}) => enrollRequest(t, "ir", o);
export const crRequest = (t: TestCa, o: EnrollOptions = {}) => enrollRequest(t, "cr", o);
export const kurRequest = (t: TestCa, o: EnrollOptions = {}) => enrollRequest(t, "kur", o);

/** DER of a PKCS#10 request (RFC 2986) signed by its key; `broken` spoils the signature. */
export function buildCsr(key: PrivateKey, subject: string, broken = false): Uint8Array {
  const info = new CertificationRequestInfo({
    version: 0,
    subject: dn(subject),
    subjectPKInfo: AsnParser.parse(key.publicKey.spki, SubjectPublicKeyInfo),
    attributes: new Attributes([]),
  });
  const alg = defaultSignatureAlgorithm(key);
  const tbs = new Uint8Array(AsnSerializer.serialize(info));
  if (broken) tbs[tbs.length - 1]! ^= 1;
  const signature = sign(alg, key, tbs).slice().buffer;
  return new Uint8Array(
    AsnSerializer.serialize(
      new CertificationRequest({ certificationRequestInfo: info, signatureAlgorithm: alg, signature }),
    ),
  );
}

export function p10crRequest(t: TestCa, o: EnrollOptions = {}): BuiltRequest {
  const key = o.key ?? generateKeyPair("ec-p256");
  const csr = AsnParser.parse(
    buildCsr(key, o.subject ?? "CN=test-p10", o.pop === "bad"),
    CertificationRequest,
  );
  return { ...request(t, new PKIBody({ p10cr: csr }), o), key };
}

/** rr for `cert` (or for a serial of the CA's issuer name), with an optional CRLReason. */
export function rrRequest(
  t: TestCa,
  o: HeaderOptions & { cert?: Uint8Array; serial?: Uint8Array; reason?: number },
): BuiltRequest {
  const tbs = o.cert ? AsnParser.parse(o.cert, Certificate).tbsCertificate : undefined;
  const details = new RevDetails({
    certDetails: new CertTemplate({
      issuer: tbs?.issuer ?? t.materials.caCert.cert.tbsCertificate.subject,
      serialNumber: o.serial ? o.serial.slice().buffer : tbs!.serialNumber,
    }),
  });
  if (o.reason !== undefined) {
    const value = new OctetString(AsnSerializer.serialize(new CRLReason(o.reason)));
    details.crlEntryDetails = [
      new Extension({ extnID: id_ce_cRLReasons, critical: false, extnValue: value }),
    ];
  }
  return request(t, new PKIBody({ rr: new RevReqContent([details]) }), o);
}

/** genm asking for each info type (OID text, or an InfoTypeAndValue with a value). */
export function genmRequest(
  t: TestCa,
  items: (string | InfoTypeAndValue)[],
  o: HeaderOptions = {},
): BuiltRequest {
  const itavs = items.map((i) => (typeof i === "string" ? new InfoTypeAndValue({ infoType: i }) : i));
  return request(t, new PKIBody({ genm: new InfoTypeAndValues(itavs) }), o);
}

/** The header fields that continue the transaction of `answer`: its transactionID, recipNonce = its senderNonce. */
function continuing(answer: Answer, o: HeaderOptions): HeaderOptions {
  return {
    ...o,
    transactionID: o.transactionID === undefined ? answer.transactionID : o.transactionID,
    recipNonce: o.recipNonce === undefined ? answer.senderNonce : o.recipNonce,
  };
}

/** certConf for the certificate in `answer` (sha256 certHash, as ecdsa-with-SHA256 implies, RFC 9810 §5.3.18). */
export function certConfFor(
  t: TestCa,
  answer: Answer,
  o: HeaderOptions & { reject?: boolean; certHash?: Uint8Array; certReqId?: number } = {},
): BuiltRequest {
  const hash = o.certHash ?? digest("sha256", answer.certificate!);
  const st = new CertStatus({ certHash: hash.slice().buffer, certReqId: o.certReqId ?? 0 });
  if (o.reject) st.statusInfo = new PKIStatusInfo({ status: PKIStatus.rejection });
  return request(t, new PKIBody({ certConf: new CertConfirmContent([st]) }), continuing(answer, o));
}

export function pollReq(
  t: TestCa,
  answer: Answer,
  o: HeaderOptions & { certReqId?: number } = {},
): BuiltRequest {
  const body = new PKIBody({
    pollReq: new PollReqContent([new PollReqEntry({ certReqId: o.certReqId ?? 0 })]),
  });
  return request(t, body, continuing(answer, o));
}

/** The EE reporting an error in the transaction of `answer` (RFC 9483 §3.6.4). */
export function errorRequest(t: TestCa, answer: Answer, o: HeaderOptions = {}): BuiltRequest {
  const info = new PKIStatusInfo({ status: PKIStatus.rejection });
  return request(
    t,
    new PKIBody({ error: new ErrorMsgContent({ pKIStatusInfo: info }) }),
    continuing(answer, o),
  );
}
