// The RA's configured inventory hooks with real processes and a real HTTP server: the JSON they get,
// approve / reject / modify answers, and failing closed (non-zero exit, bad JSON, HTTP error, unreachable).
import assert from "node:assert/strict";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { nameToString } from "../../src/pki/names.js";
import { execHook, webhookHook } from "../../src/server/ra-hook.js";
import type { HookRequest } from "../../src/ra/types.js";
import { tempDir } from "../helpers/openssl.js";

const ir = new Uint8Array(
  readFileSync(join(import.meta.dirname, "../../../test/fixtures/openssl/ir-sig.der")),
);
const request: HookRequest = {
  profile: "default",
  bodyType: "ir",
  transactionId: "00ff",
  requester: "CN=device-7",
  requesterKind: "cert",
  subject: "CN=device-7",
  message: ir,
};

function script(dir: string, name: string, body: string): string {
  const f = join(dir, name);
  writeFileSync(f, `#!/bin/sh\n${body}\n`);
  chmodSync(f, 0o755);
  return f;
}

describe("inventory hooks", () => {
  let dir: string;
  let cleanup: () => void;
  let server: Server;
  let url: string;
  let seen: Record<string, unknown> | undefined;
  before(async () => {
    ({ path: dir, cleanup } = tempDir("ra-hook-"));
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on("data", (b: Buffer) => parts.push(b));
      req.on("end", () => {
        seen = JSON.parse(Buffer.concat(parts).toString("utf8")) as Record<string, unknown>;
        if (req.url === "/deny") return res.writeHead(403).end();
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify(seen.subject === "CN=device-7" ? { decision: "approve" } : { decision: "reject" }),
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    cleanup();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("an executable gets the request as JSON and its answer decides", async () => {
    const out = join(dir, "seen.json");
    const approve = script(dir, "approve.sh", `cat > ${out}; echo '{"decision":"approve"}'`);
    assert.deepEqual(await execHook(approve, 5_000)(request), { decision: "approve" });
    const got = JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>;
    assert.equal(got.subject, "CN=device-7");
    assert.equal(Buffer.from(got.message as string, "base64").equals(Buffer.from(ir)), true);
    const reject = script(
      dir,
      "reject.sh",
      `cat >/dev/null; echo '{"decision":"reject","reason":"serial 7 is not in the inventory"}'`,
    );
    assert.deepEqual(await execHook(reject, 5_000)(request), {
      decision: "reject",
      reason: "serial 7 is not in the inventory",
    });
  });

  it("an executable may change the subject of the template", async () => {
    const modify = script(
      dir,
      "modify.sh",
      `cat >/dev/null; echo '{"decision":"modify","subject":"CN=device-7,O=Plant 4"}'`,
    );
    const d = await execHook(modify, 5_000)(request);
    assert.equal(d.decision, "modify");
    assert.equal(d.decision === "modify" && nameToString(d.template.subject!), "CN=device-7,O=Plant 4");
  });

  it("fails closed: exit code, garbage, a missing program", async () => {
    const fail = script(dir, "fail.sh", "cat >/dev/null; exit 3");
    assert.equal((await execHook(fail, 5_000)(request)).decision, "reject");
    const garbage = script(dir, "garbage.sh", "cat >/dev/null; echo yes");
    assert.equal((await execHook(garbage, 5_000)(request)).decision, "reject");
    assert.equal((await execHook(join(dir, "missing"), 5_000)(request)).decision, "reject");
  });

  it("a webhook gets the JSON by POST; its answer or its HTTP status decides", async () => {
    assert.deepEqual(await webhookHook(`${url}/check`, 5_000)(request), { decision: "approve" });
    assert.equal(seen?.transactionId, "00ff");
    const other = await webhookHook(`${url}/check`, 5_000)({ ...request, subject: "CN=intruder" });
    assert.equal(other.decision, "reject");
    const denied = await webhookHook(`${url}/deny`, 5_000)(request);
    assert.deepEqual(denied, { decision: "reject", reason: "refused by the inventory check (HTTP 403)" });
    const down = await webhookHook("http://127.0.0.1:1/", 2_000)(request);
    assert.equal(down.decision, "reject");
  });
});
