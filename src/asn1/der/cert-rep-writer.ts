// CertRepMessage bodies (ip / cp / kup, RFC 9810 §5.3.4) written with the DER writer when they hold what
// a CA answers most: embedded certificates, plain statuses. Any other shape is left to the schema serialiser.
import type { Certificate } from "@peculiar/asn1-x509";
import type { PKIBody } from "../cmp.js";
import type { CertRepMessage, CertResponse } from "../cmp-content.js";
import { receivedDer } from "./received.js";
import { DerWriter } from "./writer.js";

/** PKIBody tags of the CertRepMessage choices: ip [1], cp [3], kup [8]. */
const TAGS = { ip: 0xa1, cp: 0xa3, kup: 0xa8 } as const;

/** The body's DER, or undefined when a part of it is not of the shapes written here. */
export function writeCertRepBody(body: PKIBody): Uint8Array | undefined {
  const choice = body.ip ? "ip" : body.cp ? "cp" : body.kup ? "kup" : undefined;
  if (!choice) return undefined;
  const rep = body[choice]!;
  if (!plain(rep)) return undefined;
  return new DerWriter(2048)
    .constructed(TAGS[choice], (b) =>
      b.sequence((m) => {
        if (rep.caPubs)
          m.constructed(0xa1, (c) => c.sequence((s) => rep.caPubs!.forEach((x) => s.raw(der(x)))));
        m.sequence((list) => {
          for (const r of rep.response) {
            list.sequence((w) => {
              w.smallInteger(r.certReqId);
              w.sequence((s) => s.smallInteger(r.status.status));
              const cert = r.certifiedKeyPair?.certOrEncCert.certificate;
              // CertifiedKeyPair { certOrEncCert: certificate [0] (EXPLICIT: CertOrEncCert is a CHOICE) }
              if (cert) w.sequence((k) => k.constructed(0xa0, (c) => c.raw(der(cert))));
            });
          }
        });
      }),
    )
    .finish();
}

function der(cert: Certificate): Uint8Array {
  return receivedDer(cert)!;
}

/** Certificates whose DER is known, non-negative request ids, statuses without text or failInfo. */
function plain(rep: CertRepMessage): boolean {
  if (rep.caPubs && !rep.caPubs.every((c) => receivedDer(c))) return false;
  return rep.response.every((r: CertResponse) => {
    const s = r.status;
    if (!Number.isSafeInteger(r.certReqId) || r.certReqId < 0 || r.rspInfo !== undefined) return false;
    if (!Number.isSafeInteger(s.status) || s.status < 0 || s.statusString || s.failInfo) return false;
    const pair = r.certifiedKeyPair;
    if (!pair) return true;
    if (pair.privateKey || pair.publicationInfo || pair.certOrEncCert.encryptedCert) return false;
    const cert = pair.certOrEncCert.certificate;
    return cert !== undefined && receivedDer(cert) !== undefined;
  });
}
