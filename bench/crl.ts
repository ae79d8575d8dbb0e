// CRL scale (not a test): a full CRL of 1,000,000 revoked certificates read from a SQLite store in
// keyset pages, built with the streaming writer and signed; prints the build time and peak RSS.
// Run: npm run build && node dist/bench/crl.js [entries]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { CrlPublisher } from "../src/ca/crl/publisher.js";
import { buildDemoPki } from "../src/ca/demo.js";
import { parseConfig } from "../src/config/load.js";
import { loadCaMaterials } from "../src/config/materials.js";
import { caPolicyFromConfig } from "../src/config/policy.js";
import { parseCrl } from "../src/pki/crl.js";
import { nameToString } from "../src/pki/names.js";
import { openStore } from "../src/store/open.js";
import { parse as parseYaml } from "yaml";
import { writeFileSync } from "node:fs";

const N = Number(process.argv[2] ?? 1_000_000);
const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;

const dir = mkdtempSync(join(tmpdir(), "lwcmp-crl-bench-"));
try {
  const demo = buildDemoPki({});
  for (const f of demo.files) writeFileSync(join(dir, f.name), f.content);
  const config = parseConfig(parseYaml(demo.files.find((f) => f.name === "lwcmp.yaml")!.content));
  const materials = loadCaMaterials(config, dir);
  const issuer = nameToString(materials.caCert.cert.tbsCertificate.subject);
  const dbPath = join(dir, "bench.db");
  const store = await openStore(`sqlite:${dbPath}`);
  // Fill the certificates table directly (the CA's own insert path is not what is measured here).
  const fill = Date.now();
  const db = new DatabaseSync(dbPath);
  db.exec("BEGIN");
  const ins = db.prepare(
    `INSERT INTO certificates (issuer, serial, subject, der, not_before, not_after, status, revocation_time,
     revocation_reason, invalidity_date, profile, requester, transaction_id, created_at)
     VALUES (?, ?, ?, x'30', 0, 0, 'revoked', ?, ?, NULL, 'default', NULL, NULL, 0)`,
  );
  const t0 = Date.now() - 86_400_000;
  for (let i = 0; i < N; i++) {
    const serial = (0x4000_0000_0000_0000n + BigInt(i) * 7919n).toString(16).padStart(32, "4");
    ins.run(issuer, serial, `CN=device-${i}`, t0 + i, [0, 1, 4, 5][i % 4]!);
  }
  db.exec("COMMIT");
  db.close();
  console.log(`filled ${N} revoked certificates in ${((Date.now() - fill) / 1000).toFixed(1)} s`);
  const rssBefore = process.memoryUsage.rss();
  const publisher = new CrlPublisher({ materials, policy: caPolicyFromConfig(config), store });
  const start = performance.now();
  const [info] = await publisher.publish(new Date());
  const seconds = (performance.now() - start) / 1000;
  // The process's peak resident size so far (kB); the fill above stays below it.
  const peak = process.resourceUsage().maxRSS * 1024;
  const der = (await publisher.latest(0))!.der;
  console.log(
    `CRL of ${info!.entries} entries (${mb(der.length)} DER) built, signed and stored in ${seconds.toFixed(1)} s; peak RSS ${mb(peak)} (${mb(rssBefore)} before)`,
  );
  const p0 = performance.now();
  const parsed = parseCrl(der);
  console.log(
    `parsed back ${parsed.revoked.size} entries in ${((performance.now() - p0) / 1000).toFixed(1)} s`,
  );
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
