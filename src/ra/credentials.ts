// The RA's answers to the engine's CredentialResolver: EE shared secrets by senderKID, and the trust
// sources a downstream protection certificate may chain to (downstream RAs, this PKI, IDevID anchors).
import { hex } from "../cmp/header.js";
import type { ClientCredential } from "../cmp/client/types.js";
import { protectionKind, type MacLimits } from "../cmp/protection.js";
import type {
  CredentialResolver,
  HandlerContext,
  SharedSecretCredential,
  TrustSource,
} from "../cmp/server/types.js";
import type { RaMaterials } from "./types.js";

export class RaCredentials implements CredentialResolver {
  private readonly sources: readonly TrustSource[];
  constructor(
    private readonly m: RaMaterials,
    readonly macLimits: MacLimits,
  ) {
    this.sources = [
      { name: "ra", anchors: m.raCerts, useExtraCerts: false, checkRevocation: false },
      { name: "issued", anchors: m.issuingAnchors, useExtraCerts: true, checkRevocation: false },
      { name: "external", anchors: m.externalAnchors, useExtraCerts: true, checkRevocation: false },
    ];
  }

  sharedSecret(senderKID: Uint8Array): SharedSecretCredential | undefined {
    return this.m.secrets.get(hex(senderKID));
  }

  trustSources(): readonly TrustSource[] {
    return this.sources;
  }

  /** The RA does not hold the CA's revocation state; the CA checks it when the request arrives. */
  isRevoked(): Promise<boolean> {
    return Promise.resolve(false);
  }
}

/** The EE's MAC secret verifies a MAC-protected upstream answer to the EE's own message. */
export function eeCredential(m: RaMaterials, header: HandlerContext["header"]): ClientCredential | undefined {
  if (protectionKind(header) === "signature" || !header.senderKID) return undefined;
  const entry = m.secrets.get(hex(header.senderKID));
  return entry ? { kind: "mac", reference: entry.kid, secret: entry.secret } : undefined;
}
