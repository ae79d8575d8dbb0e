// How the CLI client talks to a server: HTTP (or --rspin files) under one deadline for the whole exchange
// (--total-timeout, polling included), and the failures of an exchange explained in one line each.
import { readFileSync, writeFileSync } from "node:fs";
import { CmpClientError } from "../client/client.js";
import { decodePKIMessage } from "../cmp/message.js";
import { describeStatus } from "../cmp/status.js";
import { derFromBytes } from "../pki/pem.js";
import { cmpUrl, CmpTransportError, postCmp } from "../transport/http-client.js";
import { DeadlineError, RefusedError } from "./exit.js";
import { InputError } from "./input.js";

export interface ExchangeOptions {
  server?: string;
  path?: string;
  profile?: string;
  reqout?: string;
  rspout?: string;
  rspin?: string;
  /** Seconds for the whole exchange. */
  totalTimeout: number;
  /** Seconds for one HTTP round trip. */
  msgTimeout: number;
  tlsTrusted?: string;
  /** The shared-secret reference when the exchange is MAC-protected. */
  macReference?: string;
}

/** One exchange's transport: the send function for CmpClient, its sleep, and what happened on the way. */
export class Exchange {
  readonly deadline: number;
  /** A failure of our own send function (transport, files), rethrown as it is instead of its wrapping. */
  private sendFailure: unknown;
  /** failInfo names of the last `error` answer, whatever its protection. */
  private lastErrorFailInfo: string[] = [];
  private n = 0;
  private readonly tlsCa?: string;

  constructor(
    private readonly o: ExchangeOptions,
    private readonly defaultOperation: string,
  ) {
    this.deadline = Date.now() + o.totalTimeout * 1000;
    if (!o.rspin && !o.server) throw new InputError("--server is required (or --rspin for offline use)");
    if (o.tlsTrusted) this.tlsCa = readText(o.tlsTrusted, "--tls-trusted");
  }

  readonly send = async (der: Uint8Array, operation: string): Promise<Uint8Array> => {
    try {
      return await this.sendOne(der, operation);
    } catch (e) {
      this.sendFailure = e;
      throw e;
    }
  };

  /** Waits between polls, but never past the deadline. */
  readonly sleep = async (ms: number): Promise<void> => {
    if (Date.now() + ms > this.deadline) throw this.deadlineError("the server still says waiting");
    await new Promise((r) => setTimeout(r, ms));
  };

  private async sendOne(der: Uint8Array, operation: string): Promise<Uint8Array> {
    const i = this.n++;
    const at = (list: string | undefined) => list?.split(",")[i];
    const reqout = at(this.o.reqout);
    if (reqout) writeOut(reqout, der);
    let rsp: Uint8Array;
    if (this.o.rspin) {
      const f = at(this.o.rspin);
      if (!f) throw new InputError(`no --rspin file for message ${i + 1}`);
      rsp = derFromBytes(new Uint8Array(readBytes(f, "--rspin")), f);
    } else {
      rsp = await this.post(der, operation);
    }
    const rspout = at(this.o.rspout);
    if (rspout) writeOut(rspout, rsp);
    this.noteError(rsp);
    return rsp;
  }

  private async post(der: Uint8Array, operation: string): Promise<Uint8Array> {
    const left = this.deadline - Date.now();
    if (left <= 0) throw this.deadlineError("no time left for the next message");
    const server = this.o.server!;
    const url = this.o.path
      ? new URL(`/${this.o.path.replace(/^\//, "")}`, server).toString()
      : cmpUrl(server, this.o.profile, operation || this.defaultOperation);
    const perMessage = this.o.msgTimeout * 1000;
    // Each round trip gets what is left of the total, at most --msg-timeout.
    const limit = Math.min(perMessage, left);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            limit < perMessage
              ? this.deadlineError("waiting for the server's answer")
              : new CmpTransportError(`no answer from ${url} within --msg-timeout ${this.o.msgTimeout} s`),
          ),
        limit,
      );
    });
    try {
      // postCmp's own timer (socket inactivity) starts a little later and then closes the socket.
      const tls = this.tlsCa ? { ca: this.tlsCa } : undefined;
      return await Promise.race([postCmp(url, der, { timeoutMs: limit, tls }), expired]);
    } catch (e) {
      if (e instanceof CmpTransportError && e.message.startsWith("cannot reach")) {
        throw new CmpTransportError(`${e.message}; check --server and that the CA is running`);
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  private deadlineError(doing: string): DeadlineError {
    return new DeadlineError(
      `--total-timeout ${this.o.totalTimeout} s reached (${doing}); try again later or allow more time`,
    );
  }

  private noteError(rsp: Uint8Array): void {
    try {
      const m = decodePKIMessage(rsp);
      if (m.bodyType === "error") {
        this.lastErrorFailInfo = [...describeStatus(m.message.body.error!.pKIStatusInfo).failInfo];
      }
    } catch {
      // The client reports an undecodable answer itself.
    }
  }

  /** The error to report for a failure of the exchange: our own send failure, or an explained refusal. */
  explain(e: unknown): unknown {
    if (this.sendFailure !== undefined) return this.sendFailure;
    if (!(e instanceof CmpClientError)) return e;
    if (e.message.startsWith("gave up waiting")) return this.deadlineError("the server still says waiting");
    const ref = this.o.macReference;
    if (ref === undefined) return e;
    // RFC 9483 §3.2: a server that cannot verify our MAC answers badMessageCheck (signed, so unverifiable
    // to a client without --trusted).
    if (this.lastErrorFailInfo.includes("badMessageCheck")) {
      return new RefusedError(
        `the server could not verify the MAC of our request (badMessageCheck): the shared secret (--secret) ` +
          `or its reference (--ref ${ref}) is not what the server holds; check both`,
      );
    }
    if (e.failInfo.includes("badMessageCheck") && /protection is invalid/.test(e.message)) {
      return new RefusedError(
        `the MAC of the server's answer does not verify with our shared secret: --secret differs from the ` +
          `server's secret for --ref ${ref}; check the secret`,
      );
    }
    return e;
  }
}

export function readBytes(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${what} file ${path}: ${errnoText(e)}`);
  }
}

export function readText(path: string, what: string): string {
  return readBytes(path, what).toString("utf8");
}

/** Writes an output file; a missing folder or no permission is a usage error in plain words. */
export function writeOut(path: string, data: Uint8Array | string, mode?: number): void {
  try {
    writeFileSync(path, data, mode === undefined ? undefined : { mode });
  } catch (e) {
    throw new InputError(`cannot write ${path}: ${errnoText(e)}`);
  }
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const hint: Record<string, string> = {
    ENOENT: "no such file or folder",
    EACCES: "permission denied",
    EISDIR: "it is a folder",
  };
  return code ? `${code}${hint[code] ? ` (${hint[code]})` : ""}` : e instanceof Error ? e.message : String(e);
}
