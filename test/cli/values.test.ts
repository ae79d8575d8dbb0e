// Flag values as the CLI parses them: CRLReasons, numbers, seconds, server URLs, typed subjectAltNames.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidArgumentError } from "commander";
import {
  CRL_REASONS,
  integerIn,
  parseKeyType,
  parseRevReason,
  parseSan,
  parseSans,
  parseSeconds,
  parseServer,
} from "../../src/cli/values.js";

const refused = (f: () => unknown, re: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof InvalidArgumentError && re.test(e.message));

describe("CLI values", () => {
  it("CRLReason by name (any case) or number, 7 and unknown names refused", () => {
    assert.equal(parseRevReason("keyCompromise"), 1);
    assert.equal(parseRevReason("cessationofoperation"), 5);
    assert.equal(parseRevReason("10"), 10);
    assert.equal(parseRevReason("removeFromCRL"), 8);
    for (const bad of ["banana", "7", "11", "-1", "1.5", ""])
      refused(() => parseRevReason(bad), /not a CRLReason/);
    assert.deepEqual(Object.values(CRL_REASONS), [0, 1, 2, 3, 4, 5, 6, 8, 9, 10]);
  });

  it("whole numbers and seconds", () => {
    const days = integerIn(1, 36_500, "a number of days");
    assert.equal(days("30"), 30);
    for (const bad of ["abc", "0", "1.5", "36501", "3d"]) refused(() => days(bad), /a whole number from 1/);
    assert.equal(parseSeconds("2"), 2);
    assert.equal(parseSeconds("2.5"), 2.5);
    assert.equal(parseSeconds("500ms"), 0.5);
    assert.equal(parseSeconds("5m"), 300);
    for (const bad of ["xyz", "0", "-3", "2 s", ""])
      refused(() => parseSeconds(bad), /positive number of seconds/);
  });

  it("server URLs, with openssl's host and host:port forms as http", () => {
    assert.equal(parseServer("127.0.0.1:8080"), "http://127.0.0.1:8080/");
    assert.equal(parseServer("localhost:8080"), "http://localhost:8080/");
    assert.equal(parseServer("ca.example"), "http://ca.example/");
    assert.equal(parseServer("ca.example:80/pkix/"), "http://ca.example/pkix/");
    assert.equal(parseServer("[::1]:8443"), "http://[::1]:8443/");
    assert.equal(parseServer("https://ca.example/.well-known/cmp"), "https://ca.example/.well-known/cmp");
    refused(() => parseServer("ftp://ca.example"), /unsupported scheme ftp:/);
    refused(() => parseServer("http://"), /expected http\(s\)/);
  });

  it("subjectAltNames typed like openssl's -sans", () => {
    const names = parseSans("a.example,10.0.0.1,user@example.com,https://x.example/");
    assert.deepEqual(
      names.map((n) => [n.dNSName, n.iPAddress, n.rfc822Name, n.uniformResourceIdentifier]),
      [
        ["a.example", undefined, undefined, undefined],
        [undefined, "10.0.0.1", undefined, undefined],
        [undefined, undefined, "user@example.com", undefined],
        [undefined, undefined, undefined, "https://x.example/"],
      ],
    );
    assert.equal(parseSan("2001:db8::1").iPAddress, "2001:db8::1");
    assert.equal(parseSan("*.example.org").dNSName, "*.example.org");
    assert.equal(parseSans("b.example", [parseSan("a.example")]).length, 2);
    refused(() => parseSan("bad name"), /is not a DNS name/);
    refused(() => parseSan("a@b@c"), /is not an e-mail address/);
    refused(() => parseSan("http//x:"), /neither an IP address nor a URI/);
    refused(() => parseSans(","), /at least one name/);
  });

  it("key types lwcmp can generate", () => {
    for (const ok of ["ec-p256", "rsa3072", "ML-DSA-65", "composite:MLDSA65-ECDSA-P256-SHA512", "p384"]) {
      assert.equal(parseKeyType(ok), ok);
    }
    for (const bad of ["ec-p999", "rsa1024", "dsa"]) refused(() => parseKeyType(bad), /unknown key type/);
  });
});
