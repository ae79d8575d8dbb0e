// Reading message and certificate files in the forms users have them: DER, PEM or bare base64.
import { readFile } from "node:fs/promises";
import { pemBlocks } from "../pki/certificate.js";

export class InputError extends Error {
  override readonly name = "InputError";
}

/** DER bytes from a file holding DER, a PEM block (any label) or bare base64. */
export async function readDerOrPem(path: string): Promise<Uint8Array> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return derFromBytes(new Uint8Array(data), path);
}

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
  throw new InputError(`${what} is neither DER, PEM nor base64 of an ASN.1 SEQUENCE`);
}
