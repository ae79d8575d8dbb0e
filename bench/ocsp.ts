// OCSP serving rate: pre-produced responses answered by lwcmp's /ocsp mount (GET, RFC 6960 Appendix A)
// next to a bare node:http server returning a fixed body of the same size, measured in one run by a load
// generator in another process (keep-alive, concurrency 32). Prints both rates and their ratio.
import { execFile } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { AsnParser } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { generateKeyPair, importPrivateKeyPem } from "../src/crypto/index.js";
import { buildCertificate, randomSerial } from "../src/pki/build.js";
import { serialHex } from "../src/pki/certificate.js";
import { nameToString, parseName } from "../src/pki/names.js";
import { buildOcspRequest } from "../src/pki/ocsp.js";
import { pemBlocks } from "../src/pki/pem.js";
import { initDemo, startOcspServer } from "../src/server/index.js";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { ROOT } from "./util.js";

const CONCURRENCY = 32;
const WINDOW_MS = Number(process.env.BENCH_MS ?? 4000);
const CERTS = 200;

function load(urls: string[], ms: number): Promise<{ rate: number; errors: number }> {
  const script = join(ROOT, "dist", "bench", "ocsp-load.js");
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, JSON.stringify(urls), String(ms), String(CONCURRENCY)],
      (err, out) => {
        if (err) return reject(err);
        const r = JSON.parse(out) as { rate?: unknown; errors?: unknown };
        if (typeof r.rate !== "number" || typeof r.errors !== "number") return reject(new Error(out));
        resolve({ rate: r.rate, errors: r.errors });
      },
    );
  });
}

/** Certificates of the demo CA in its store, so the responder has something to pre-produce. */
async function issueCertificates(
  dir: string,
  store: { insertCertificate: (r: never) => Promise<void> } & object,
) {
  const caDer = pemBlocks(readFileSync(join(dir, "issuing-ca.crt"), "latin1"))[0]!;
  const ca = AsnParser.parse(caDer, Certificate);
  const caKey = importPrivateKeyPem(readFileSync(join(dir, "issuing-ca.key"), "utf8"));
  const spki = generateKeyPair("ec-p256").publicKey.spki;
  const certs: Certificate[] = [];
  for (let i = 0; i < CERTS; i++) {
    const serial = randomSerial();
    const now = new Date();
    const der = buildCertificate({
      serial,
      issuer: ca.tbsCertificate.subject,
      subject: parseName(`CN=bench-${i}`),
      notBefore: now,
      notAfter: new Date(now.getTime() + 86_400_000),
      subjectPublicKeyInfo: spki,
      extensions: [],
      issuerKey: caKey,
    });
    const rec = {
      serial: serialHex(serial),
      issuer: nameToString(ca.tbsCertificate.subject),
      subject: `CN=bench-${i}`,
      der,
      notBefore: now,
      notAfter: new Date(now.getTime() + 86_400_000),
      status: i % 10 === 0 ? "revoked" : "valid",
      revocationTime: i % 10 === 0 ? now : undefined,
      profile: "default",
      createdAt: now,
    };
    await store.insertCertificate(rec as never);
    certs.push(AsnParser.parse(der, Certificate));
  }
  return { ca, certs };
}

async function bareServer(size: number): Promise<{ server: Server; url: string }> {
  const body = Buffer.alloc(size, 0x30);
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/ocsp-response", "Content-Length": String(size) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

const dir = mkdtempSync(join(tmpdir(), "lwcmp-bench-ocsp-"));
try {
  const { config } = initDemo(dir, { port: 0 });
  const ocsp = await startOcspServer(config, { port: 0, log: () => undefined });
  const { ca, certs } = await issueCertificates(dir, ocsp.store);
  await ocsp.responder.refresh();
  const urls = certs.map((c) => {
    const req = buildOcspRequest(c, ca, { hash: "sha256" });
    return `${ocsp.url}/${encodeURIComponent(Buffer.from(req).toString("base64"))}`;
  });
  const sample = await fetch(urls[1]!);
  const size = (await sample.arrayBuffer()).byteLength;
  const bare = await bareServer(size);
  await load([bare.url], 1000);
  await load(urls, 1000);
  const rounds: { bare: number; ocsp: number; errors: number }[] = [];
  for (let i = 0; i < 2; i++) {
    const b = await load([bare.url], WINDOW_MS);
    const o = await load(urls, WINDOW_MS);
    rounds.push({ bare: b.rate, ocsp: o.rate, errors: b.errors + o.errors });
  }
  const bareRate = Math.max(...rounds.map((r) => r.bare));
  const ocspRate = Math.max(...rounds.map((r) => r.ocsp));
  console.log(
    `\nOCSP serving (${CERTS} certificates, ${size}-byte responses, GET, keep-alive, concurrency ${CONCURRENCY})`,
  );
  console.log(`  bare node:http, fixed body of the same size   ${bareRate.toFixed(0).padStart(8)} req/s`);
  console.log(`  lwcmp /ocsp, pre-produced responses            ${ocspRate.toFixed(0).padStart(8)} req/s`);
  console.log(
    `  ratio lwcmp / bare                             ${(ocspRate / bareRate).toFixed(2).padStart(8)}`,
  );
  if (rounds.some((r) => r.errors > 0))
    console.log(`  non-200 answers: ${rounds.map((r) => r.errors).join(", ")}`);
  await new Promise<void>((r) => bare.server.close(() => r()));
  await ocsp.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
