// Benchmark: what an RA adds per message. ir + implicitConfirm with an IDevID signature over HTTP on
// loopback, sent straight to the demo CA and through the demo RA in each forwarding mode (RFC 9483 §5.2),
// alternating in one run; prints enrollments/s, the mean time per enrollment, and the ratio to direct.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CmpClient } from "../src/client/client.js";
import { generateKeyPair, importPrivateKeyPem } from "../src/crypto/index.js";
import { pemBlocks } from "../src/pki/pem.js";
import { initDemo, startRaServer, startServer } from "../src/server/index.js";
import { postCmp } from "../src/transport/http-client.js";
import { rateAsync, report } from "./util.js";

const MODES = ["forward", "reprotect", "raverified", "nest"];

export async function benchRa(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "lwcmp-bench-ra-"));
  const cfg = initDemo(dir, { port: 0 });
  const ca = await startServer(cfg.config, { port: 0, log: () => undefined });
  const ras = [];
  for (const mode of MODES) {
    const yaml = readFileSync(join(dir, "ra.yaml"), "utf8")
      .replace("store: sqlite:ra.db", `store: sqlite:ra-${mode}.db`)
      .replace("mode: reprotect", `mode: ${mode}`);
    writeFileSync(join(dir, `ra-${mode}.yaml`), yaml);
    const ra = await startRaServer(join(dir, `ra-${mode}.yaml`), {
      port: 0,
      log: () => undefined,
      upstreamUrls: { ca: ca.url },
    });
    ras.push({ mode, ra });
  }
  const idKey = importPrivateKeyPem(readFileSync(join(dir, "idevid.key"), "utf8"));
  const [idCert, ...chain] = pemBlocks(readFileSync(join(dir, "idevid-chain.crt"), "latin1"));
  const trusted = pemBlocks(readFileSync(join(dir, "root-ca.crt"), "latin1"));
  const client = (url: string) =>
    new CmpClient({
      send: (der, op) => postCmp(`${url}/p/default/${op}`, der),
      credential: { kind: "signature", key: idKey, certificate: idCert!, chain },
      trusted,
      untrusted: pemBlocks(readFileSync(join(dir, "issuing-ca.crt"), "latin1")),
      implicitConfirm: true,
    });
  const targets = [
    { name: "direct to the CA", url: ca.url },
    ...ras.map((r) => ({ name: `RA ${r.mode}`, url: r.ra.url })),
  ];
  const rates = new Map<string, number>();
  let i = 0;
  // Two rounds, alternating, so that warm-up and background load fall on every target alike.
  for (let round = 0; round < 2; round++) {
    for (const t of targets) {
      const c = client(t.url);
      const r = await rateAsync(
        () => c.enroll("ir", { subject: `CN=bench-${i++}`, newKey: generateKeyPair("ec-p256") }),
        2000,
        1,
      );
      rates.set(t.name, Math.max(rates.get(t.name) ?? 0, r));
    }
  }
  const direct = rates.get("direct to the CA")!;
  report("ir + implicitConfirm (IDevID, EC P-256) over HTTP, one client, best of 2 rounds", [
    ...targets.map((t) => [t.name, rates.get(t.name)!, "per s"] as [string, number, string]),
  ]);
  for (const t of targets.slice(1)) {
    const r = rates.get(t.name)!;
    console.log(
      `${t.name}: ratio to direct ${(r / direct).toFixed(2)}, adds ${(1000 / r - 1000 / direct).toFixed(1)} ms per enrollment`,
    );
  }
  for (const r of ras) await r.ra.close();
  await ca.close();
  rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1]?.endsWith("ra.js")) await benchRa();
