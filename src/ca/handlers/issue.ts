// Issuing in answer to a certificate request (RFC 9483 §4.1): sign through the issuance service, and
// answer with the certificate (in clear or encrypted), caPubs, implicitConfirm or confirmWaitTime.
import { PKIStatus } from "../../asn1/cmp.js";
import { EncryptedKey } from "../../asn1/crmf.js";
import * as oids from "../../asn1/oids.js";
import { confirmWaitTimeItav, implicitConfirmItav } from "../../cmp/build/general-info.js";
import { certRepBody, certResponse } from "../../cmp/build/response.js";
import { CmpError } from "../../cmp/errors.js";
import { PVNO_CMP2021 } from "../../cmp/header.js";
import type { Answer, HandlerContext } from "../../cmp/server/types.js";
import { statusInfo } from "../../cmp/status.js";
import type { Enrollment } from "../../cmp/transaction.js";
import { buildEnvelopedData } from "../../pki/cms/enveloped.js";
import { caChainDer, rootDer, type CaContext } from "../context.js";
import { IssuanceError, type IssueRequester, type PreparedCertificate } from "../issuer.js";
import { packageKey } from "../../cmp/kga.js";
import type { ProfilePolicy } from "../policy.js";
import type { EnrollmentInput } from "./enroll-input.js";

/** The issuance service speaks no CMP: its refusals become the failInfo RFC 9483 §3.6 uses. */
export function asCmpError(e: unknown): unknown {
  if (!(e instanceof IssuanceError)) return e;
  return new CmpError(e.kind === "notAuthorized" ? "notAuthorized" : "badCertTemplate", e.message);
}

/** What binds the requester: a shared secret's subject and SANs, or the subject of the certificate it holds. */
function issueRequester(ca: CaContext, ctx: HandlerContext): IssueRequester {
  const who = ctx.requester;
  if (who.kind === "mac") {
    return {
      id: who.id,
      boundSubject: who.secret.subject,
      allowedDnsNames: ca.policy.secretDnsNames(who.secret.kid),
    };
  }
  // RFC 9483 §4.1.2: a cr is authorized by the requester's certificate; an RA acts for others.
  const holds = ctx.bodyType === "cr" && who.source !== "ra";
  return { id: who.id, heldSubject: holds ? who.cert.cert.tbsCertificate.subject : undefined };
}

function prepare(
  ca: CaContext,
  ctx: HandlerContext,
  input: EnrollmentInput,
  profile: ProfilePolicy,
): PreparedCertificate {
  try {
    return ca.issuer.prepare(
      {
        subject: input.subject,
        oldSubject: input.oldSubject,
        publicKey: input.publicKey,
        subjectAltNames: input.subjectAltNames,
        notAfter: input.notAfter,
        requested: input.requested,
        profile,
        requester: issueRequester(ca, ctx),
      },
      ctx.now,
    );
  } catch (e) {
    throw asCmpError(e);
  }
}

/** kur under revokeOnKeyUpdate: the replaced certificate is revoked (superseded) once the new one is confirmed. */
export async function afterConfirm(
  ca: CaContext,
  s: { setCertificateStatus: CaContext["store"]["setCertificateStatus"] },
  e: Enrollment,
  now: Date,
): Promise<void> {
  if (e.bodyType === "kur" && e.oldSerial && ca.policy.revokeOnKeyUpdate) {
    await s.setCertificateStatus(ca.issuer.issuerName, e.oldSerial, "revoked", { time: now, reason: 4 });
  }
}

export function issueAndAnswer(
  ca: CaContext,
  ctx: HandlerContext,
  e: Enrollment,
  input: EnrollmentInput,
  profile: ProfilePolicy,
): Answer {
  const tp = ca.policy.transactions;
  // An encrypted certificate is only proven received by certConf: no implicit confirmation.
  const implicit = e.implicitConfirm && tp.allowImplicitConfirm && !e.encrCert;
  const c = prepare(ca, ctx, input, profile);
  const tid = Buffer.from(new Uint8Array(ctx.header.transactionID!)).toString("hex");
  const record = ca.issuer.record(c, {
    status: implicit ? "valid" : "unconfirmed",
    profile: e.profile,
    requester: ctx.requester.id,
    forwardedBy: e.forwardedBy,
    transactionId: tid,
    now: ctx.now,
  });
  const deadline = new Date(ctx.now.getTime() + tp.confirmWaitTimeMs);
  ca.log({
    event: "certificate-issued",
    transactionId: tid,
    requester: ctx.requester.id,
    detail: `${c.subject} serial ${c.serial}`,
  });
  const certificate = e.encrCert
    ? {
        encrypted: new EncryptedKey({
          envelopedData: buildEnvelopedData(c.der, oids.id_data, [
            { kind: "certificate", certificate: c.der },
          ]),
        }),
      }
    : { der: c.der };
  const privateKey = input.central
    ? packageKey(ca.materials.kga, input.central.key, input.central.recipient)
    : undefined;
  const resp = certResponse(e.certReqId, statusInfo(PKIStatus.accepted), { certificate, privateKey });
  // RFC 9483 §4.1.5: caPubs carries the root for a MAC-protected ir.
  const caPubs = ctx.requester.kind === "mac" && e.bodyType === "ir" ? [rootDer(ca.materials)] : undefined;
  return {
    body: certRepBody(e.bodyType, [resp], caPubs),
    // RFC 9483 §4.1.1: extraCerts carry the chain of the new certificate.
    extraCerts: caChainDer(ca.materials),
    generalInfo: [implicit ? implicitConfirmItav() : confirmWaitTimeItav(deadline)],
    // RFC 9810 §7: EnvelopedData in a message needs cmp2021.
    pvno: e.encrCert || input.central ? PVNO_CMP2021 : undefined,
    next: implicit
      ? {
          state: { state: "confirmed" },
          expiresAt: new Date(ctx.now.getTime() + 2 * tp.messageTimeSkewMs),
          kind: e.bodyType,
        }
      : {
          state: {
            state: "waiting-certconf",
            enrollment: e,
            issued: { der: Buffer.from(c.der).toString("base64"), serial: c.serial, certReqId: e.certReqId },
          },
          expiresAt: deadline,
          kind: e.bodyType,
        },
    writes: async (s) => {
      await s.insertCertificate(record);
      if (implicit) await afterConfirm(ca, s, e, ctx.now);
    },
  };
}
