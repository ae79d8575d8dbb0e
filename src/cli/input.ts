// Reading message and certificate files in the forms users have them: DER, PEM or bare base64.
import { readFile } from "node:fs/promises";
import { derFromBytes } from "../pki/pem.js";

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
