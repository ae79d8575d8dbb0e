// The in-process CA of the characterization tests: a demo PKI under a test clock; answers come back
// summarized. The request builders are in ca-requests.ts (re-exported here).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AsnParser, AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { parse as parseYaml } from "yaml";
import type { CertRepMessage } from "../../src/asn1/cmp.js";

import { CertificateAuthority, type CaLogEvent } from "../../src/ca/authority.js";
import { buildDemoPki } from "../../src/ca/demo.js";
import { decodePKIMessage, type DecodedMessage } from "../../src/cmp/message.js";
import { describeStatus } from "../../src/cmp/status.js";
import { parseConfig } from "../../src/config/load.js";
import { loadCaMaterials, type CaMaterials } from "../../src/config/materials.js";
import type { ConfigDocument as Config } from "../../src/config/schema.js";
import { importPrivateKeyPem, type PrivateKey } from "../../src/crypto/index.js";
import { openStore } from "../../src/store/open.js";
import type { Store } from "../../src/store/store.js";

export * from "./ca-requests.js";
import { irRequest, type BuiltRequest } from "./ca-requests.js";

/** A clock the tests move by hand; it starts at the current second. */
export class TestClock {
  private t = Math.floor(Date.now() / 1000) * 1000;
  readonly now = (): Date => new Date(this.t);
  set(d: Date): void {
    this.t = d.getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** The credential a request is protected with ("none" sends it unprotected). */
export type RequestCredential =
  | { kind: "mac"; kid: string; secret: string; alg?: "pbm" | "pbmac1" }
  | { kind: "signature"; key: PrivateKey; cert: Uint8Array; chain?: Uint8Array[] }
  | { kind: "none"; extraCerts?: Uint8Array[] };

export interface TestCa {
  ca: CertificateAuthority;
  store: Store;
  clock: TestClock;
  config: Config;
  materials: CaMaterials;
  /** The demo shared secret (RFC 9483 §4.1.5). */
  secrets: { kid: string; secret: string };
  mac: RequestCredential;
  /** The demo device certificate (RFC 9483 §4.1.1) with its manufacturer chain. */
  idevid: { key: PrivateKey; cert: Uint8Array; chain: Uint8Array[]; cred: RequestCredential };
  root: Uint8Array;
  issuing: Uint8Array;
  /** Every demo file by name (PEM text). */
  files: Record<string, string>;
  log: CaLogEvent[];
  close: () => Promise<void>;
}

export function pemCertificates(text: string): Uint8Array[] {
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  return [...text.matchAll(re)].map((m) => new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64")));
}

/** The demo PKI (src/ca/demo.ts) as a CA in this process, with an in-memory SQLite store. */
export async function createTestCa(
  opts: { configPatch?: (yaml: string) => string; clock?: TestClock; org?: string } = {},
): Promise<TestCa> {
  const clock = opts.clock ?? new TestClock();
  const demo = buildDemoPki({ org: opts.org, now: clock.now() });
  const files = Object.fromEntries(demo.files.map((f) => [f.name, f.content]));
  const dir = mkdtempSync(join(tmpdir(), "lwcmp-ca-"));
  let config: Config;
  let materials: CaMaterials;
  try {
    for (const f of demo.files) writeFileSync(join(dir, f.name), f.content);
    const yaml = opts.configPatch ? opts.configPatch(files["lwcmp.yaml"]!) : files["lwcmp.yaml"]!;
    config = parseConfig(parseYaml(yaml));
    materials = loadCaMaterials(config, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const store = await openStore("sqlite::memory:");
  const log: CaLogEvent[] = [];
  const ca = new CertificateAuthority({ config, materials, store, now: clock.now, log: (e) => log.push(e) });
  const [idCert, ...idChain] = pemCertificates(files["idevid-chain.crt"]!);
  const idKey = importPrivateKeyPem(files["idevid.key"]!);
  return {
    ca,
    store,
    clock,
    config,
    materials,
    secrets: { kid: demo.kid, secret: demo.secret },
    mac: { kind: "mac", kid: demo.kid, secret: demo.secret },
    idevid: {
      key: idKey,
      cert: idCert!,
      chain: idChain,
      cred: { kind: "signature", key: idKey, cert: idCert!, chain: idChain },
    },
    root: pemCertificates(files["root-ca.crt"]!)[0]!,
    issuing: pemCertificates(files["issuing-ca.crt"]!)[0]!,
    files,
    log,
    close: () => store.close(),
  };
}

/** The operator's decision on a waiting request (`lwcmp approve`). */
export async function decide(
  t: TestCa,
  id: string,
  decision: "approved" | "rejected",
  reason?: string,
): Promise<boolean> {
  return t.store.decideApproval(id, decision, reason, t.clock.now());
}

/** A decoded answer of the CA with the fields the tests assert on. */
export interface Answer {
  decoded: DecodedMessage;
  bodyType: string;
  /** PKIStatus of the ip/cp/kup response, the rp or the error, when the body has one. */
  status?: number;
  statusName?: string;
  failInfo: string[];
  statusString: string[];
  transactionID?: Uint8Array;
  senderNonce?: Uint8Array;
  recipNonce?: Uint8Array;
  /** The certificate of an ip/cp/kup. */
  certificate?: Uint8Array;
}

const bytes = (b: ArrayBuffer | undefined) => (b ? new Uint8Array(b) : undefined);

export function summarize(der: Uint8Array): Answer {
  const decoded = decodePKIMessage(der);
  const b = decoded.message.body;
  const rep = (b.ip ?? b.cp ?? b.kup) as CertRepMessage | undefined;
  const info = rep?.response[0]?.status ?? b.rp?.status[0] ?? b.error?.pKIStatusInfo;
  const s = info ? describeStatus(info) : undefined;
  const cert = rep?.response[0]?.certifiedKeyPair?.certOrEncCert.certificate;
  const h = decoded.message.header;
  return {
    decoded,
    bodyType: decoded.bodyType,
    status: s?.status,
    statusName: s?.statusName,
    failInfo: s?.failInfo ?? [],
    statusString: s?.statusString ?? [],
    transactionID: bytes(h.transactionID),
    senderNonce: bytes(h.senderNonce),
    recipNonce: bytes(h.recipNonce),
    certificate: cert ? new Uint8Array(AsnSerializer.serialize(cert)) : undefined,
  };
}

/** Hands one request to the CA's handler (no HTTP) and summarizes the answer. */
export async function send(
  ca: CertificateAuthority,
  req: BuiltRequest | Uint8Array,
  ctx: { profile?: string; operation?: string } = {},
): Promise<Answer> {
  return summarize(await ca.handle(req instanceof Uint8Array ? req : req.der, ctx));
}

/** An ir with implicitConfirm under the demo shared secret: a valid certificate and its key. */
export async function enrolled(
  t: TestCa,
  subject = "CN=enrolled-ee",
): Promise<{ cert: Uint8Array; key: PrivateKey; cred: RequestCredential }> {
  const req = irRequest(t, { subject, implicitConfirm: true });
  const a = await send(t.ca, req);
  if (!a.certificate) throw new Error(`enrollment failed: ${a.statusString.join("; ")}`);
  return {
    cert: a.certificate,
    key: req.key!,
    cred: { kind: "signature", key: req.key!, cert: a.certificate },
  };
}

/** Serial of a certificate as the store keys it (lowercase hex). */
export function serialOf(cert: Uint8Array): string {
  return Buffer.from(AsnParser.parse(cert, Certificate).tbsCertificate.serialNumber)
    .toString("hex")
    .replace(/^(00)+(?=.)/, "");
}
