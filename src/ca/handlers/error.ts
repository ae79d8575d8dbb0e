// An error message from the EE (RFC 9483 §3.6.4) ends its transaction; the CA acknowledges with pkiConf.
import { pkiConfBody } from "../../cmp/build/response.js";
import { hex } from "../../cmp/header.js";
import { isFinal } from "../../cmp/transaction.js";
import type { Handler } from "../../cmp/server/types.js";
import type { CaContext } from "../context.js";

export function eeErrorHandler(ca: CaContext): Handler {
  return async (ctx) => {
    ca.log({ event: "ee-error", transactionId: hex(ctx.header.transactionID), requester: ctx.requester.id });
    // The engine passes only the requester's own transaction; a finished one stays as it is.
    const tx = ctx.transaction;
    return {
      body: pkiConfBody(),
      next:
        tx && !isFinal(tx.state.state) ? { state: { state: "done" }, expiresAt: tx.expiresAt } : undefined,
    };
  };
}
