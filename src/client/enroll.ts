// Enrollment (RFC 9483 §4.1): the ir / cr / kur / p10cr request, the exchange with polling, the
// issued certificate (in clear or encrypted to the new key), its checks, and certConf.
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate, GeneralName } from "@peculiar/asn1-x509";
import { PKIStatus, type CertResponse, type InfoTypeAndValue, type PKIBody } from "../asn1/cmp.js";
import {
  certConfBody,
  certProfileItav,
  certReqMessages,
  certRequestBody,
  certTemplate,
  hasImplicitConfirm,
  implicitConfirmItav,
  oldCertIdControl,
  responseTypeFor,
  type CertRequestBodyType,
} from "../cmp/build/index.js";
import { CmpClientError, statusError } from "../cmp/client/errors.js";
import { certRep, exchangeDelayed, type PollSettings } from "../cmp/client/poll.js";
import type { ClientSession } from "../cmp/client/session.js";
import { hex, PVNO_CMP2000, PVNO_CMP2021 } from "../cmp/header.js";
import type { DecodedMessage } from "../cmp/message.js";
import { protectionKind } from "../cmp/protection.js";
import { formatStatus } from "../cmp/status.js";
import { canSign as canSignType, type PrivateKey } from "../crypto/index.js";
import { openEnvelopedData } from "../pki/cms/enveloped.js";
import { parseName } from "../pki/names.js";
import { centralKeyAlgorithm, openCentralKey } from "./central-key.js";
import { chainOf, checkIssued } from "./issued.js";
import type { CmpClientOptions, EnrollRequest, EnrollResult } from "./types.js";
import type { CertEntry } from "../pki/path.js";

/** What an enrollment needs besides its body. */
export interface PreparedEnrollment {
  type: CertRequestBodyType;
  body: PKIBody;
  /** The SubjectPublicKeyInfo asked to be certified; undefined for central key generation. */
  newSpki?: Uint8Array;
  /** The new key when the certificate comes encrypted to it (indirect POP). */
  decryptionKey?: PrivateKey;
  centralKeyGeneration?: boolean;
}

/** The client's state the enrollment modules read. */
export interface EnrollContext {
  options: CmpClientOptions;
  anchors: readonly CertEntry[];
  /** Opens a new transaction with the given pvno. */
  session(pvno: number): ClientSession;
}

const OPERATION: Record<CertRequestBodyType, string> = {
  ir: "initialization",
  cr: "certification",
  kur: "keyupdate",
  p10cr: "pkcs10",
};

/** Whether the key can sign its POP (RFC 4211 §4.1); otherwise the certificate comes encrypted to it. */
export function canSign(key: PrivateKey): boolean {
  return canSignType(key.type);
}

/** The ir / cr / kur body for `req` (RFC 9483 §4.1.1-4.1.3, §4.1.6). */
export function prepareCertRequest(
  type: "ir" | "cr" | "kur",
  req: EnrollRequest,
  oldCert: Certificate | undefined,
): PreparedEnrollment {
  const newKey = req.newKey;
  const subject = req.subject ?? (type === "kur" ? oldCert?.tbsCertificate.subject : undefined);
  const template = certTemplate({
    subject: typeof subject === "string" ? parseName(subject) : subject,
    publicKey: newKey?.publicKey.spki ?? req.raVerifiedKey,
    // RFC 9483 §4.1.6: without a wanted type the publicKey field stays out and the KGA's profile decides.
    centralKeyAlgorithm: !newKey && req.centralKeyType ? centralKeyAlgorithm(req.centralKeyType) : undefined,
    subjectAltNames: req.subjectAltNames ?? req.dnsNames?.map((d) => new GeneralName({ dNSName: d })),
    notAfter: req.notAfter,
  });
  let controls;
  if (req.raVerifiedKey) return raVerifiedRequest(type, template, req.raVerifiedKey);
  if (type === "kur") {
    if (!oldCert) throw new CmpClientError("a key update needs the certificate being updated");
    controls = [oldCertIdControl(oldCert)];
  }
  if (!newKey) {
    const body = certRequestBody(type, certReqMessages({ template, controls }));
    return { type, body, centralKeyGeneration: true };
  }
  const signs = canSign(newKey);
  // RFC 9810 §5.2.8.3: a key that cannot sign proves possession by decrypting the certificate.
  const pop = signs ? { kind: "signature" as const, key: newKey } : { kind: "encrCert" as const };
  const body = certRequestBody(type, certReqMessages({ template, controls, pop }));
  return { type, body, newSpki: newKey.publicKey.spki, decryptionKey: signs ? undefined : newKey };
}

/** RFC 9483 §5.3.1: a request for another entity's key, possession verified by the RA (popo raVerified). */
function raVerifiedRequest(
  type: "ir" | "cr" | "kur",
  template: ReturnType<typeof certTemplate>,
  spki: Uint8Array,
): PreparedEnrollment {
  if (type === "kur") throw new CmpClientError("a key update is sent by the certificate holder itself");
  const body = certRequestBody(type, certReqMessages({ template, pop: { kind: "raVerified" } }));
  return { type, body, newSpki: spki };
}

function generalInfo(o: CmpClientOptions): InfoTypeAndValue[] {
  const gi: InfoTypeAndValue[] = [];
  if (o.implicitConfirm) gi.push(implicitConfirmItav()); // RFC 9483 §4.1.1
  if (o.certProfile) gi.push(certProfileItav(o.certProfile)); // RFC 9483 §4.1
  return gi;
}

