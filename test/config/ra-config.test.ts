// The `ra` section: schema refusals, the typed routes it maps to (defaults, per profile, per body type,
// per genm infoType), the route rules (kur keeps its protection, RFC 9483 §5.2.3), and the file check.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import { raPolicyFromConfig, raRouteProblems } from "../../src/config/ra-policy.js";

const upstreams = { ca: { url: "http://127.0.0.1:1/.well-known/cmp", trust: ["root.pem"] } };
const signer = { certificate: "ra.pem", key: "ra.key" };

function problems(raw: unknown): readonly string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.problems;
  }
}

describe("the ra configuration section", () => {
  it("maps defaults, profile routes and genm infoType routes onto the typed policy", () => {
    const config = parseConfig({
      ra: {
        signer,
        upstreams: { ...upstreams, other: { url: "http://127.0.0.1:2/" } },
        defaults: { mode: "raverified", hook: true },
        profiles: {
          default: {
            rr: { mode: "forward", upstream: "other" },
            "genm:1.3.6.1.5.5.7.4.17": { mode: "local" },
          },
          iot: { default: { mode: "nest", requesters: ["external"] } },
        },
      },
    });
    const p = raPolicyFromConfig(config);
    assert.deepEqual(p.profileNames(), ["default", "iot"]);
    const ir = p.forRequest("default", "ir")!;
    assert.equal(ir.mode, "raverified");
    assert.equal(ir.upstream, "ca");
    assert.equal(ir.hook, true);
    assert.deepEqual(ir.requesters, ["mac", "external", "issued", "ra"]);
    assert.equal(p.forRequest("default", "rr")!.upstream, "other");
    assert.equal(p.forRequest("default", "genm", "1.3.6.1.5.5.7.4.17")!.mode, "local");
    assert.equal(p.forRequest("default", "genm", "1.3.6.1.5.5.7.4.18")!.mode, "raverified");
    const iot = p.forRequest("iot", "cr")!;
    assert.deepEqual([iot.mode, iot.requesters], ["nest", ["external"]]);
    assert.equal(p.forRequest("nope", "ir"), undefined);
    assert.equal(p.upstream("other")!.timeoutMs, 30_000);
    assert.equal(p.upstream("ca")!.batch.maxMessages, 50);
  });

  it("forwards kur unchanged by default and refuses a re-protected kur route (RFC 9483 §5.2.3)", () => {
    const p = raPolicyFromConfig(parseConfig({ ra: { signer, upstreams } }));
    assert.equal(p.forRequest("default", "kur")!.mode, "forward");
    assert.equal(p.forRequest("default", "ir")!.mode, "reprotect");
    const ra = parseConfig({
      ra: {
        signer,
        upstreams,
        profiles: { default: { kur: { mode: "reprotect" }, ir: { upstream: "ghost" } } },
      },
    }).ra!;
    const found = raRouteProblems(ra);
    assert.equal(found.length, 2);
    assert.match(found[0]!, /ra\.profiles\.default\.kur\.mode: kur keeps the end entity's protection/);
    assert.match(found[1]!, /ra\.profiles\.default\.ir\.upstream: no upstream "ghost"/);
  });

  it("refuses unknown route keys, modes, and upstreams without an address", () => {
    const bad = problems({
      ra: { signer, upstreams: { ca: { trust: [] } }, profiles: { default: { ir: { mode: "relay" } } } },
    });
    assert.equal(bad.length, 2, bad.join("\n"));
    assert.match(bad[0]!, /^ra\.upstreams\.ca: an upstream names exactly one of url or transfer/);
    assert.match(bad[1]!, /^ra\.profiles\.default\.ir\.mode: Invalid option/);
    const key = problems({ ra: { signer, upstreams, profiles: { default: { enroll: {} } } } });
    assert.deepEqual(key, [
      'ra.profiles.default.enroll: "enroll" is not a route: use ir, cr, kur, p10cr, rr, genm, genm:<infoType OID> or default',
    ]);
  });

  it("maps delayed delivery, officer approval and transfer folders; one of url or transfer per upstream", () => {
    const p = raPolicyFromConfig(
      parseConfig({
        ra: {
          signer,
          upstreams: {
            ...upstreams,
            plant: { transfer: "xfer", trust: [], retry: { initialDelay: "1s", giveUpAfter: 0 } },
          },
          profiles: { default: { ir: { approval: true } } },
          policy: { approvalWait: "2d" },
        },
      }),
    );
    assert.deepEqual(p.upstream("ca")!.retry, {
      initialDelayMs: 5_000,
      maxDelayMs: 300_000,
      giveUpAfterMs: 86_400_000,
    });
    assert.deepEqual(p.upstream("plant")!.retry, {
      initialDelayMs: 1_000,
      maxDelayMs: 300_000,
      giveUpAfterMs: 0,
    });
    assert.equal(p.upstream("plant")!.transfer, "xfer");
    assert.equal(p.upstream("plant")!.url, undefined);
    assert.equal(p.forRequest("default", "ir")!.approval, true);
    assert.equal(p.forRequest("default", "cr")!.approval, false);
    assert.equal(p.transactions.approvalWaitMs, 172_800_000);
    const both = problems({
      ra: { signer, upstreams: { ca: { url: "http://127.0.0.1:1/", transfer: "x" } } },
    });
    assert.deepEqual(both, [
      "ra.upstreams.ca: an upstream names exactly one of url or transfer (a folder for file-based transfer)",
    ]);
  });

  it("answers caCerts, rootCaCert, certReqTemplate and crlStatusList locally: a local ir route is a problem", () => {
    const local = (key: string) =>
      raRouteProblems(
        parseConfig({ ra: { signer, upstreams, profiles: { default: { [key]: { mode: "local" } } } } }).ra!,
      );
    for (const oid of ["17", "19", "20", "22"]) assert.deepEqual(local(`genm:1.3.6.1.5.5.7.4.${oid}`), []);
    const bad = local("ir");
    assert.equal(bad.length, 1);
    assert.match(
      bad[0]!,
      /^ra\.profiles\.default\.ir\.mode: the RA answers only these genm types itself: genm:1\.3\.6\.1\.5\.5\.7\.4\.17, /,
    );
    assert.equal(local("genm:1.3.6.1.5.5.7.4.18").length, 1, "genm types the RA cannot answer");
  });
});
