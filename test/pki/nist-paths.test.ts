// NIST's X.509 path validation test data (test/vectors/nist-x509, "Conformance Testing of Relying Party
// Client Certificate Path Processing Logic", the predecessor of PKITS): every mapped case.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { certEntry, PathValidationError, validatePath, type PathFailure } from "../../src/pki/path.js";

const DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "test", "vectors", "nist-x509");
const TIME = new Date("2018-04-01T09:30:33Z");

type Expect = PathFailure | "valid" | "skip";
// Expected outcome per case (valid, or the reason lwcmp reports); "skip": the data gives no expectation.
const REVOCATION = "4.4 revocation";
const CASES: Record<string, [category: string, expect: Expect]> = {};
const add = (category: string, list: Record<number, Expect>) => {
  for (const [n, e] of Object.entries(list)) CASES[`test${n.padStart(2, "0")}`] = [category, e];
};
add("4.1 signature verification", { 1: "valid", 2: "badSignature", 3: "badSignature", 4: "valid" });
add("4.2 validity periods", {
  5: "notYetValid",
  6: "notYetValid",
  7: "valid",
  8: "notYetValid",
  9: "expired",
  10: "expired",
  11: "expired",
  12: "valid",
});
add("4.3 name chaining", {
  13: "untrusted",
  14: "untrusted",
  15: "valid",
  16: "valid",
  17: "valid",
  18: "valid",
});
// With the CRLs of the data (RFC 5280 §6.3, RFC 10007 cRLSign); 75 and 76 have no expected result.
add(REVOCATION, {
  19: "crlUnavailable",
  20: "revoked",
  21: "revoked",
  31: "crlInvalid",
  32: "crlInvalid",
  64: "crlInvalid",
  65: "crlUnavailable",
  66: "crlUnavailable",
  67: "valid",
  68: "revoked",
  69: "revoked",
  // An unrecognized critical CRL extension: RFC 5280 §6.3.3 (b) forbids using that CRL, so the status is
  // undetermined and the path refused; the data's reference result says "revoked" — both refuse it.
  70: "crlUnavailable",
  71: "crlUnavailable",
  72: "crlUnavailable",
  73: "crlUnavailable",
  74: "valid",
  75: "skip",
  76: "skip",
});
add("4.6 basic constraints", {
  22: "keyUsage",
  23: "keyUsage",
  24: "valid",
  25: "keyUsage",
  26: "valid",
  54: "pathLength",
  55: "pathLength",
  56: "valid",
  57: "valid",
  58: "pathLength",
  59: "pathLength",
  60: "pathLength",
  61: "pathLength",
  62: "valid",
  63: "valid",
});
add("4.7 key usage", { 27: "valid", 28: "keyUsage", 29: "keyUsage", 30: "valid", 33: "valid" });
add("4.8-4.10 certificate policies, explicit policy, mappings", {
  34: "valid",
  35: "valid",
  36: "valid",
  37: "valid",
  38: "valid",
  39: "valid",
  40: "valid",
  41: "valid",
  42: "valid",
  43: "valid",
  44: "valid",
  45: "policy",
  46: "valid",
  47: "policy",
  48: "valid",
  49: "valid",
  50: "valid",
  51: "valid",
  52: "valid",
  53: "valid",
});

const read = (p: string) => certEntry(new Uint8Array(readFileSync(join(DIR, p))));
const root = read("root.crt");

const crl = (p: string) => new Uint8Array(readFileSync(join(DIR, p)));

async function outcome(test: string, withCrls: boolean): Promise<PathFailure | "valid"> {
  const files = readdirSync(join(DIR, test)).filter((f) => f !== "end.crt");
  const certs = files.filter((f) => f.endsWith(".crt"));
  const crls = withCrls
    ? [crl("root.crl"), ...files.filter((f) => f.endsWith(".crl")).map((f) => crl(`${test}/${f}`))]
    : undefined;
  try {
    await validatePath(read(`${test}/end.crt`), {
      anchors: [root],
      intermediates: certs.map((f) => read(`${test}/${f}`)),
      time: TIME,
      crls,
      crlCheckAll: withCrls,
      // the §6.1 algorithm alone: these CAs mark basicConstraints non-critical in places (case 26)
      requireCriticalBasicConstraints: false,
    });
    return "valid";
  } catch (e) {
    if (e instanceof PathValidationError) return e.reason;
    throw e;
  }
}

describe("NIST X.509 path validation test data", () => {
  it("maps every case of the data", () => {
    const tests = readdirSync(DIR).filter((d) => d.startsWith("test"));
    assert.equal(tests.length, 76);
    assert.deepEqual(
      tests.filter((t) => !CASES[t]),
      [],
    );
  });
  for (const [test, [category, expect]] of Object.entries(CASES).sort()) {
    it(
      `${category}: ${test} is ${expect}`,
      { skip: expect === "skip" && "the data gives no expected result" },
      async () => {
        assert.equal(await outcome(test, category === REVOCATION), expect);
      },
    );
  }
  it("case 26 (CA with non-critical basicConstraints) is refused when criticality is required", async () => {
    const files = readdirSync(join(DIR, "test26")).filter((f) => f.endsWith(".crt") && f !== "end.crt");
    await assert.rejects(
      validatePath(read("test26/end.crt"), {
        anchors: [root],
        intermediates: files.map((f) => read(`test26/${f}`)),
        time: TIME,
      }),
      (e: unknown) => e instanceof PathValidationError && e.reason === "notCA",
    );
  });
});
