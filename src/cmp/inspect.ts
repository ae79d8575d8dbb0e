// CMP-aware description of a PKIMessage for people: a stable JSON form; its text rendering lives in
// inspect-render.ts and is re-exported here.
import { crlReasonName, isCrlReason } from "../pki/crl.js";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate, CertificateList, CRLReason } from "@peculiar/asn1-x509";
import type { CertificationRequest } from "@peculiar/asn1-csr";
import {
  CMPCertificates,
  CertificateLists,
  RootCaKeyUpdateContent,
  type CertConfirmContent,
  type CertRepMessage,
  type ErrorMsgContent,
  type InfoTypeAndValue,
  type PollRepContent,
  type RevRepContent,
} from "../asn1/cmp.js";
import type { CertReqMessages, CertTemplate, ProofOfPossession } from "../asn1/crmf.js";
import {
  CertProfileValue,
  CRLStatusListValue,
  GeneralizedTimeValue,
  KemBMParameter,
  KemCiphertextInfo,
  PBMParameter,
} from "../asn1/itav.js";
import { PBKDF2Params, PBMAC1Params } from "../asn1/pkcs5.js";
import * as oids from "../asn1/oids.js";
import { oidName } from "../crypto/index.js";
import { serialHex, summarizeCertificate, type CertificateSummary } from "../pki/certificate.js";
import { generalNameToString, nameToString } from "../pki/names.js";
import { hex } from "./header.js";
import { decodeNested, type DecodedMessage } from "./message.js";
import { protectionKind } from "./protection-kind.js";
import { describeStatus } from "./status.js";
import { renderDescription, type Json, type MessageDescription } from "./inspect-render.js";

export type { MessageDescription };

/** Names of the CMP protection and key derivation OIDs (RFC 9810 §5.1.3, RFC 9481 §6, RFC 8619). */
const PROTECTION_NAMES: Readonly<Record<string, string>> = {
  [oids.id_PasswordBasedMac]: "PasswordBasedMac",
  [oids.id_PBMAC1]: "PBMAC1",
  [oids.id_DHBasedMac]: "DHBasedMac",
  [oids.id_KemBasedMac]: "KemBasedMac",
  [oids.id_PBKDF2]: "PBKDF2",
  [oids.id_alg_hkdf_with_sha256]: "HKDF-SHA256",
};

/** A printable name for an algorithm OID: the crypto registry's, else a CMP protection name, else the OID. */
export function algorithmName(oid: string): string {
  return oidName(oid) ?? PROTECTION_NAMES[oid] ?? oid;
}

export { renderDescription };

const CONTROL_NAMES = oids.controlNames;
const INFO_NAMES = oids.infoTypeNames;

/** A stable, JSON-serialisable description of a decoded PKIMessage. */
export function describeMessage(decoded: DecodedMessage): MessageDescription {
  const m = decoded.message;
  const h = m.header;
  const kind = protectionKind(h);
  return {
    pvno: h.pvno,
    sender: generalNameToString(h.sender),
    recipient: generalNameToString(h.recipient),
    messageTime: h.messageTime?.toISOString(),
    protectionAlg: h.protectionAlg ? algorithmName(h.protectionAlg.algorithm) : undefined,
    protection: kind,
    protectionParams: h.protectionAlg?.parameters
      ? describeProtectionParams(kind, h.protectionAlg.parameters)
      : undefined,
    senderKID: h.senderKID ? describeKid(h.senderKID) : undefined,
    recipKID: h.recipKID ? describeKid(h.recipKID) : undefined,
    transactionID: h.transactionID ? hex(h.transactionID) : undefined,
    senderNonce: h.senderNonce ? hex(h.senderNonce) : undefined,
    recipNonce: h.recipNonce ? hex(h.recipNonce) : undefined,
    freeText: h.freeText ? [...h.freeText] : undefined,
    generalInfo: h.generalInfo ? h.generalInfo.map(describeItav) : undefined,
    bodyType: decoded.bodyType,
    body: describeBody(decoded),
    extraCerts: m.extraCerts ? m.extraCerts.map(certJson) : undefined,
  };
}

function describeProtectionParams(kind: string, params: ArrayBuffer): Json | undefined {
  try {
    if (kind === "pbm") {
      const p = AsnParser.parse(params, PBMParameter);
      return {
        owf: algorithmName(p.owf.algorithm),
        iterationCount: p.iterationCount,
        mac: algorithmName(p.mac.algorithm),
        saltBytes: p.salt.byteLength,
      };
    }
    if (kind === "pbmac1") {
      const p = AsnParser.parse(params, PBMAC1Params);
      const kdf = AsnParser.parse(p.keyDerivationFunc.parameters!, PBKDF2Params);
      return {
        kdf: algorithmName(p.keyDerivationFunc.algorithm),
        iterationCount: kdf.iterationCount,
        keyLength: kdf.keyLength,
        prf: kdf.prf ? algorithmName(kdf.prf.algorithm) : "hmacWithSHA1",
        mac: algorithmName(p.messageAuthScheme.algorithm),
      };
    }
    if (kind === "kem") {
      const p = AsnParser.parse(params, KemBMParameter);
      return { kdf: algorithmName(p.kdf.algorithm), len: p.len, mac: algorithmName(p.mac.algorithm) };
    }
  } catch {
    return "malformed";
  }
  return undefined;
}

