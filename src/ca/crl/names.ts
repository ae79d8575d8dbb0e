// The CA's short name in download paths (/crl/<name>.crl, /ca/<name>.crt): configured, or derived
// from the CN of the CA certificate.
import type { Certificate } from "@peculiar/asn1-x509";

const CN = "2.5.4.3";

function commonName(cert: Certificate): string | undefined {
  for (const rdn of cert.tbsCertificate.subject) {
    for (const atv of rdn) if (atv.type === CN) return atv.value.toString();
  }
  return undefined;
}

/** "Demo Issuing CA" -> "demo-issuing-ca"; "ca" when the CN gives nothing usable. */
export function caShortName(configured: string | undefined, caCert: Certificate): string {
  if (configured) return configured;
  const slug = (commonName(caCert) ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "ca";
}

/** Download path of a CRL shard; an unpartitioned CRL has no shard suffix. */
export function crlPath(name: string, shard: number, shards: number): string {
  return shards > 1 ? `/crl/${name}-${shard}.crl` : `/crl/${name}.crl`;
}

export function caCertPath(name: string): string {
  return `/ca/${name}.crt`;
}
