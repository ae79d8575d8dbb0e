// What every CA handler works with: the CA's keys and certificates, its typed policy, the store, the
// issuance service and the log.
import type { CaMaterials } from "../config/materials.js";
import type { Store } from "../store/store.js";
import type { Issuer } from "./issuer.js";
import type { CaPolicy } from "./policy.js";

export interface CaLogEvent {
  event: string;
  transactionId?: string;
  requester?: string;
  detail?: string;
}

export interface CaContext {
  materials: CaMaterials;
  policy: CaPolicy;
  store: Store;
  issuer: Issuer;
  log: (e: CaLogEvent) => void;
}

/** The CA certificates sent with answers: the issuing CA and the chain above it (RFC 9483 §4.1.1). */
export function caChainDer(m: CaMaterials): Uint8Array[] {
  return [m.caCert.der, ...m.chain.map((c) => c.der)];
}

/** The root: the last certificate of the chain, or the CA itself when it is the root. */
export function rootDer(m: CaMaterials): Uint8Array {
  return m.chain.length ? m.chain[m.chain.length - 1]!.der : m.caCert.der;
}