function describeKid(kid: ArrayBuffer): string {
  const bytes = new Uint8Array(kid);
  const printable = bytes.length > 0 && bytes.every((b) => b >= 0x20 && b < 0x7f);
  return printable ? `${hex(kid)} ("${Buffer.from(bytes).toString("latin1")}")` : hex(kid);
}

function certJson(cert: Certificate): { [k: string]: Json } {
  const s: CertificateSummary = summarizeCertificate(cert);
  return {
    subject: s.subject,
    issuer: s.issuer,
    serial: s.serial,
    notBefore: s.notBefore,
    notAfter: s.notAfter,
    publicKey: algorithmName(s.publicKeyAlgorithm),
  };
}

function describeBody(decoded: DecodedMessage): Json {
  const b = decoded.message.body;
  const t = decoded.bodyType;
  switch (t) {
    case "ir":
    case "cr":
    case "kur":
    case "krr":
    case "ccr":
      return { requests: describeRequests(b[t]!) };
    case "ip":
    case "cp":
    case "kup":
    case "ccp":
      return describeCertRep(b[t]!);
    case "p10cr":
      return describeP10cr(b.p10cr!);
    case "rr":
      return {
        revocations: b.rr!.map((d) => ({
          ...templateJson(d.certDetails),
          reason: revocationReason(d.crlEntryDetails),
        })),
      };
    case "rp":
      return describeRevRep(b.rp!);
    case "certConf":
      return describeCertConf(b.certConf!);
    case "pkiconf":
      return {};
    case "genm":
    case "genp":
      return { itav: b[t]!.map(describeItav) };
    case "error":
      return describeError(b.error!);
    case "pollReq":
      return { certReqIds: b.pollReq!.map((p) => p.certReqId) };
    case "pollRep":
      return describePollRep(b.pollRep!);
    case "nested":
      return { messages: decodeNested(b).map((d) => describeMessage(d)) };
    case "cann":
      return { certificate: certJson(b.cann!) };
    case "crlann":
      return { crls: b.crlann!.length };
    default:
      return { note: `${t} content is not expanded` };
  }
}

function describeCertRep(rep: CertRepMessage): Json {
  return {
    caPubs: rep.caPubs ? rep.caPubs.map(certJson) : undefined,
    responses: rep.response.map((r) => ({
      certReqId: r.certReqId,
      status: statusJson(r.status),
      certificate: r.certifiedKeyPair?.certOrEncCert.certificate
        ? certJson(r.certifiedKeyPair.certOrEncCert.certificate)
        : undefined,
      encryptedCert: r.certifiedKeyPair?.certOrEncCert.encryptedCert ? true : undefined,
      privateKey: r.certifiedKeyPair?.privateKey ? "present (encrypted)" : undefined,
    })),
  };
}

function describeP10cr(csr: CertificationRequest): Json {
  return {
    subject: nameToString(csr.certificationRequestInfo.subject),
    publicKey: algorithmName(csr.certificationRequestInfo.subjectPKInfo.algorithm.algorithm),
    signatureAlgorithm: algorithmName(csr.signatureAlgorithm.algorithm),
    attributes: csr.certificationRequestInfo.attributes.map((a) => a.type),
  };
}

function describeRevRep(rp: RevRepContent): Json {
  return {
    status: rp.status.map(statusJson),
    revCerts: rp.revCerts?.map((c) => ({
      issuer: generalNameToString(c.issuer),
      serial: serialHex(c.serialNumber),
    })),
    crls: rp.crls ? rp.crls.length : undefined,
  };
}

function describeCertConf(certConf: CertConfirmContent): Json {
  return {
    certStatus: certConf.map((s) => ({
      certReqId: s.certReqId,
      certHash: hex(s.certHash),
      statusInfo: s.statusInfo ? statusJson(s.statusInfo) : undefined,
      hashAlg: s.hashAlg ? algorithmName(s.hashAlg.algorithm) : undefined,
    })),
  };
}

function describeError(e: ErrorMsgContent): Json {
  return {
    status: statusJson(e.pKIStatusInfo),
    errorCode: e.errorCode,
    errorDetails: e.errorDetails ? [...e.errorDetails] : undefined,
  };
}

function describePollRep(pollRep: PollRepContent): Json {
  return {
    entries: pollRep.map((p) => ({
      certReqId: p.certReqId,
      checkAfter: p.checkAfter,
      reason: p.reason ? [...p.reason] : undefined,
    })),
  };
}

function statusJson(info: Parameters<typeof describeStatus>[0]): { [k: string]: Json } {
  const s = describeStatus(info);
  return { status: s.statusName, statusString: s.statusString, failInfo: s.failInfo };
}

