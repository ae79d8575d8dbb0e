// The CA's answers to the engine's CredentialResolver: shared secrets by senderKID, the trust sources a
// protection certificate may chain to (configured RAs, this CA, external anchors), and revocation of
// certificates this CA issued.
import { hex } from "../cmp/header.js";
import type { MacLimits } from "../cmp/protection.js";
import type { CredentialResolver, SharedSecretCredential, TrustSource } from "../cmp/server/types.js";
import type { CaMaterials } from "../config/materials.js";
import { serialHex } from "../pki/certificate.js";
import { nameToString } from "../pki/names.js";
import type { CertEntry } from "../pki/path.js";
import type { CertificateStore } from "../store/store.js";

export class CaCredentials implements CredentialResolver {
  private readonly sources: readonly TrustSource[];
  constructor(
    private readonly m: CaMaterials,
    private readonly certs: Pick<CertificateStore, "getCertificate">,
    readonly macLimits: MacLimits,
  ) {
    this.sources = [
      { name: "ra", anchors: m.raCerts, useExtraCerts: false, checkRevocation: false },
      { name: "issued", anchors: [m.caCert], useExtraCerts: false, checkRevocation: true },
      { name: "external", anchors: m.externalAnchors, useExtraCerts: true, checkRevocation: false },
    ];
  }

  sharedSecret(senderKID: Uint8Array): SharedSecretCredential | undefined {
    return this.m.secrets.get(hex(senderKID));
  }

  trustSources(): readonly TrustSource[] {
    return this.sources;
  }

  /** Revoked and not (yet) confirmed certificates of this CA do not authenticate. */
  async isRevoked(e: CertEntry): Promise<boolean> {
    const tbs = e.cert.tbsCertificate;
    const rec = await this.certs.getCertificate(nameToString(tbs.issuer), serialHex(tbs.serialNumber));
    return rec !== undefined && rec.status !== "valid";
  }
}
