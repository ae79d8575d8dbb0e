// Revocation requests (RFC 9483 §4.2): the holder of a certificate, or an authorized RA, revokes it;
// every refusal is a rejected rp (the engine maps the thrown CmpError).
import { AsnParser } from "@peculiar/asn1-schema";
import { CRLReason, id_ce_cRLReasons } from "@peculiar/asn1-x509";
import { PKIStatus, type RevDetails } from "../../asn1/cmp.js";
import { rpBody } from "../../cmp/build/response.js";
import { CmpError } from "../../cmp/errors.js";
import { hex } from "../../cmp/header.js";
import type { Handler } from "../../cmp/server/types.js";
import { statusInfo } from "../../cmp/status.js";
import { serialHex } from "../../pki/certificate.js";
import { nameToString, namesEqual } from "../../pki/names.js";
import type { CaContext } from "../context.js";

function revocationReason(d: RevDetails): number {
  const ext = d.crlEntryDetails?.find((x) => x.extnID === id_ce_cRLReasons);
  if (!ext) return 0;
  try {
    return AsnParser.parse(ext.extnValue.buffer, CRLReason).reason;
  } catch {
    throw new CmpError("badRequest", "the reasonCode in crlEntryDetails is malformed");
  }
}

export function revokeHandler(ca: CaContext): Handler {
  return async (ctx) => {
    const details = ctx.request.message.body.rr!;
    const who = ctx.requester;
    const done = {
      state: { state: "done" as const },
      expiresAt: new Date(ctx.now.getTime() + 2 * ca.policy.transactions.messageTimeSkewMs),
      kind: "rr",
    };
    if (details.length !== 1) throw new CmpError("badRequest", "exactly one RevDetails per rr is supported");
    const t = details[0]!.certDetails;
    if (!t.issuer || !t.serialNumber) {
      throw new CmpError(
        "badRequest",
        "certDetails must hold the issuer and serialNumber of the certificate to revoke",
      );
    }
    if (!namesEqual(t.issuer, ca.materials.caCert.cert.tbsCertificate.subject)) {
      throw new CmpError(
        "badCertId",
        `certificates of "${nameToString(t.issuer)}" are not revoked by this CA`,
      );
    }
    const serial = serialHex(t.serialNumber);
    const rec = await ca.store.getCertificate(ca.issuer.issuerName, serial);
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
    const reason = revocationReason(details[0]!);
    ca.log({
      event: "certificate-revoked",
      transactionId: hex(ctx.header.transactionID),
      requester: who.id,
      detail: `${serial} reason ${reason}`,
    });
    return {
      body: rpBody(statusInfo(PKIStatus.accepted)),
      next: done,
      writes: async (s) => {
        await s.setCertificateStatus(ca.issuer.issuerName, serial, "revoked", { time: ctx.now, reason });
      },
    };
  };
}
