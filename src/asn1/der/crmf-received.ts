// Notes the received DER of each CertRequest of an ir / cr / kur body and of its template's public key
// (RFC 4211 §3 CertReqMessages ::= SEQUENCE OF CertReqMsg; CertReqMsg ::= SEQUENCE { certReq, ... };
// CertTemplate publicKey [6] IMPLICIT SubjectPublicKeyInfo), so POP and key checks use those bytes.
import type { PKIBody } from "../cmp.js";
import { DerReader, isStrictDerTree, type DerElement } from "./reader.js";
import { noteReceived, receivedDer } from "./received.js";

/** Context tags of the PKIBody choices that carry CertReqMessages: ir [0], cr [2], kur [7]. */
const CRMF_TAGS = new Set([0xa0, 0xa2, 0xa7]);

export function noteCertRequests(bodyElement: DerElement, body: PKIBody): void {
  const msgs = body.ir ?? body.cr ?? body.kur;
  if (!msgs || !CRMF_TAGS.has(bodyElement.tag)) return;
  try {
    const list = DerReader.of(DerReader.of(bodyElement).expect(0x30, "CertReqMessages")).all();
    if (list.length !== msgs.length) return;
    list.forEach((m, i) => {
      // A request the direct reader took (src/asn1/der/crmf-reader.ts) is noted already.
      if (receivedDer(msgs[i]!.certReq)) return;
      const certReq = DerReader.of(m).expect(0x30, "CertRequest");
      if (!isStrictDerTree(certReq.bytes)) return;
      const parsed = msgs[i]!.certReq;
      noteReceived(parsed, certReq.bytes, true);
      const spki = templateKey(certReq);
      if (spki && parsed.certTemplate.publicKey) noteReceived(parsed.certTemplate.publicKey, spki, true);
    });
  } catch {
    // Whatever the schema parser took but this reader does not: the values are serialised as before.
  }
}

/** The template's publicKey as a SubjectPublicKeyInfo (its [6] IMPLICIT tag turned back into SEQUENCE). */
function templateKey(certReq: DerElement): Uint8Array | undefined {
  const r = DerReader.of(certReq);
  r.expect(0x02, "certReqId");
  const template = DerReader.of(r.expect(0x30, "CertTemplate"));
  while (!template.empty) {
    const f = template.read();
    if (f.tag !== 0xa6) continue;
    const spki = f.bytes.slice();
    spki[0] = 0x30;
    return spki;
  }
  return undefined;
}
