// Classifies a header's protectionAlg (RFC 9810 §5.1.3) without needing any key material.
import type { PKIHeader } from "../asn1/cmp.js";
import { id_DHBasedMac, id_KemBasedMac, id_PasswordBasedMac, id_PBMAC1 } from "../asn1/oids.js";

export type ProtectionKind = "none" | "signature" | "pbm" | "pbmac1" | "dhmac" | "kem";

export function protectionKind(header: PKIHeader): ProtectionKind {
  const oid = header.protectionAlg?.algorithm;
  if (!oid) return "none";
  if (oid === id_PasswordBasedMac) return "pbm";
  if (oid === id_PBMAC1) return "pbmac1";
  if (oid === id_DHBasedMac) return "dhmac";
  if (oid === id_KemBasedMac) return "kem";
  return "signature";
}
