// Offline transport: PKIMessage files (DER written; DER, PEM or base64 read).
import { readFile, writeFile } from "node:fs/promises";
import { derFromBytes } from "../pki/pem.js";

export async function readMessageFile(path: string): Promise<Uint8Array> {
  return derFromBytes(new Uint8Array(await readFile(path)), path);
}

export async function writeMessageFile(path: string, der: Uint8Array): Promise<void> {
  await writeFile(path, der);
}
