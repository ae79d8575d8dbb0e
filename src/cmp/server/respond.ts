// Building and protecting the engine's answers (RFC 9483 §3, §3.6): the response header echoes the
// request, protection follows the request's (MAC for MAC, KEM-based MAC for KEM, else the signer).
import { PKIMessage, type PKIBody, type PKIHeader } from "../../asn1/cmp.js";
import { buildHeader, PVNO_CMP2000, PVNO_CMP2021, responseHeader } from "../header.js";
import type { DecodedMessage } from "../message.js";
import { macParameters, protectMessage, protectionKind, type ProtectionCredential } from "../protection.js";
import type { Answer, Requester, ServerIdentity } from "./types.js";

/** The answer's header: same transactionID, recipNonce = the request's senderNonce, a fresh senderNonce. */
export function answerHeader(
  id: ServerIdentity,
  request: PKIHeader | undefined,
  a: Partial<Answer>,
): PKIHeader {
  if (!request) return buildHeader({ sender: id.sender });
  return responseHeader(request, {
    // RFC 9810 §7: answer with the version received unless the answer's syntax needs cmp2021.
    pvno: a.pvno ?? (request.pvno === PVNO_CMP2021 ? PVNO_CMP2021 : PVNO_CMP2000),
    sender: id.sender,
    recipKID: request.senderKID ? new Uint8Array(request.senderKID) : undefined,
    generalInfo: a.generalInfo,
  });
}

/** The credential protecting an answer to `d` from `who`. */
export function answerCredential(
  id: ServerIdentity,
  d: DecodedMessage | undefined,
  who: Requester | undefined,
  forceSignature = false,
): ProtectionCredential {
  const kind = d ? protectionKind(d.message.header) : "none";
  if (!forceSignature && who?.kind === "cert" && who.kemSecret && kind === "kem") {
    // RFC 9810 §5.1.3.4: the responder protects with the same KEM-derived MAC key.
    return { kind: "kem", sharedSecret: who.kemSecret };
  }
  if (!forceSignature && who?.kind === "mac" && d) {
    const h = d.message.header;
    const senderKID = h.senderKID ? new Uint8Array(h.senderKID) : undefined;
    // RFC 9483 §4.1.5 / RFC 9481 §6.1: the answer uses the same shared secret and the MAC algorithm,
    // OWF and iteration count the requester chose (it proved it can bear that cost); a fresh salt.
    const p = macParameters(h.protectionAlg);
    const secret = who.secret.secret;
    if (p?.kind === "pbmac1")
      return { kind: "pbmac1", secret, senderKID, iterations: p.iterations, hash: p.hash };
    if (p?.kind === "pbm") {
      return { kind: "pbm", secret, senderKID, iterations: p.iterations, owf: p.owf, mac: p.mac };
    }
    return { kind: kind === "pbmac1" ? "pbmac1" : "pbm", secret, senderKID };
  }
  return {
    kind: "signature",
    key: id.signer.key,
    certificate: id.signer.certificate,
    chain: [...id.signer.chain],
  };
}

/** Protects the answer; extraCerts of the answer follow the signer's own chain, without repeats. */
export function protectAnswer(
  header: PKIHeader,
  body: PKIBody,
  cred: ProtectionCredential,
  extraCerts: readonly Uint8Array[] = [],
): Uint8Array {
  if (cred.kind === "signature") {
    const sent = [cred.certificate, ...(cred.chain ?? [])];
    const chain = [...(cred.chain ?? [])];
    for (const c of extraCerts) {
      if (!sent.some((x) => Buffer.from(x).equals(Buffer.from(c)))) {
        chain.push(c);
        sent.push(c);
      }
    }
    return protectMessage(new PKIMessage({ header, body }), { ...cred, chain });
  }
  if (cred.kind === "none") return protectMessage(new PKIMessage({ header, body }), cred);
  return protectMessage(new PKIMessage({ header, body }), { ...cred, extraCerts: [...extraCerts] });
}
