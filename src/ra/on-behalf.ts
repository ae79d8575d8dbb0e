// An RA acting for entities that do not speak CMP (RFC 9483 §5.3): certificate requests from a PKCS#10
// file (p10cr, the CSR's signature is the POP) or for a public key whose possession the RA checked
// (ir with raVerified), and revocations (rr) — each protected by the RA's own CMP signer.
import { AsnParser } from "@peculiar/asn1-schema";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { CmpClient } from "../client/client.js";
import type { EnrollResult } from "../client/types.js";
import type { SendFunction } from "../cmp/client/types.js";
import { verifyCsr } from "../pki/csr.js";
import type { RaMaterials, UpstreamMaterials } from "./types.js";

export interface ActingOptions {
  materials: RaMaterials;
  upstream: UpstreamMaterials;
  /** Sends to the upstream (the operation path is added by the client). */
  send: SendFunction;
  /** The upstream's name for the recipient field (RFC 4514); NULL-DN when absent. */
  recipient?: string;
  /** Certificate profile named in generalInfo (RFC 9483 §4.1). */
  profile?: string;
  now?: () => Date;
}

function actingClient(o: ActingOptions): CmpClient {
  const m = o.materials;
  return new CmpClient({
    send: o.send,
    // RFC 9483 §5.3: the RA's own CMP signer protects what it sends for others.
    credential: {
      kind: "signature",
      key: m.signer.key,
      certificate: m.signer.cert.der,
      chain: m.signer.chain.map((c) => c.der),
    },
    trusted: o.upstream.anchors.map((c) => c.der),
    untrusted: m.issuingAnchors.map((c) => c.der),
    serverCert: o.upstream.serverCert?.der,
    recipient: o.recipient,
    certProfile: o.profile,
    implicitConfirm: true,
    now: o.now,
  });
}

/** RFC 9483 §5.3.1 with a CSR: its signature is checked here first, then it goes upstream as p10cr. */
export async function enrollFromCsr(o: ActingOptions, csrDer: Uint8Array): Promise<EnrollResult> {
  const csr = AsnParser.parse(csrDer, CertificationRequest);
  if (!verifyCsr(csrDer, csr)) throw new Error("the PKCS#10 request's signature does not verify");
  return actingClient(o).p10cr(csrDer);
}

/**
 * RFC 9483 §5.3.1 for a public key whose possession the RA verified out of band (e.g. at the device's
 * installation): an ir with popo raVerified (§5.2.3.2), protected by the RA.
 */
export async function enrollForKey(
  o: ActingOptions,
  req: { subject: string; spki: Uint8Array; dnsNames?: string[] },
): Promise<EnrollResult> {
  return actingClient(o).enroll("ir", {
    subject: req.subject,
    raVerifiedKey: req.spki,
    dnsNames: req.dnsNames,
  });
}

/** RFC 9483 §5.3.2: revocation of another entity's certificate, the rr signed by the RA. */
export async function revokeOnBehalf(
  o: ActingOptions,
  certificate: Uint8Array,
  reason = 0,
): Promise<{ status: string }> {
  return actingClient(o).revoke(certificate, reason);
}
