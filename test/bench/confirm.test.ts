// The benchmark's certConf (bench/server-confirm.ts) is one the CA accepts, also for a certificate whose
// signature algorithm names no hash (an ML-DSA CA: certConf carries hashAlg, with pvno 3).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { benchProtection, certConfFor, isPkiConf } from "../../bench/server-confirm.js";
import { prepareRequests, readRequests } from "../../bench/server-prepare.js";
import { decodePKIMessage } from "../../src/cmp/message.js";
import { initDemo, startServer, type RunningServer } from "../../src/server/index.js";
import { postCmp } from "../../src/transport/http-client.js";
import { tempDir } from "../helpers/openssl.js";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

describe("benchmark certConf against an ML-DSA-65 CA", () => {
  const dir = tempDir("lwcmp-bench-confirm-");
  let server: RunningServer;
  before(async () => {
    const { config } = initDemo(dir.path, { alg: "ml-dsa-65", port: 0 });
    server = await startServer(config, { port: 0, log: () => undefined });
  });
  after(async () => {
    await server.close();
    dir.cleanup();
  });

  for (const mode of ["signature-certconf", "mac-certconf"]) {
    it(`${mode}: ip, certConf with hashAlg and pvno 3, pkiConf`, async () => {
      const file = join(dir.path, `${mode}.req`);
      writeFileSync(file, await prepareRequests(dir.path, "ml-dsa-65", mode, 1));
      const [ir] = readRequests(file);
      const url = `${server.url}/p/default/initialization`;
      const ip = await postCmp(url, ir!);
      assert.equal(decodePKIMessage(ip).bodyType, "ip");
      const conf = certConfFor(ir!, ip, benchProtection(dir.path, mode));
      assert.ok(conf);
      const sent = decodePKIMessage(conf);
      assert.equal(sent.message.header.pvno, 3);
      assert.ok(sent.message.body.certConf![0]!.hashAlg, "hashAlg names the hash");
      assert.ok(isPkiConf(await postCmp(`${server.url}/p/default/certification`, conf)));
    });
  }
});
