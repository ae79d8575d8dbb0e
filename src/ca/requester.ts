// Who sent a request: resolves and checks the sender's credential (shared secret by senderKID, or a
// protection certificate chained to a trust anchor) and verifies the message protection (RFC 9483 §3.2-3.5).
import type { Certificate } from "@peculiar/asn1-x509";
import { CmpError } from "../cmp/errors.js";
import { hex } from "../cmp/header.js";
import type { DecodedMessage } from "../cmp/message.js";
import { verifyKemProtection } from "../cmp/kem-protection.js";
import { isKemKeyType } from "../pki/cms/enveloped.js";
import {
  protectionKind,
  verifyMacProtection,
  verifySignatureProtection,
  type MacLimits,
} from "../cmp/protection.js";
import type { CaMaterials, SharedSecretEntry } from "../config/materials.js";
import { serialHex } from "../pki/certificate.js";
import { generalNameToString, nameToString, namesEqual } from "../pki/names.js";
import { certificatePublicKey, PathValidationError, validatePath, type CertEntry } from "../pki/path.js";

export type Requester =
  | { kind: "mac"; id: string; secret: SharedSecretEntry }
  | {
      kind: "cert";
      id: string;
      /** "issued": certified by this CA; "external": chains to a configured external anchor; "ra": a configured RA. */
      source: "issued" | "external" | "ra";
      cert: CertEntry;
      chain: CertEntry[];
      /** Shared secret of the transaction's KEM exchange, when the certificate holds a KEM key. */
      kemSecret?: Uint8Array;
    };

export function requesterId(r: Requester): string {
  return r.id;
}

function certId(cert: Certificate): string {
  return `cert:${nameToString(cert.tbsCertificate.issuer)}#${serialHex(cert.tbsCertificate.serialNumber)}`;
}

export interface AuthContext {
  materials: CaMaterials;
  macLimits: MacLimits;
  /** Revocation and confirmation state of certificates this CA issued. */
  isRevoked: (issuer: string, serial: string) => Promise<boolean>;
  /** The KEM shared secret established earlier in this transaction (RFC 9810 §5.1.3.4). */
  kemSecret: (transactionId: Uint8Array) => Promise<Uint8Array | undefined>;
  now: Date;
}

export interface AuthOptions {
  /** The message only starts a KEM exchange: it is unprotected and carries the KEM certificate. */
  kemBootstrap?: boolean;
}

/**
 * Authenticates a request: MAC protection with the secret found by senderKID, or signature
 * protection with extraCerts[0] validated against this CA (our own certificates), the external
 * anchors (manufacturer certificates) or the configured RA certificates.
 */
export async function authenticate(
  msg: DecodedMessage,
  ctx: AuthContext,
  opts: AuthOptions = {},
): Promise<Requester> {
  const h = msg.message.header;
  const kind = protectionKind(h);
  if (kind === "none" && !opts.kemBootstrap) {
    throw new CmpError(
      "badMessageCheck",
      "the request is not protected; use MAC- or signature-based protection",
    );
  }
  if (kind === "pbm" || kind === "pbmac1") {
    if (!h.senderKID) throw new CmpError("badMessageCheck", "MAC-protected request without senderKID");
    const entry = ctx.materials.secrets.get(hex(h.senderKID));
    if (!entry) {
      throw new CmpError(
        "signerNotTrusted",
        `no shared secret is configured for senderKID ${describeKid(h.senderKID)}`,
      );
    }
    verifyMacProtection(msg, entry.secret, ctx.macLimits);
    return { kind: "mac", id: `kid:${hex(h.senderKID)}`, secret: entry };
  }
  if (kind !== "signature" && kind !== "kem" && !(kind === "none" && opts.kemBootstrap)) {
    throw new CmpError("badAlg", `${kind} protection is not supported by this CA`);
  }
  const extra = msg.extraCerts;
  if (extra.length === 0) {
    throw new CmpError(
      "badMessageCheck",
      "signature-protected request without its protection certificate in extraCerts",
    );
  }
  const target = extra[0]!;
  // RFC 9483 §3.3: self-signed certificates in extraCerts are never trust anchors.
  const pool = extra.slice(1);
  const m = ctx.materials;
  const attempts: {
    source: "issued" | "external" | "ra";
    anchors: CertEntry[];
    intermediates: CertEntry[];
  }[] = [
    { source: "ra", anchors: m.raCerts, intermediates: [] },
    { source: "issued", anchors: [m.caCert], intermediates: [] },
    { source: "external", anchors: m.externalAnchors, intermediates: pool },
  ];
  let lastError: PathValidationError | undefined;
  let chain: CertEntry[] | undefined;
  let source: "issued" | "external" | "ra" = "external";
  for (const a of attempts) {
    if (a.anchors.length === 0) continue;
    try {
      chain = await validatePath(target, {
        anchors: a.anchors,
        intermediates: a.intermediates,
        time: ctx.now,
        isRevoked:
          a.source === "issued"
            ? (e) =>
                ctx.isRevoked(
                  nameToString(e.cert.tbsCertificate.issuer),
                  serialHex(e.cert.tbsCertificate.serialNumber),
                )
            : undefined,
      });
      source = a.source;
      break;
    } catch (e) {
      if (!(e instanceof PathValidationError)) throw e;
      // A precise reason (expired, revoked) beats "untrusted" from a store that was never the right one.
      if (!lastError || lastError.reason === "untrusted") lastError = e;
    }
  }
  if (!chain) {
    throw new CmpError(
      "signerNotTrusted",
      `the protection certificate is not trusted: ${lastError?.message ?? "no trust anchors configured"}`,
    );
  }
  const signerKey = certificatePublicKey(target.cert);
  let kemSecret: Uint8Array | undefined;
  if (kind === "signature") {
    verifySignatureProtection(msg, signerKey);
  } else if (kind === "kem") {
    kemSecret = await ctx.kemSecret(new Uint8Array(h.transactionID!));
    // RFC 9810 §5.1.3.4: a KEM-protected message without a preceding KemCiphertextInfo exchange.
    if (!kemSecret)
      throw new CmpError(
        "wrongIntegrity",
        "no KEM ciphertext was exchanged in this transaction; send genm KemCiphertextInfo first",
      );
    try {
      verifyKemProtection(msg, kemSecret);
    } catch (e) {
      if (e instanceof CmpError) throw e;
      throw new CmpError(
        "badMessageCheck",
        `KEM-based protection cannot be checked: ${(e as Error).message}`,
      );
    }
  } else if (!isKemKeyType(signerKey.type)) {
    throw new CmpError(
      "badRequest",
      "KemCiphertextInfo needs a certificate with an ML-KEM key in extraCerts",
    );
  }
  // RFC 9483 §3.1: the sender field holds the subject of the protection certificate.
  const sender = h.sender.directoryName;
  if (!sender || !namesEqual(sender, target.cert.tbsCertificate.subject)) {
    throw new CmpError(
      "badMessageCheck",
      `header sender "${generalNameToString(h.sender)}" differs from the protection certificate subject ` +
        `"${nameToString(target.cert.tbsCertificate.subject)}"`,
    );
  }
  return { kind: "cert", id: certId(target.cert), source, cert: target, chain, kemSecret };
}

function describeKid(kid: ArrayBuffer): string {
  const b = new Uint8Array(kid);
  return b.every((x) => x >= 0x20 && x < 0x7f) ? `"${Buffer.from(b).toString("latin1")}"` : hex(kid);
}
