// The KEM bootstrap (RFC 9810 §5.1.3.4) as a genm handler: an EE whose only credential is a KEM
// certificate asks for a ciphertext; the CA encapsulates to the certificate's key, keeps the shared
// secret in the transaction and answers KemCiphertextInfo, signed.
import { AsnSerializer } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { InfoTypeAndValue } from "../../asn1/cmp.js";
import { KemCiphertextInfo } from "../../asn1/itav.js";
import * as oids from "../../asn1/oids.js";
import { CmpError } from "../../cmp/errors.js";
import { hex } from "../../cmp/header.js";
import type { GenmHandler } from "../../cmp/server/types.js";
import { kemEncapsulate } from "../../crypto/index.js";
import { certificatePublicKey } from "../../pki/path.js";
import type { CaContext } from "../context.js";

export function kemBootstrapHandler(ca: CaContext): GenmHandler {
  return {
    unprotected: true,
    answer: async (_itav, ctx) => {
      const who = ctx.requester;
      if (who.kind !== "cert") throw new CmpError("badRequest", "KemCiphertextInfo needs a KEM certificate");
      const { sharedSecret, ciphertext } = kemEncapsulate(certificatePublicKey(who.cert.cert));
      const info = new KemCiphertextInfo({
        kem: new AlgorithmIdentifier({
          algorithm: who.cert.cert.tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm,
        }),
        ct: ciphertext.slice().buffer,
      });
      ca.log({
        event: "kem-ciphertext-sent",
        transactionId: hex(ctx.header.transactionID),
        requester: who.id,
      });
      const tp = ca.policy.transactions;
      return {
        itav: new InfoTypeAndValue({
          infoType: oids.id_it_KemCiphertextInfo,
          infoValue: AsnSerializer.serialize(info),
        }),
        next: {
          state: { state: "kem-protection" },
          expiresAt: new Date(ctx.now.getTime() + Math.max(tp.confirmWaitTimeMs, 2 * tp.messageTimeSkewMs)),
          kind: "kem",
          kemSecret: sharedSecret,
        },
        signed: true,
      };
    },
  };
}
