// Benchmark: ir + implicitConfirm enrollments per second with EC P-256 over HTTP on loopback against
// the demo CA, next to the crypto-only ceiling of the same run: the signatures and verifications one
// enrollment needs (client POP + protection, CA verify of both, certificate signature, response
// signature, client verify of response and certificate chain), timed alone.
import { rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CmpClient } from "../src/client/client.js";
import { initDemo, startServer } from "../src/server/index.js";
import {
  defaultSignatureAlgorithm,
  generateKeyPair,
  importPrivateKeyPem,
  sign,
  verify,
} from "../src/crypto/index.js";
import { pemBlocks } from "../src/pki/pem.js";
import { postCmp } from "../src/transport/http-client.js";
import { readFileSync } from "node:fs";
import { rate, rateAsync, report } from "./util.js";

export async function benchEnroll(alg: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "lwcmp-bench-"));
  const cfg = initDemo(dir, { alg, port: 0 });
  const server = await startServer(cfg.config, { port: 0, log: () => undefined });
  const url = `http://127.0.0.1:${server.port}/.well-known/cmp`;
  const idKey = importPrivateKeyPem(readFileSync(join(dir, "idevid.key"), "utf8"));
  const [idCert, ...chain] = pemBlocks(readFileSync(join(dir, "idevid-chain.crt"), "latin1"));
  const trusted = pemBlocks(readFileSync(join(dir, "root-ca.crt"), "latin1"));
  const client = new CmpClient({
    send: (der) => postCmp(url, der),
    credential: { kind: "signature", key: idKey, certificate: idCert!, chain },
    trusted,
    implicitConfirm: true,
  });
  const newKey = generateKeyPair(alg);
  let i = 0;
  const enrollRate = await rateAsync(
    () => client.enroll("ir", { subject: `CN=bench-${i++}`, newKey }),
    4000,
    4,
  );

  // Crypto-only ceiling: 4 signatures (POP, request protection, certificate, response protection) and
  // 6 verifications (CA: POP, request, IDevID chain 1; client: response, certificate, CA certificate).
  const k = generateKeyPair(alg);
  const a = defaultSignatureAlgorithm(k);
  const data = new Uint8Array(600);
  const s = sign(a, k, data);
  const signRate = rate(() => sign(a, k, data));
  const verifyRate = rate(() => verify(a, k.publicKey, data, s));
  const ceiling = 1 / (4 / signRate + 6 / verifyRate);

  report(`ir + implicitConfirm over HTTP, ${alg} keys everywhere (4 concurrent clients, SQLite store)`, [
    ["enrollments", enrollRate, "per s"],
    [`crypto-only ceiling (4 sign + 6 verify)`, ceiling, "per s"],
    ["sign alone", signRate, "per s"],
    ["verify alone", verifyRate, "per s"],
  ]);
  console.log(`ratio enrollments / crypto ceiling: ${(enrollRate / ceiling).toFixed(2)}`);
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1]?.endsWith("enroll.js")) await benchEnroll(process.argv[2] ?? "ec-p256");
