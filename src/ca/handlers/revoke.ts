// Revocation requests (RFC 9483 §4.2): the holder of a certificate, or an authorized RA, revokes it,
// puts it on hold or releases the hold; every refusal is a rejected rp (the engine maps the CmpError).
import { isCrlReason } from "../../pki/crl.js";
import { AsnParser } from "@peculiar/asn1-schema";
import { CRLReason, id_ce_cRLReasons, id_ce_invalidityDate, InvalidityDate } from "@peculiar/asn1-x509";
import { PKIStatus, type RevDetails } from "../../asn1/cmp.js";
import { rpBody } from "../../cmp/build/response.js";
import { CmpError } from "../../cmp/errors.js";
import { hex } from "../../cmp/header.js";
import type { Handler, HandlerContext } from "../../cmp/server/types.js";
import { statusInfo } from "../../cmp/status.js";
import { serialHex } from "../../pki/certificate.js";
import { nameToString, namesEqual } from "../../pki/names.js";
import type { CertificateRecord, RevocationDetails } from "../../store/store.js";
import type { CaContext } from "../context.js";

/** RFC 5280 §5.3.1 CRLReason values; 7 is not used. */
const CERTIFICATE_HOLD = 6;
const REMOVE_FROM_CRL = 8;

interface RevocationRequest {
  reason: number;
  invalidityDate?: Date;
}

function parseExtension<T>(value: ArrayBuffer, type: new () => T, what: string): T {
  try {
    return AsnParser.parse(value, type);
  } catch {
    throw new CmpError("badRequest", `the ${what} in crlEntryDetails is malformed`);
  }
}

/** RFC 9483 §4.2: crlEntryDetails holds exactly one reasonCode, a valid CRLReason (RFC 5280 §5.3.1). */
function revocationRequest(d: RevDetails, requireReason: boolean): RevocationRequest {
  const exts = d.crlEntryDetails ?? [];
  const seen = new Set<string>();
  for (const x of exts) {
    // RFC 5280 §5.3: an entry carries each extension at most once.
    if (seen.has(x.extnID)) throw new CmpError("badRequest", `crlEntryDetails holds ${x.extnID} twice`);
    seen.add(x.extnID);
  }
  const reasonExt = exts.find((x) => x.extnID === id_ce_cRLReasons);
  if (!reasonExt && requireReason) {
    throw new CmpError("badRequest", "crlEntryDetails must hold a reasonCode (0 = unspecified when unknown)");
  }
  const reason = reasonExt ? parseExtension(reasonExt.extnValue.buffer, CRLReason, "reasonCode").reason : 0;
  if (!isCrlReason(reason)) {
    throw new CmpError("badRequest", `reasonCode ${reason} is not a CRLReason (0-6, 8-10)`);
  }
  const dateExt = exts.find((x) => x.extnID === id_ce_invalidityDate);
  const invalidityDate = dateExt
    ? parseExtension(dateExt.extnValue.buffer, InvalidityDate, "invalidityDate").value
    : undefined;
  return { reason, invalidityDate };
}

/** The status change `req` asks for on `rec` (RFC 5280 §5.3.1: certificateHold is the one reversible reason). */
function statusChange(
  rec: CertificateRecord,
  req: RevocationRequest,
  now: Date,
): { status: CertificateRecord["status"]; revocation?: RevocationDetails } {
  const onHold = rec.status === "revoked" && rec.revocationReason === CERTIFICATE_HOLD;
  if (req.reason === REMOVE_FROM_CRL) {
    if (onHold) return { status: "valid" };
    if (rec.status === "revoked") {
      throw new CmpError("certRevoked", `certificate ${rec.serial} is revoked, not on hold`);
    }
    throw new CmpError("badRequest", `removeFromCRL: certificate ${rec.serial} is not on hold`);
  }
  // A certificate on hold may still be revoked for good; anything else revoked stays as it is.
  if (rec.status === "revoked" && (!onHold || req.reason === CERTIFICATE_HOLD)) {
    throw new CmpError("certRevoked", `certificate ${rec.serial} is already revoked`);
  }
  return {
    status: "revoked",
    revocation: { time: now, reason: req.reason, invalidityDate: req.invalidityDate },
  };
}

async function targetRecord(ca: CaContext, d: RevDetails): Promise<CertificateRecord> {
  const t = d.certDetails;
  if (!t.issuer || !t.serialNumber) {
    throw new CmpError(
      "badRequest",
      "certDetails must hold the issuer and serialNumber of the certificate to revoke",
    );
  }
  if (!namesEqual(t.issuer, ca.materials.caCert.cert.tbsCertificate.subject)) {
    throw new CmpError("badCertId", `certificates of "${nameToString(t.issuer)}" are not revoked by this CA`);
  }
  const serial = serialHex(t.serialNumber);
  const rec = await ca.store.getCertificate(ca.issuer.issuerName, serial);
  if (!rec) throw new CmpError("badCertId", `no certificate with serial ${serial} was issued by this CA`);
  return rec;
}

function authorize(ctx: HandlerContext, rec: CertificateRecord): void {
  const who = ctx.requester;
  const holder = who.kind === "cert" && Buffer.from(who.cert.der).equals(Buffer.from(rec.der));
  const ra = who.kind === "cert" && who.source === "ra";
  // RFC 9483 §4.2, §5.3.2: signed with the certificate to be revoked, or by an authorized RA.
  if (!holder && !ra) {
    throw new CmpError(
      "notAuthorized",
      "a revocation must be signed with the certificate to be revoked, or by an authorized RA",
    );
  }
}

export function revokeHandler(ca: CaContext): Handler {
  return async (ctx) => {
    const details = ctx.request.message.body.rr!;
    if (details.length !== 1) throw new CmpError("badRequest", "exactly one RevDetails per rr is supported");
    const rec = await targetRecord(ca, details[0]!);
    authorize(ctx, rec);
    const req = revocationRequest(details[0]!, ca.policy.revocation.requireReasonCode);
    const change = statusChange(rec, req, ctx.now);
    ca.log({
      event: change.status === "valid" ? "certificate-released" : "certificate-revoked",
      transactionId: hex(ctx.header.transactionID),
      requester: ctx.requester.id,
      detail: `${rec.serial} reason ${req.reason}`,
    });
    return {
      body: rpBody(statusInfo(PKIStatus.accepted)),
      next: {
        state: { state: "done" },
        expiresAt: new Date(ctx.now.getTime() + 2 * ca.policy.transactions.messageTimeSkewMs),
        kind: "rr",
      },
      writes: async (s) => {
        await s.setCertificateStatus(ca.issuer.issuerName, rec.serial, change.status, change.revocation);
      },
    };
  };
}
