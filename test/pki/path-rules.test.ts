// RFC 5280 §4 and §6.1 rules, one generated certificate path per rule: name constraints, basic
// constraints with self-issued certificates, key usage, extensions, encoding, key identifiers, policies.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GeneralName, InhibitAnyPolicy, PolicyConstraints, Time, Version } from "@peculiar/asn1-x509";
import { CertificatePolicies, PolicyInformation } from "@peculiar/asn1-x509";
import { basicConstraintsExt } from "../../src/pki/extensions.js";
import { parseName } from "../../src/pki/names.js";
import { PathValidationError, validatePath, type PathFailure, type PathOptions } from "../../src/pki/path.js";
import { issue, nameConstraintsExt, NOW, rawExtension, type Node } from "./path-helpers.js";

const root = issue({ subject: "CN=Root,O=Test", ca: true });

async function reason(
  leaf: Node,
  ints: Node[],
  opts: Partial<PathOptions> = {},
): Promise<PathFailure | "valid"> {
  try {
    await validatePath(leaf.entry, {
      anchors: [root.entry],
      intermediates: ints.map((n) => n.entry),
      time: NOW,
      ...opts,
    });
    return "valid";
  } catch (e) {
    if (e instanceof PathValidationError) return e.reason;
    throw e;
  }
}

const dns = (v: string) => new GeneralName({ dNSName: v });
const mail = (v: string) => new GeneralName({ rfc822Name: v });
const ip = (v: string) => new GeneralName({ iPAddress: v });
const uri = (v: string) => new GeneralName({ uniformResourceIdentifier: v });
const dn = (v: string) => new GeneralName({ directoryName: parseName(v) });

function constrained(permitted: GeneralName[], excluded: GeneralName[] = []): Node {
  return issue({
    subject: "CN=Sub,O=Test",
    by: root,
    ca: true,
    extra: [nameConstraintsExt(permitted, excluded)],
  });
}

describe("name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)(c))", () => {
  const cases: Array<[string, GeneralName[], GeneralName[], string, GeneralName[], PathFailure | "valid"]> = [
    ["dNSName inside", [dns("example.com")], [], "CN=a", [dns("host.example.com")], "valid"],
    ["dNSName outside", [dns("example.com")], [], "CN=a", [dns("example.org")], "nameConstraints"],
    ["dNSName no label match", [dns("example.com")], [], "CN=a", [dns("badexample.com")], "nameConstraints"],
    ["dNSName excluded", [], [dns("bad.example")], "CN=a", [dns("x.bad.example")], "nameConstraints"],
    ["rfc822Name domain", [mail("example.com")], [], "CN=a", [mail("u@example.com")], "valid"],
    ["rfc822Name outside", [mail("example.com")], [], "CN=a", [mail("u@evil.com")], "nameConstraints"],
    ["rfc822Name subdomains", [mail(".example.com")], [], "CN=a", [mail("u@example.com")], "nameConstraints"],
    ["emailAddress in subject", [mail("example.com")], [], "CN=a,E=u@evil.com", [], "nameConstraints"],
    ["IPv4 inside", [ip("10.1.0.0/16")], [], "CN=a", [ip("10.1.2.3")], "valid"],
    ["IPv4 outside", [ip("10.1.0.0/16")], [], "CN=a", [ip("10.2.2.3")], "nameConstraints"],
    ["IPv6 inside", [ip("2001:db8::/32")], [], "CN=a", [ip("2001:db8::1")], "valid"],
    ["IPv6 outside", [ip("2001:db8::/32")], [], "CN=a", [ip("2001:db9::1")], "nameConstraints"],
    ["IPv4 name, IPv6 subtree", [ip("2001:db8::/32")], [], "CN=a", [ip("10.0.0.1")], "nameConstraints"],
    ["URI host inside", [uri("example.com")], [], "CN=a", [uri("https://example.com/x")], "valid"],
    ["URI host outside", [uri("example.com")], [], "CN=a", [uri("https://evil.com/x")], "nameConstraints"],
    ["directoryName inside", [dn("O=Test")], [], "CN=a,O=Test", [], "valid"],
    ["directoryName outside", [dn("O=Test")], [], "CN=a,O=Other", [], "nameConstraints"],
    ["directoryName in SAN excluded", [], [dn("O=Bad")], "CN=a", [dn("CN=x,O=Bad")], "nameConstraints"],
    ["unconstrained form passes", [dns("example.com")], [], "CN=a", [mail("u@any.org")], "valid"],
  ];
  for (const [title, permitted, excluded, subject, san, expect] of cases) {
    it(title, async () => {
      const ca = constrained(permitted, excluded);
      const leaf = issue({ subject, by: { ...ca, name: "CN=Sub,O=Test" }, san });
      assert.equal(await reason(leaf, [ca]), expect);
    });
  }
  it("a constrained name form lwcmp cannot match fails closed", async () => {
    const other = new GeneralName({ registeredID: "1.2.3.4" });
    const ca = constrained([other]);
    const leaf = issue({ subject: "CN=a", by: ca, san: [new GeneralName({ registeredID: "1.2.3.4.5" })] });
    assert.equal(await reason(leaf, [ca]), "nameConstraints");
  });
  it("the anchor's own name constraints apply", async () => {
    const anchor = issue({
      subject: "CN=NC Root",
      ca: true,
      extra: [nameConstraintsExt([dns("example.com")])],
    });
    const leaf = issue({ subject: "CN=a", by: anchor, san: [dns("evil.com")] });
    await assert.rejects(
      validatePath(leaf.entry, { anchors: [anchor.entry], time: NOW }),
      (e: unknown) => e instanceof PathValidationError && e.reason === "nameConstraints",
    );
  });
  it("a self-issued intermediate's subject is exempt, the leaf's is not", async () => {
    const ca = constrained([dn("O=Other")]);
    const rollover = issue({ subject: "CN=Sub,O=Test", by: ca, ca: true });
    assert.equal(await reason(issue({ subject: "CN=a,O=Other", by: rollover }), [ca, rollover]), "valid");
    const selfIssuedLeaf = issue({ subject: "CN=Sub,O=Test", by: rollover });
    assert.equal(await reason(selfIssuedLeaf, [ca, rollover]), "nameConstraints");
  });
});

