// The CLI's exit codes (docs/security.md, "Operator and CLI input") and the error kinds that pick them.
import { CommanderError } from "commander";
import { CmpClientError } from "../client/client.js";
import { CmpError } from "../cmp/errors.js";
import { ConfigError } from "../config/load.js";
import { CryptoError, UnsupportedAlgorithmError } from "../crypto/index.js";
import { FormatError } from "../pki/pem.js";
import { ListenError } from "../server/index.js";
import { StoreError } from "../store/store.js";
import { CmpTransportError } from "../transport/http-client.js";
import { InputError } from "./input.js";

export const EXIT = {
  /** The command did what was asked. */
  ok: 0,
  /** The server refused the request, or its answer failed our checks (protection, nonces, content). */
  refused: 1,
  /** Bad flags or values, unreadable or invalid files, a configuration with problems. */
  usage: 2,
  /** No usable answer: server unreachable, no CMP answer, time limit reached; or cannot listen. */
  transport: 3,
  /** A failure lwcmp did not expect (a bug): run with LWCMP_DEBUG=1 for the stack trace. */
  internal: 70,
} as const;

/** The exchange did not end within --total-timeout (polling included). */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
}

/** A refusal explained for the user (a wrong shared secret, say): exit code 1. */
export class RefusedError extends Error {
  override readonly name = "RefusedError";
}

export interface Outcome {
  code: number;
  lines: string[];
}

/** The exit code and the lines to print for an error a command threw. */
export function outcomeOf(e: unknown): Outcome {
  if (e instanceof CommanderError) {
    // Commander has printed its message already; help and version end with 0.
    return { code: e.exitCode === 0 ? EXIT.ok : EXIT.usage, lines: [] };
  }
  if (e instanceof ConfigError) return { code: EXIT.usage, lines: [...e.problems] };
  if (e instanceof CmpError) {
    return { code: EXIT.refused, lines: [`${e.statusString} [${e.failInfo.join(", ")}]`] };
  }
  if (e instanceof CmpClientError || e instanceof RefusedError)
    return { code: EXIT.refused, lines: [e.message] };
  if (e instanceof CmpTransportError || e instanceof DeadlineError || e instanceof ListenError) {
    return { code: EXIT.transport, lines: [e.message] };
  }
  if (
    e instanceof InputError ||
    e instanceof FormatError ||
    e instanceof StoreError ||
    e instanceof CryptoError ||
    e instanceof UnsupportedAlgorithmError
  ) {
    return { code: EXIT.usage, lines: [e.message] };
  }
  return {
    code: EXIT.internal,
    lines: [
      `unexpected failure: ${e instanceof Error ? e.message : String(e)} (run with LWCMP_DEBUG=1 for details)`,
    ],
  };
}
