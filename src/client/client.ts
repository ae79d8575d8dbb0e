// The end-entity CMP client (RFC 9483 §4): one call per operation, each a ClientSession (src/cmp/client)
// that builds its body with src/cmp/build and checks the answer; enrollment lives in enroll.ts.
import { AsnParser } from "@peculiar/asn1-schema";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { AsnSerializer } from "@peculiar/asn1-schema";
import { Certificate, type Name } from "@peculiar/asn1-x509";
import { InfoTypeAndValue, PKIStatus } from "../asn1/cmp.js";
import type { CertReqTemplateContent } from "../asn1/itav.js";
import * as oids from "../asn1/oids.js";
import { certProfileItav, genmBody, p10crBody, rrBody } from "../cmp/build/index.js";
import { CmpClientError, statusError } from "../cmp/client/errors.js";
import { exchangeDelayed, type PollSettings } from "../cmp/client/poll.js";
import { ClientSession } from "../cmp/client/session.js";
import type { ServerTrust } from "../cmp/client/types.js";
import { PVNO_CMP2000 } from "../cmp/header.js";
import { formatStatus } from "../cmp/status.js";
import { parseName } from "../pki/names.js";
import { certEntry, type CertEntry } from "../pki/path.js";
import { enroll, prepareCertRequest, type EnrollContext } from "./enroll.js";
import {
  crlSourceFor,
  crlStatusListItav,
  readCaCerts,
  readCertReqTemplate,
  readCrls,
  readRootUpdate,
  rootCaCertItav,
  type RootUpdate,
} from "./genm.js";
import type { CmpClientOptions, EnrollRequest, EnrollResult } from "./types.js";

export { CmpClientError } from "../cmp/client/errors.js";
export type { ClientCredential, CmpClientOptions, EnrollRequest, EnrollResult } from "./types.js";
export type { RootUpdate } from "./genm.js";

const toName = (n: string | Name | undefined): Name | undefined => (typeof n === "string" ? parseName(n) : n);

export class CmpClient {
  private readonly o: CmpClientOptions;
  private readonly anchors: CertEntry[];
  private readonly trust: ServerTrust;
  constructor(options: CmpClientOptions) {
    this.o = options;
    this.anchors = (options.trusted ?? []).map((d) => certEntry(d));
    this.trust = {
      anchors: this.anchors,
      untrusted: (options.untrusted ?? []).map((d) => certEntry(d)),
      serverCert: options.serverCert ? certEntry(options.serverCert) : undefined,
    };
  }

  /** Enrollment with ir (initial), cr (additional) or kur (key update) — RFC 9483 §4.1.1-4.1.3. */
  async enroll(type: "ir" | "cr" | "kur", req: EnrollRequest): Promise<EnrollResult> {
    return enroll(this.context(), prepareCertRequest(type, req, this.oldCert(req)));
  }

  /** Enrollment with a PKCS#10 request (RFC 9483 §4.1.4). */
  async p10cr(csrDer: Uint8Array): Promise<EnrollResult> {
    const csr = AsnParser.parse(csrDer, CertificationRequest);
    const newSpki = new Uint8Array(AsnSerializer.serialize(csr.certificationRequestInfo.subjectPKInfo));
    return enroll(this.context(), { type: "p10cr", body: p10crBody(csr), newSpki });
  }

  /** Revocation of a certificate (RFC 9483 §4.2); reason is a CRLReason code. */
  async revoke(certificate: Uint8Array, reason = 0): Promise<{ status: string }> {
    const body = rrBody(AsnParser.parse(certificate, Certificate), reason);
    const rsp = await exchangeDelayed(this.session(), body, {
      ...this.pollSettings(),
      operation: "revocation",
      expect: ["rp"],
    });
    const st = rsp.message.body.rp!.status[0];
    if (!st) throw new CmpClientError("the rp holds no status");
    if (st.status !== PKIStatus.accepted && st.status !== PKIStatus.grantedWithMods) {
      throw statusError("revocation refused", st);
    }
    return { status: formatStatus(st) };
  }

  /** A general message (RFC 9483 §4.3); returns the InfoTypeAndValues of the genp. */
  async genm(itavs: InfoTypeAndValue[], operation = "getcacerts"): Promise<InfoTypeAndValue[]> {
    // RFC 9483 §4.1 / §4.3.3: the certificate profile, named in generalInfo.
    const generalInfo = this.o.certProfile ? [certProfileItav(this.o.certProfile)] : [];
    const rsp = await exchangeDelayed(this.session(), genmBody(itavs), {
      ...this.pollSettings(),
      operation,
      expect: ["genp"],
      generalInfo,
    });
    return [...rsp.message.body.genp!];
  }

  /** RFC 9483 §4.3.1: the CA certificates. */
  async getCaCerts(): Promise<Uint8Array[]> {
    const [itav] = await this.genm([new InfoTypeAndValue({ infoType: oids.id_it_caCerts })], "getcacerts");
    return readCaCerts(itav);
  }

  /** RFC 9483 §4.3.2: a root CA update for `oldRoot`, validated as the RFC asks; undefined when none. */
  async getRootUpdate(oldRoot?: Uint8Array): Promise<RootUpdate | undefined> {
    const [itav] = await this.genm([rootCaCertItav(oldRoot)], "getrootupdate");
    return readRootUpdate(itav, oldRoot, this.now());
  }

  /** RFC 9483 §4.3.3: the certificate request template of a profile. */
  async getCertReqTemplate(): Promise<CertReqTemplateContent | undefined> {
    const itav = new InfoTypeAndValue({ infoType: oids.id_it_certReqTemplate });
    const [answer] = await this.genm([itav], "getcertreqtemplate");
    return readCertReqTemplate(answer);
  }

  /**
   * RFC 9483 §4.3.4: current CRLs of the given issuer; without one, of the issuer the client knows
   * (its protection certificate's issuer, the recipient, or `oldCertificate`'s distribution point).
   */
  async getCrls(
    issuer?: string | Name,
    thisUpdate?: Date,
    oldCertificate?: Uint8Array,
  ): Promise<Uint8Array[]> {
    const source = crlSourceFor(issuer, {
      credential: this.o.credential,
      recipient: this.o.recipient,
      oldCertificate,
    });
    const [itav] = await this.genm([crlStatusListItav(source, thisUpdate)], "getcrls");
    return readCrls(itav);
  }

  /** RFC 9483 §4.4: how long and on what a delayed answer is waited for. */
  private pollSettings(): PollSettings {
    return { totalTimeoutMs: this.o.totalTimeoutMs, sleep: this.o.sleep, onProgress: this.o.onProgress };
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  /** A new transaction with this client's credential, names, trust and clock. */
  private session(pvno = PVNO_CMP2000): ClientSession {
    return new ClientSession({
      send: this.o.send,
      credential: this.o.credential,
      trust: this.trust,
      sender: toName(this.o.sender),
      recipient: toName(this.o.recipient),
      pvno,
      now: () => this.now(),
      maxClockSkewMs: this.o.maxClockSkewMs,
      reportErrors: this.o.reportErrors,
    });
  }

  private context(): EnrollContext {
    return { options: this.o, anchors: this.anchors, session: (pvno) => this.session(pvno) };
  }

  private oldCert(req: EnrollRequest): Certificate | undefined {
    const c = this.o.credential;
    const der = req.oldCertificate ?? (c.kind === "mac" ? undefined : c.certificate);
    return der ? AsnParser.parse(der, Certificate) : undefined;
  }
}
