// An LRA without a connection to the CA (RFC 9483 §6.4 file-based transfer, §5.2.2.2 batching): EEs enroll
// over HTTP and get "waiting"; the LRA leaves one nested request file in its transfer folder; `lwcmp ra
// transfer` answers it from the CA; the LRA reads the answer back and every EE gets its certificate.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { decodeNested, decodePKIMessage } from "../../src/cmp/message.js";
import { startRaServer, type RunningRa } from "../../src/server/index.js";
import { OPENSSL, openssl } from "../helpers/openssl.js";
import {
  opensslIdevidArgs,
  opensslMacArgs,
  opensslVerifyIssued,
  run,
  startDemo,
  type Demo,
} from "../helpers/demo.js";

const NODE = process.execPath;
const LWCMP = join(process.cwd(), "bin", "lwcmp.js");
const RECIPIENT = "/O=lwcmp demo/CN=Demo Issuing CA";

describe("file-based transfer between an LRA and the CA (RFC 9483 §6.4)", () => {
  let d: Demo;
  let lra: RunningRa;
  const folder = () => d.file("xfer");
  const files = (sub: string) =>
    existsSync(join(folder(), sub)) ? readdirSync(join(folder(), sub)).filter((n) => n.endsWith(".PKI")) : [];
  const waitFor = async (what: () => boolean, ms = 15_000) => {
    for (let t = 0; t < ms && !what(); t += 100) await new Promise((r) => setTimeout(r, 100));
    return what();
  };
  const transfer = () =>
    run(NODE, [LWCMP, "ra", "transfer", "--dir", folder(), "--url", `${d.url}/.well-known/cmp`], {
      cwd: d.dir,
    });

  before(async () => {
    d = await startDemo();
    let yaml = d.read("ra.yaml");
    // The first upstream (the CA) becomes a folder; requests are batched into one nested message.
    yaml = yaml.replace(/url: http:\/\/[^\n]+/, "transfer: xfer");
    yaml = yaml.replace("store: sqlite:ra.db", "store: sqlite:lra.db");
    yaml = yaml.replace(
      "      trust: [root-ca.crt]\n",
      "      trust: [root-ca.crt]\n      batch: { maxMessages: 3, maxWait: 10s }\n" +
        "      retry: { initialDelay: 1s, maxDelay: 1s, giveUpAfter: 1h }\n",
    );
    yaml = yaml.replace("mode: reprotect", "mode: batch");
    yaml = yaml.replace("  upstreams:\n", "  policy: { pollInterval: 1s }\n  upstreams:\n");
    writeFileSync(d.file("lra.yaml"), yaml);
    lra = await startRaServer(d.file("lra.yaml"), { port: 0, log: () => undefined });
  });
  after(async () => {
    await lra.close();
    await d.close();
  });

  it("three EEs in one nested request file; openssl cmp with implicitConfirm, lwcmp with certConf", async () => {
    const key = (name: string) => {
      openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", d.file(name)]);
      return d.file(name);
    };
    const opensslEe = (i: number, cred: string[]) =>
      run(
        OPENSSL,
        [
          "cmp",
          ...["-server", `127.0.0.1:${lra.port}`, "-recipient", RECIPIENT, "-trusted", d.file("root-ca.crt")],
          ...["-cmd", "ir", ...cred, "-newkey", key(`x${i}.key`), "-subject", `/CN=xfer-${i}`],
          ...[
            "-implicit_confirm",
            "-certout",
            d.file(`x${i}.crt`),
            "-keep_alive",
            "0",
            "-total_timeout",
            "60",
          ],
        ],
        { cwd: d.dir, timeoutMs: 70_000 },
      );

    const lwcmpEe = run(
      NODE,
      [
        LWCMP,
        "ir",
        ...[
          "--server",
          `127.0.0.1:${lra.port}`,
          "--recipient",
          RECIPIENT,
          "--trusted",
          d.file("root-ca.crt"),
        ],
        ...["--ref", d.kid, "--secret", `pass:${d.secret}`, "--newkeytype", "ec-p256"],
        ...["--newkeyout", d.file("x3.key"), "--subject", "/CN=xfer-3", "--certout", d.file("x3.crt")],
        ...["--total-timeout", "60"],
      ],
      { cwd: d.dir, timeoutMs: 70_000 },
    );
    const ees = [opensslEe(1, opensslMacArgs(d)), opensslEe(2, opensslIdevidArgs(d)), lwcmpEe];

    assert.ok(await waitFor(() => files("requests").length === 1), "one nested request file for the batch");
    const request = decodePKIMessage(readFileSync(join(folder(), "requests", files("requests")[0]!)));
    assert.equal(request.bodyType, "nested");
    assert.equal(decodeNested(request.message.body).length, 3, "the three ir in one nested message");

    const t1 = await transfer();
    assert.equal(t1.code, 0, t1.stderr);
    assert.match(t1.stdout, /answered 1 request\(s\)/);
    assert.equal(files("responses").length, 1);
    assert.deepEqual(files("requests"), [], "the answered request moved to requests/done");

    // lwcmp's certConf goes through the folder too: a second file, answered by a second run.
    assert.ok(await waitFor(() => files("requests").length === 1), "the certConf in a request file");
    const t2 = await transfer();
    assert.equal(t2.code, 0, t2.stderr);

    const results = await Promise.all(ees);
    for (const [i, r] of results.entries()) {
      assert.equal(r.code, 0, r.stdout + r.stderr);
      opensslVerifyIssued(d, d.file(`x${i + 1}.crt`));
    }
    const issued = await d.server.store.findCertificates({ subjectContains: "xfer-" });
    assert.equal(issued.length, 3, "each certificate issued once");
    assert.ok(
      issued.every((c) => c.status === "valid"),
      "implicitly confirmed or confirmed by certConf",
    );
  });

  it("lwcmp ra transfer refuses a missing folder in one line", async () => {
    const r = await run(NODE, [LWCMP, "ra", "transfer", "--dir", d.file("nope"), "--url", d.url]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--dir .*nope does not exist/);
  });
});
