// PEM armour and the tolerant "DER, PEM or base64" reading of files users hand us.
export class FormatError extends Error {
  override readonly name = "FormatError";
}

/** Splits PEM text into the DER of each block with the given label (any label when omitted). */
export function pemBlocks(text: string, label?: string): Uint8Array[] {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(re)) {
    if (label && m[1] !== label) continue;
    out.push(new Uint8Array(Buffer.from(m[2]!.replace(/\s+/g, ""), "base64")));
  }
  return out;
}

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** DER of the first object in `data`, which may be DER, a PEM block (any label) or bare base64. */
export function derFromBytes(data: Uint8Array, what = "input"): Uint8Array {
  if (data.length > 0 && data[0] === 0x30) return data;
  const text = Buffer.from(data).toString("latin1");
  const blocks = pemBlocks(text);
  if (blocks.length > 0) return blocks[0]!;
  const compact = text.replace(/\s+/g, "");
  if (compact.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    const der = new Uint8Array(Buffer.from(compact, "base64"));
    if (der[0] === 0x30) return der;
  }
  throw new FormatError(`${what} is neither DER, PEM nor base64 of an ASN.1 SEQUENCE`);
}
