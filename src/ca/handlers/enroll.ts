// The CA's handler for ir, cr, kur and p10cr (RFC 9483 §4.1): profile, authorization, the request's
// content and POP, then issuance — or, where the profile asks for it, a wait for an operator (§4.4).
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { PKIStatus } from "../../asn1/cmp.js";
import { certProfileOf, hasImplicitConfirm } from "../../cmp/build/general-info.js";
import { certRepBody, certResponse, type CertRequestBodyType } from "../../cmp/build/response.js";
import { CmpError } from "../../cmp/errors.js";
import { hex } from "../../cmp/header.js";
import { requestCertReqId } from "../../cmp/server/failure.js";
import type { Answer, Handler, HandlerContext, Requester } from "../../cmp/server/types.js";
import { statusInfo } from "../../cmp/status.js";
import type { Enrollment } from "../../cmp/transaction.js";
import { importPublicKeySpki, keyIdentityDer, type PublicKey } from "../../crypto/index.js";
import { serialHex } from "../../pki/certificate.js";
import { nameToString } from "../../pki/names.js";
import type { CaContext } from "../context.js";
import { spkiHash } from "../issuer.js";
import type { RequestPolicy } from "../policy.js";
import { enrollmentInput, type EnrollmentInput } from "./enroll-input.js";
import { forwardingRa } from "./forwarding.js";
import { issueAndAnswer } from "./issue.js";

/** The profile: from the path, else generalInfo certProfile, else the shared secret's, else the default. */
export function requestPolicy(ca: CaContext, ctx: HandlerContext): RequestPolicy {
  let name = ctx.path.profile ?? certProfileOf(ctx.header);
  if (!name && ctx.requester.kind === "mac") name = ctx.requester.secret.profile;
  name ??= ca.policy.defaultProfile;
  const p = ca.policy.forRequest(name, ctx.bodyType);
  if (!p) throw new CmpError("badRequest", `unknown certificate profile "${name}"`);
  return p;
}

function authorize(type: CertRequestBodyType, who: Requester, rp: RequestPolicy): void {
  const kind = who.kind === "mac" ? "mac" : who.source;
  if (!rp.requesters.includes(kind)) {
    throw new CmpError(
      "notAuthorized",
      `profile "${rp.profile.name}" does not accept requests from ${kind} requesters`,
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

/**
 * The certificate of this CA that already certifies `key`, in any encoding of it, if any (RFC 9483 §4.1:
 * a fresh key per request). Records from before the one-encoding hash are found by the key's own form.
 */
async function certifiedAlready(ca: CaContext, key: PublicKey): Promise<string | undefined> {
  const identity = keyIdentityDer(key);
  const hashes = new Set([spkiHash(identity), spkiHash(key.spki)]);
  for (const h of hashes) {
    const found = await ca.store.findCertificates({ issuer: ca.issuer.issuerName, spkiHash: h, limit: 10 });
    for (const rec of found) {
      const tbs = AsnParser.parse(rec.der, Certificate).tbsCertificate;
      const der = new Uint8Array(AsnSerializer.serialize(tbs.subjectPublicKeyInfo));
      if (Buffer.from(keyIdentityDer(importPublicKeySpki(der))).equals(Buffer.from(identity)))
        return rec.serial;
    }
  }
  return undefined;
}

/** Rules that need the store: no second certificate for a key, one pending key update per certificate. */
async function checkAgainstStore(
  ca: CaContext,
  ctx: HandlerContext,
  input: EnrollmentInput,
  rp: RequestPolicy,
): Promise<void> {
  if (!input.central && !rp.profile.allowKeyReuse) {
    const serial = await certifiedAlready(ca, input.publicKey);
    if (serial) {
      throw new CmpError(
        "badCertTemplate",
        `the public key is already certified (serial ${serial}); request the certificate for a new key`,
      );
    }
  }
  if (ctx.bodyType !== "kur") return;
  const tid = hex(ctx.header.transactionID);
  const open = await ca.store.findOpenTransactions(ctx.requester.id, ctx.now);
  const pending = open.find(
    (t) =>
      t.kind === "kur" &&
      t.transactionId !== tid &&
      (t.state === "waiting-certconf" || t.state === "waiting-approval"),
  );
  if (pending) {
    throw new CmpError(
      "duplicateCertReq",
      `a key update of this certificate is pending in transaction ${pending.transactionId}`,
    );
  }
}

function waitForApproval(ca: CaContext, ctx: HandlerContext, e: Enrollment, input: EnrollmentInput): Answer {
  const who = ctx.requester;
  const tid = hex(ctx.header.transactionID);
  const summary = `${e.bodyType} for "${input.subject ? nameToString(input.subject) : "(old subject)"}" by ${who.id}`;
  ca.log({ event: "enrollment-waiting", transactionId: tid, requester: who.id, detail: summary });
  // RFC 9483 §4.4: answer "waiting"; the EE polls with pollReq.
  const resp = certResponse(
    e.certReqId,
    statusInfo(PKIStatus.waiting, { text: "the request waits for approval" }),
  );
  return {
    body: certRepBody(e.bodyType, [resp]),
    next: {
      state: { state: "waiting-approval", enrollment: e },
      expiresAt: new Date(ctx.now.getTime() + ca.policy.transactions.approvalWaitMs),
      kind: e.bodyType,
    },
    writes: async (s) => {
      await s.createApproval(
        { transactionId: tid, requester: who.id, profile: e.profile, summary, request: ctx.request.der },
        ctx.now,
      );
    },
  };
}

export function enrollHandler(ca: CaContext): Handler {
  return async (ctx) => {
    const type = ctx.bodyType as CertRequestBodyType;
    const rp = requestPolicy(ca, ctx);
    authorize(type, ctx.requester, rp);
    const input = enrollmentInput(ca, ctx.request, ctx.requester, rp.profile);
    await checkAgainstStore(ca, ctx, input, rp);
    const who = ctx.requester;
    const e: Enrollment = {
      profile: rp.profile.name,
      pvno: ctx.header.pvno,
      bodyType: type,
      certReqId: requestCertReqId(ctx.request),
      implicitConfirm: hasImplicitConfirm(ctx.header),
      oldSerial:
        type === "kur" && who.kind === "cert"
          ? serialHex(who.cert.cert.tbsCertificate.serialNumber)
          : undefined,
      encrCert: input.encrCert,
      // Kept with the enrollment: an approved request may be issued on a pollReq (RFC 9483 §4.4).
      forwardedBy: forwardingRa(ctx),
    };
    if (rp.requireApproval) return waitForApproval(ca, ctx, e, input);
    return issueAndAnswer(ca, ctx, e, input, rp.profile);
  };
}
