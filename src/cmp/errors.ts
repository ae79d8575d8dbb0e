// The one typed error of the cmp layer: what went wrong, as PKIFailureInfo bits plus plain words.
import type { FailInfo } from "./failinfo.js";

/**
 * A failure that a CMP peer must hear about. Roles turn it into a rejected ip/cp/kup or an
 * `error` message (RFC 9483 §3.6); clients show statusString to the user.
 */
export class CmpError extends Error {
  override readonly name = "CmpError";
  readonly failInfo: readonly FailInfo[];
  /** Text for statusString / errorDetails: what was wrong and, where useful, what to do. */
  readonly statusString: string;

  constructor(failInfo: FailInfo | readonly FailInfo[], statusString: string, options?: { cause?: unknown }) {
    super(statusString, options);
    this.failInfo = typeof failInfo === "string" ? [failInfo] : [...failInfo];
    this.statusString = statusString;
  }
}

/** Raised when bytes are not a well-formed PKIMessage (maps to badDataFormat). */
export class MessageDecodeError extends CmpError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super("badDataFormat", `malformed PKIMessage: ${detail}`, options);
  }
}
