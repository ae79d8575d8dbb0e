// certConf (RFC 9483 §4.1.1, RFC 9810 §5.3.18): the EE accepts or rejects the certificate issued in
// this transaction; the CA marks it valid or revokes it and answers pkiConf.
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { PKIStatus } from "../../asn1/cmp.js";
import { pkiConfBody } from "../../cmp/build/response.js";
import { computeCertHash, certHashAlgorithm } from "../../cmp/certhash.js";
import { CmpError } from "../../cmp/errors.js";
import type { Handler } from "../../cmp/server/types.js";
import type { CaContext } from "../context.js";
import { afterConfirm } from "./issue.js";

export function certConfHandler(ca: CaContext): Handler {
  return async (ctx) => {
    const tx = ctx.transaction!;
    if (tx.state.state !== "waiting-certconf")
      throw new CmpError("badRequest", "no certificate waits for confirmation");
    const { issued, enrollment } = tx.state;
    const content = ctx.request.message.body.certConf!;
    if (content.length !== 1 || content[0]!.certReqId !== issued.certReqId) {
      throw new CmpError("badRequest", `certConf must hold one CertStatus for certReqId ${issued.certReqId}`);
    }
    const st = content[0]!;
    const der = new Uint8Array(Buffer.from(issued.der, "base64"));
    if (st.hashAlg && ctx.header.pvno !== 3) {
      throw new CmpError("badRequest", "CertStatus.hashAlg requires pvno 3 (RFC 9810 §5.3.18)");
    }
    const alg = st.hashAlg ?? certHashAlgorithm(AsnParser.parse(der, Certificate)).alg;
    if (!Buffer.from(computeCertHash(der, alg)).equals(Buffer.from(st.certHash))) {
      throw new CmpError("badCertId", "certHash does not match the certificate issued in this transaction");
    }
    const rejected = st.statusInfo?.status === PKIStatus.rejection;
    const issuer = ca.issuer.issuerName;
    ca.log({
      event: rejected ? "certificate-rejected-by-ee" : "certificate-confirmed",
      transactionId: tx.id,
      requester: ctx.requester.id,
      detail: issued.serial,
    });
    return {
      body: pkiConfBody(),
      next: {
        state: { state: rejected ? "rejected" : "confirmed" },
        expiresAt: new Date(ctx.now.getTime() + 2 * ca.policy.transactions.messageTimeSkewMs),
      },
      writes: async (s) => {
        if (rejected) {
          // RFC 9483 §4.1.1: a certificate the EE rejects is revoked.
          await s.setCertificateStatus(issuer, issued.serial, "revoked", { time: ctx.now, reason: 5 });
        } else {
          await s.setCertificateStatus(issuer, issued.serial, "valid");
          await afterConfirm(ca, s, enrollment, ctx.now);
        }
      },
    };
  };
}
