// Re-protecting a changed CA answer as the CA would, for tests of what a client refuses.
import { PKIMessage } from "../../src/asn1/cmp.js";
import * as oids from "../../src/asn1/oids.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { protectMessage, type ProtectionCredential } from "../../src/cmp/protection.js";
import type { TestCa } from "./ca.js";

const te = new TextEncoder();

/**
 * Changes a CA answer and protects it again as the CA would (its MAC secret or its CMP signer), so
 * that only the change is what a client objects to.
 */
export function reprotect(t: TestCa, answer: Uint8Array, change: (m: PKIMessage) => void): Uint8Array {
  const d = decodePKIMessage(answer);
  const m = d.message;
  change(m);
  const extra = d.extraCerts.map((c) => c.der);
  let cred: ProtectionCredential;
  if (m.header.protectionAlg?.algorithm === oids.id_PasswordBasedMac) {
    cred = {
      kind: "pbm",
      secret: te.encode(t.secrets.secret),
      senderKID: te.encode(t.secrets.kid),
      extraCerts: extra,
    };
  } else {
    const s = t.materials.signer;
    cred = { kind: "signature", key: s.key, certificate: s.cert.der, chain: extra.slice(1) };
  }
  delete m.protection;
  delete m.extraCerts;
  return protectMessage(m, cred);
}