function describeRequests(reqs: CertReqMessages): Json[] {
  return reqs.map((r) => ({
    certReqId: r.certReq.certReqId,
    ...templateJson(r.certReq.certTemplate),
    controls: r.certReq.controls?.map((c) => CONTROL_NAMES[c.type] ?? c.type),
    popo: r.popo ? popoName(r.popo) : "none",
    regInfo: r.regInfo?.map((c) => CONTROL_NAMES[c.type] ?? c.type),
  }));
}

function templateJson(t: CertTemplate): { [k: string]: Json | undefined } {
  const pk = t.publicKey;
  return {
    subject: t.subject ? nameToString(t.subject) : undefined,
    issuer: t.issuer ? nameToString(t.issuer) : undefined,
    serialNumber: t.serialNumber ? serialHex(t.serialNumber) : undefined,
    publicKey: pk
      ? pk.subjectPublicKey.byteLength === 0
        ? `empty: central key generation${pk.algorithm.algorithm ? ` (${algorithmName(pk.algorithm.algorithm)})` : ""}`
        : algorithmName(pk.algorithm.algorithm)
      : undefined,
    validity: t.validity
      ? {
          notBefore: t.validity.notBefore?.getTime().toISOString(),
          notAfter: t.validity.notAfter?.getTime().toISOString(),
        }
      : undefined,
    extensions: t.extensions?.map((e) => e.extnID),
  };
}

function popoName(p: ProofOfPossession): string {
  if (p.raVerified !== undefined) return "raVerified";
  if (p.signature) return `signature (${algorithmName(p.signature.algorithmIdentifier.algorithm)})`;
  const priv = p.keyEncipherment ?? p.keyAgreement;
  const which = p.keyEncipherment ? "keyEncipherment" : "keyAgreement";
  if (priv?.subsequentMessage !== undefined) {
    return `${which} subsequentMessage (${priv.subsequentMessage === 0 ? "encrCert" : "challengeResp"})`;
  }
  if (priv?.agreeMAC) return `${which} agreeMAC`;
  if (priv?.encryptedKey) return `${which} encryptedKey`;
  return which;
}

function revocationReason(exts: { extnID: string; extnValue: { buffer: ArrayBuffer } }[] | undefined): Json {
  const ext = exts?.find((e) => e.extnID === "2.5.29.21");
  if (!ext) return null;
  try {
    const r = AsnParser.parse(ext.extnValue.buffer, CRLReason);
    return isCrlReason(r.reason) ? crlReasonName(r.reason) : String(r.reason);
  } catch {
    return "malformed";
  }
}

function describeItav(itav: InfoTypeAndValue): { [k: string]: Json | undefined } {
  const name = INFO_NAMES[itav.infoType] ?? itav.infoType;
  return {
    infoType: name,
    value: itav.infoValue ? describeItavValue(itav.infoType, itav.infoValue) : undefined,
  };
}

function describeItavValue(type: string, value: ArrayBuffer): Json {
  try {
    switch (type) {
      case oids.id_it_caCerts:
        return AsnParser.parse(value, CMPCertificates).map(certJson);
      case oids.id_it_rootCaCert:
        return certJson(AsnParser.parse(value, Certificate));
      case oids.id_it_rootCaKeyUpdate: {
        const u = AsnParser.parse(value, RootCaKeyUpdateContent);
        return {
          newWithNew: certJson(u.newWithNew),
          newWithOld: u.newWithOld ? certJson(u.newWithOld) : undefined,
          oldWithNew: u.oldWithNew ? certJson(u.oldWithNew) : undefined,
        };
      }
      case oids.id_it_certProfile:
        return [...AsnParser.parse(value, CertProfileValue)];
      case oids.id_it_crls:
        return AsnParser.parse(value, CertificateLists).map((c: CertificateList) => ({
          issuer: nameToString(c.tbsCertList.issuer),
          thisUpdate: c.tbsCertList.thisUpdate.getTime().toISOString(),
          revoked: c.tbsCertList.revokedCertificates?.length ?? 0,
        }));
      case oids.id_it_crlStatusList:
        return AsnParser.parse(value, CRLStatusListValue).map((s) => ({
          source: s.source.issuer ? "issuer" : "distributionPoint",
          thisUpdate: s.thisUpdate?.getTime().toISOString(),
        }));
      case oids.id_it_confirmWaitTime:
        return AsnParser.parse(value, GeneralizedTimeValue).value?.toISOString() ?? null;
      case oids.id_it_KemCiphertextInfo: {
        const k = AsnParser.parse(value, KemCiphertextInfo);
        return { kem: algorithmName(k.kem.algorithm), ciphertextBytes: k.ct.byteLength };
      }
      case oids.id_it_implicitConfirm:
        return null;
      default:
        return `${value.byteLength} bytes`;
    }
  } catch {
    return `malformed (${value.byteLength} bytes)`;
  }
}