/** Runs one enrollment transaction: request, polling, checks, certConf. */
export async function enroll(ctx: EnrollContext, p: PreparedEnrollment): Promise<EnrollResult> {
  const o = ctx.options;
  // RFC 9810 §7: an exchange that carries EnvelopedData uses cmp2021.
  const session = ctx.session(p.decryptionKey || p.centralKeyGeneration ? PVNO_CMP2021 : PVNO_CMP2000);
  const operation = OPERATION[p.type];
  const repType = responseTypeFor(p.type);
  const certReqId = p.type === "p10cr" ? -1 : 0;
  // RFC 9483 §4.4: one bound for the whole transaction, certConf included.
  const poll = {
    totalTimeoutMs: o.totalTimeoutMs,
    sleep: o.sleep,
    onProgress: o.onProgress,
    startedAt: session.now().getTime(),
  };
  const rsp = await exchangeDelayed(session, p.body, {
    ...poll,
    operation,
    expect: [repType],
    certReqId,
    generalInfo: generalInfo(o),
  });
  const rep = certRep(rsp, repType)!;
  const r = rep.response[0]!;
  if (r.certReqId !== certReqId) {
    throw new CmpClientError(`the response names certReqId ${r.certReqId}, expected ${certReqId}`, [
      "badRequest",
    ]);
  }
  if (r.status.status !== PKIStatus.accepted && r.status.status !== PKIStatus.grantedWithMods) {
    throw statusError("enrollment refused", r.status);
  }
  const certificate = issuedCertificate(r, p.decryptionKey);
  const caPubs = (rep.caPubs ?? []).map((c) => new Uint8Array(AsnSerializer.serialize(c)));
  const extra = rsp.extraCerts.map((c) => c.der);
  const privateKey = p.centralKeyGeneration ? await centralKey(ctx, session, r, rsp, caPubs) : undefined;
  const problem = await checkIssued({
    certificate,
    spki: p.newSpki ?? privateKey!.publicKey.spki,
    extraCerts: extra,
    caPubs,
    protection: protectionKind(rsp.message.header),
    anchors: ctx.anchors,
    untrusted: o.untrusted ?? [],
    trustCaPubsFromMac: o.trustCaPubsFromMac ?? true,
    now: session.now(),
    crlCheck: o.crlCheck,
    ocspCheck: o.ocspCheck,
  });
  // RFC 9483 §4.1.1: implicit confirmation only when asked for and granted in the answer's generalInfo.
  const implicit = !!o.implicitConfirm && hasImplicitConfirm(rsp.message.header);
  if (!implicit) await confirm(session, { ...poll, operation }, certificate, certReqId, problem);
  if (problem) throw new CmpClientError(`the issued certificate was rejected: ${problem}`);
  return {
    certificate,
    chain: chainOf(certificate, [...extra, ...caPubs]),
    caPubs,
    status: formatStatus(r.status),
    implicitlyConfirmed: implicit,
    transactionId: hex(session.transactionID),
    privateKey,
  };
}

/** The certificate of a CertResponse, decrypted with the new key when it came encrypted (RFC 9810 §5.2.8.3). */
function issuedCertificate(r: CertResponse, decryptionKey: PrivateKey | undefined): Uint8Array {
  const coe = r.certifiedKeyPair?.certOrEncCert;
  if (coe?.certificate) return new Uint8Array(AsnSerializer.serialize(coe.certificate));
  if (!coe?.encryptedCert?.envelopedData) throw new CmpClientError("the response holds no certificate");
  if (!decryptionKey) {
    throw new CmpClientError("the certificate came encrypted, but not to a key this client holds");
  }
  try {
    return openEnvelopedData(coe.encryptedCert.envelopedData, { kind: "key", key: decryptionKey });
  } catch (e) {
    throw new CmpClientError(`cannot decrypt the issued certificate: ${(e as Error).message}`);
  }
}

async function centralKey(
  ctx: EnrollContext,
  session: ClientSession,
  r: CertResponse,
  rsp: DecodedMessage,
  caPubs: Uint8Array[],
): Promise<PrivateKey> {
  const enc = r.certifiedKeyPair?.privateKey?.envelopedData;
  if (!enc)
    throw new CmpClientError("central key generation was asked for, but the response holds no private key");
  return openCentralKey({
    envelopedData: enc,
    credential: ctx.options.credential,
    extraCerts: rsp.extraCerts.map((c) => c.der),
    caPubs,
    protection: protectionKind(rsp.message.header),
    anchors: ctx.anchors,
    untrusted: ctx.options.untrusted ?? [],
    now: session.now(),
  });
}

/** RFC 9483 §4.1.1: certConf accepting the certificate, or rejecting it with the reason. */
async function confirm(
  session: ClientSession,
  poll: PollSettings & { operation: string },
  certificate: Uint8Array,
  certReqId: number,
  problem: string | undefined,
): Promise<void> {
  const { body, needsCmp2021 } = certConfBody({
    certificate,
    parsed: AsnParser.parse(certificate, Certificate),
    certReqId,
    rejection: problem ? { text: problem, failInfo: ["incorrectData"] } : undefined,
  });
  // RFC 9810 §5.3.18: hashAlg in certConf needs pvno 3.
  if (needsCmp2021) session.requireCmp2021();
  await exchangeDelayed(session, body, { ...poll, expect: ["pkiconf"] });
}
