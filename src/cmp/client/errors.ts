// The one typed error of the client side: what the server (or our check of its answer) objected to,
// as PKIFailureInfo names, with the server's PKIStatusInfo text when it sent one.
import type { PKIStatusInfo } from "../../asn1/cmp.js";
import { CmpError } from "../errors.js";
import { describeStatus, formatStatus } from "../status.js";

/** A failure the client reports to its user; `failInfo` names what the server (or the client) objected to. */
export class CmpClientError extends Error {
  override readonly name = "CmpClientError";
  constructor(
    message: string,
    readonly failInfo: readonly string[] = [],
    readonly serverStatus?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A refusal in a PKIStatusInfo (error body, rejected ip/cp/kup, rp): its text and failInfo bits. */
export function statusError(prefix: string, info: PKIStatusInfo): CmpClientError {
  const text = formatStatus(info);
  return new CmpClientError(`${prefix}: ${text}`, describeStatus(info).failInfo, text);
}

/** A rule of src/cmp/validate.ts broken by an answer, in the client's error type. */
export function fromCmpError(e: unknown, prefix?: string): unknown {
  if (!(e instanceof CmpError)) return e;
  return new CmpClientError(prefix ? `${prefix}: ${e.statusString}` : e.statusString, e.failInfo);
}
