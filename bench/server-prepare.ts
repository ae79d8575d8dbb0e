// Benchmark request factory (run as its own process): N unique ir requests against a demo PKI, with
// implicitConfirm (or without, for the certConf modes), signature-protected with the IDevID or
// MAC-protected with the demo secret, written to one file as 4-byte big-endian length + DER records.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CmpClient, type ClientCredential } from "../src/client/client.js";
import { generateKeyPair, importPrivateKeyPem } from "../src/crypto/index.js";
import { pemBlocks } from "../src/pki/pem.js";

/** Reads the records a factory wrote. */
export function readRequests(file: string): Uint8Array[] {
  const buf = readFileSync(file);
  const out: Uint8Array[] = [];
  for (let o = 0; o < buf.length;) {
    const n = buf.readUInt32BE(o);
    out.push(new Uint8Array(buf.buffer, buf.byteOffset + o + 4, n));
    o += 4 + n;
  }
  return out;
}

function credential(dir: string, mode: string): ClientCredential {
  if (mode.startsWith("mac")) {
    const secret = readFileSync(join(dir, "demo-ee.secret"), "utf8").trim();
    return { kind: "mac", reference: "demo-ee", secret: new TextEncoder().encode(secret) };
  }
  const key = importPrivateKeyPem(readFileSync(join(dir, "idevid.key"), "utf8"));
  const [certificate, ...chain] = pemBlocks(readFileSync(join(dir, "idevid-chain.crt"), "latin1"));
  return { kind: "signature", key, certificate: certificate!, chain };
}

export async function prepareRequests(dir: string, alg: string, mode: string, n: number): Promise<Buffer> {
  const box: { captured?: Uint8Array } = {};
  const client = new CmpClient({
    send: (der) => {
      box.captured = der;
      return Promise.reject(new Error("captured"));
    },
    credential: credential(dir, mode),
    trusted: pemBlocks(readFileSync(join(dir, "root-ca.crt"), "latin1")),
    implicitConfirm: !mode.endsWith("-certconf"),
  });
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    box.captured = undefined;
    // A fresh key per request: the CA certifies a public key once (RFC 9483 §4.1, docs/conformance.md).
    const newKey = generateKeyPair(alg);
    // The send function refuses after capturing: the client reports a transport failure.
    await client.enroll("ir", { subject: `CN=bench-${mode}-${i}`, newKey }).catch(() => undefined);
    const der = box.captured as Uint8Array | undefined;
    if (!der) throw new Error("the client built no request");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(der.length);
    parts.push(len, Buffer.from(der));
  }
  return Buffer.concat(parts);
}

if (process.argv[1]?.endsWith("server-prepare.js")) {
  const [dir, alg, mode, n, out] = process.argv.slice(2) as [string, string, string, string, string];
  writeFileSync(out, await prepareRequests(dir, alg, mode, Number(n)));
}
