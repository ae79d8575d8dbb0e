// The relying party's CRL check of a certificate (RFC 5280 §6.3): CRLs given as files and/or fetched
// from the certificate's CRL distribution points over HTTP, handed to path validation.
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { getCrlDistributionPoints } from "../pki/extensions.js";
import { derFromBytes } from "../pki/pem.js";

export interface CrlCheckOptions {
  /** CRLs the caller has (DER). */
  crls?: Uint8Array[];
  /** Also fetch the CRLs the certificates' CRL distribution points name (http: only). */
  fromDistributionPoints?: boolean;
  /** Check every certificate of the chain, not only the end entity. */
  all?: boolean;
}

/** Downloads a CRL (DER or PEM) from an http(s) URL within `timeoutMs`. */
export async function fetchCrl(url: string, timeoutMs = 10_000): Promise<Uint8Array> {
  const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!r.ok) throw new Error(`GET ${url} answered ${r.status}`);
  return derFromBytes(new Uint8Array(await r.arrayBuffer()), url);
}

/** The CRLs to check `certs` with: the given ones plus those of their distribution points when asked. */
export async function collectCrls(certs: readonly Uint8Array[], o: CrlCheckOptions): Promise<Uint8Array[]> {
  const out = [...(o.crls ?? [])];
  if (!o.fromDistributionPoints) return out;
  const urls = new Set<string>();
  for (const der of o.all ? certs : certs.slice(0, 1)) {
    const cert = AsnParser.parse(der, Certificate);
    for (const u of getCrlDistributionPoints(cert)) if (/^https?:/i.test(u)) urls.add(u);
  }
  for (const u of urls) {
    try {
      out.push(await fetchCrl(u));
    } catch {
      // An unreachable distribution point leaves the certificate without a CRL: validation says so.
    }
  }
  return out;
}
