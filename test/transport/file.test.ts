// Offline transport: message files in DER, any PEM armor, or raw base64.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { readMessageFile, writeMessageFile } from "../../src/transport/file.js";
import { tempDir } from "../helpers/openssl.js";

describe("message files", () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  // A small DER SEQUENCE { INTEGER 2, OCTET STRING 'abc' } stands in for a PKIMessage.
  const der = Uint8Array.from([0x30, 0x08, 0x02, 0x01, 0x02, 0x04, 0x03, 0x61, 0x62, 0x63]);
  const b64 = Buffer.from(der).toString("base64");

  it("writes DER and reads it back", async () => {
    const p = join(dir.path, "m.der");
    await writeMessageFile(p, der);
    assert.deepEqual(new Uint8Array(readFileSync(p)), der);
    assert.deepEqual(await readMessageFile(p), der);
  });
  it("reads PEM whatever the armor label", async () => {
    for (const label of ["PKIMESSAGE", "CMP MESSAGE", "X"]) {
      const p = join(dir.path, `m-${label.replace(" ", "_")}.pem`);
      writeFileSync(p, `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`);
      assert.deepEqual(await readMessageFile(p), der);
    }
  });
  it("reads raw base64, with line breaks", async () => {
    const p = join(dir.path, "m.b64");
    writeFileSync(p, `${b64.slice(0, 6)}\n${b64.slice(6)}\n`);
    assert.deepEqual(await readMessageFile(p), der);
  });
  it("refuses content that is none of these", async () => {
    const p = join(dir.path, "m.txt");
    writeFileSync(p, "hello, this is not a message");
    await assert.rejects(readMessageFile(p), /neither DER, PEM nor base64/);
  });
  it("reports a missing file", async () => {
    await assert.rejects(readMessageFile(join(dir.path, "absent.der")), /ENOENT/);
  });
});