describe("basic constraints, key usage and path length (§4.2.1.3, §4.2.1.9, §6.1.4 (k)-(n))", () => {
  it("self-issued intermediates do not count against pathLenConstraint", async () => {
    const ca = issue({ subject: "CN=CA,O=Test", by: root, ca: true, pathLen: 0 });
    const rollover = issue({ subject: "CN=CA,O=Test", by: ca, ca: true });
    const leaf = issue({ subject: "CN=leaf", by: rollover });
    assert.equal(await reason(leaf, [ca, rollover]), "valid");
    const sub = issue({ subject: "CN=Sub2", by: ca, ca: true });
    assert.equal(await reason(issue({ subject: "CN=leaf2", by: sub }), [ca, sub]), "pathLength");
  });
  it("a leaf with keyCertSign but no cA is invalid", async () => {
    assert.equal(
      await reason(issue({ subject: "CN=l", by: root, keyUsage: ["keyCertSign"] }), []),
      "keyUsage",
    );
  });
  it("an issuer without keyCertSign cannot issue", async () => {
    const ca = issue({ subject: "CN=CA", by: root, ca: true, keyUsage: ["crlSign"] });
    assert.equal(await reason(issue({ subject: "CN=l", by: ca }), [ca]), "keyUsage");
  });
  it("a CA with non-critical basicConstraints is refused unless allowed", async () => {
    const ca = issue({ subject: "CN=CA", by: root, ca: true, bcCritical: false });
    const leaf = issue({ subject: "CN=l", by: ca });
    assert.equal(await reason(leaf, [ca]), "notCA");
    assert.equal(await reason(leaf, [ca], { requireCriticalBasicConstraints: false }), "valid");
  });
  it("a v1 intermediate is not a CA", async () => {
    const ca = issue({ subject: "CN=CA", by: root, version: Version.v1 });
    assert.equal(await reason(issue({ subject: "CN=l", by: ca }), [ca]), "notCA");
  });
});

