// An error message from the EE (RFC 9483 §3.6.4) ends its transaction; the CA acknowledges with pkiConf.
import { pkiConfBody } from "../../cmp/build/response.js";
import { hex } from "../../cmp/header.js";
import type { Handler } from "../../cmp/server/types.js";
import type { CaContext } from "../context.js";

export function eeErrorHandler(ca: CaContext): Handler {
  return async (ctx) => {
    ca.log({ event: "ee-error", transactionId: hex(ctx.header.transactionID), requester: ctx.requester.id });
    const tx = ctx.transaction;
    const ended = tx && tx.requester === ctx.requester.id;
    return {
      body: pkiConfBody(),
      next: ended ? { state: { state: "done" }, expiresAt: tx.expiresAt } : undefined,
    };
  };
}