describe("extensions and encoding (§4.1, §4.2, §6.1.4 (o))", () => {
  const unknownCritical = rawExtension("1.3.6.1.4.1.99999.1", true, basicConstraintsExt(false).extnValue);
  it("an unknown critical extension in an intermediate, a leaf or the anchor is refused", async () => {
    const ca = issue({ subject: "CN=CA", by: root, ca: true, extra: [unknownCritical] });
    assert.equal(await reason(issue({ subject: "CN=l", by: ca }), [ca]), "criticalExtension");
    assert.equal(
      await reason(issue({ subject: "CN=l", by: root, extra: [unknownCritical] }), []),
      "criticalExtension",
    );
    const anchor = issue({ subject: "CN=R2", ca: true, extra: [unknownCritical] });
    await assert.rejects(
      validatePath(issue({ subject: "CN=l", by: anchor }).entry, { anchors: [anchor.entry], time: NOW }),
      (e: unknown) => e instanceof PathValidationError && e.reason === "criticalExtension",
    );
  });
  it("a duplicate extension is refused", async () => {
    assert.equal(
      await reason(
        issue({ subject: "CN=l", by: root, extra: [basicConstraintsExt(false), basicConstraintsExt(false)] }),
        [],
      ),
      "malformed",
    );
  });
  it("serialNumber zero, negative or over 20 octets is refused; 20 octets is accepted", async () => {
    for (const serial of [Uint8Array.of(0), Uint8Array.of(0xff), new Uint8Array(21).fill(0x11)]) {
      assert.equal(await reason(issue({ subject: "CN=l", by: root, serial }), []), "malformed");
    }
    assert.equal(
      await reason(issue({ subject: "CN=l", by: root, serial: new Uint8Array(20).fill(0x11) }), []),
      "valid",
    );
  });
  it("GeneralizedTime is accepted, with fractional seconds it is refused (§4.1.2.5.2)", async () => {
    const whole = new Time({ generalTime: new Date("2060-01-01T00:00:00Z") });
    assert.equal(await reason(issue({ subject: "CN=l", by: root, notAfter: whole }), []), "valid");
    const fraction = new Time({ generalTime: new Date("2060-01-01T00:00:00.5Z") });
    assert.equal(await reason(issue({ subject: "CN=l", by: root, notAfter: fraction }), []), "malformed");
  });
  it("subjectKeyIdentifier is required in CA certificates, authorityKeyIdentifier on request", async () => {
    const ca = issue({ subject: "CN=CA", by: root, ca: true, noSki: true });
    assert.equal(await reason(issue({ subject: "CN=l", by: ca }), [ca]), "keyIdentifier");
    const leaf = issue({ subject: "CN=l", by: root, noAki: true });
    assert.equal(await reason(leaf, []), "valid");
    assert.equal(await reason(leaf, [], { requireAuthorityKeyIdentifier: true }), "keyIdentifier");
  });
});

describe("policies (§6.1.3 (d)-(f), §6.1.4 (h)-(j), §6.1.5)", () => {
  const P1 = "1.3.6.1.4.1.99999.10.1";
  const P2 = "1.3.6.1.4.1.99999.10.2";
  const policies = (...oids: string[]) =>
    rawExtension(
      "2.5.29.32",
      false,
      new CertificatePolicies(oids.map((p) => new PolicyInformation({ policyIdentifier: p }))),
    );
  const skip = (n: number) => Uint8Array.of(n).buffer;
  it("requireExplicitPolicy without policies fails, with a policy it passes", async () => {
    const pc = rawExtension("2.5.29.36", true, new PolicyConstraints({ requireExplicitPolicy: skip(0) }));
    const ca = issue({ subject: "CN=CA", by: root, ca: true, extra: [pc] });
    assert.equal(await reason(issue({ subject: "CN=l", by: ca }), [ca]), "policy");
    const ca2 = issue({ subject: "CN=CA2", by: root, ca: true, extra: [pc, policies(P1)] });
    assert.equal(await reason(issue({ subject: "CN=l", by: ca2, extra: [policies(P1)] }), [ca2]), "valid");
  });
  it("the user-initial-policy-set must meet the path's policies", async () => {
    const ca = issue({ subject: "CN=CA", by: root, ca: true, extra: [policies(P1)] });
    const leaf = issue({ subject: "CN=l", by: ca, extra: [policies(P1)] });
    const opts = { initialExplicitPolicy: true };
    assert.equal(await reason(leaf, [ca], { ...opts, initialPolicySet: [P1] }), "valid");
    assert.equal(await reason(leaf, [ca], { ...opts, initialPolicySet: [P2] }), "policy");
  });
  it("inhibitAnyPolicy stops anyPolicy from matching below the CA", async () => {
    const iap = rawExtension("2.5.29.54", true, new InhibitAnyPolicy(skip(0)));
    const ca = issue({ subject: "CN=CA", by: root, ca: true, extra: [iap, policies("2.5.29.32.0")] });
    const leaf = issue({ subject: "CN=l", by: ca, extra: [policies("2.5.29.32.0")] });
    assert.equal(await reason(leaf, [ca], { initialExplicitPolicy: true }), "policy");
    assert.equal(
      await reason(leaf, [ca], { initialExplicitPolicy: true, initialAnyPolicyInhibit: false }),
      "policy",
    );
    const ca2 = issue({ subject: "CN=CA2", by: root, ca: true, extra: [policies("2.5.29.32.0")] });
    const leaf2 = issue({ subject: "CN=l2", by: ca2, extra: [policies("2.5.29.32.0")] });
    assert.equal(await reason(leaf2, [ca2], { initialExplicitPolicy: true }), "valid");
  });
});
