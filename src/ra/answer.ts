// The RA's answers to the EE built from an upstream's answer (RFC 9483 §5.2): the state the transaction
// goes on in, and an upstream answer under the RA's own header and protection.
import { PKIStatus } from "../asn1/cmp.js";
import { hasImplicitConfirm } from "../cmp/build/general-info.js";
import type { DecodedMessage } from "../cmp/message.js";
import type { Answer, HandlerContext, TransactionUpdate } from "../cmp/server/types.js";
import type { Forwarded, TxState } from "../cmp/transaction.js";
import { withCentralKey } from "./kga.js";
import type { RaPolicy } from "./policy.js";

/** The state the RA's transaction is in after passing on `rsp` (RFC 9483 §4: what the EE sends next). */
export function stateAfter(rsp: DecodedMessage, f: Forwarded): TxState {
  const b = rsp.message.body;
  const rep = b.ip ?? b.cp ?? b.kup;
  if (rep) {
    const st = rep.response[0]?.status.status;
    if (st === PKIStatus.waiting) return { state: "forwarded", forwarded: f };
    if (st !== PKIStatus.accepted && st !== PKIStatus.grantedWithMods) return { state: "rejected" };
    return hasImplicitConfirm(rsp.message.header)
      ? { state: "confirmed" }
      : { state: "forwarded", forwarded: f };
  }
  if (b.pollRep) return { state: "forwarded", forwarded: f };
  if (b.error?.pKIStatusInfo.status === PKIStatus.waiting) return { state: "forwarded", forwarded: f };
  return { state: "done" };
}

export function update(policy: RaPolicy, ctx: HandlerContext, state: TxState): TransactionUpdate {
  return {
    state,
    expiresAt: new Date(ctx.now.getTime() + policy.transactions.transactionWaitMs),
    kind: ctx.transaction?.kind,
  };
}

/** An upstream answer under the RA's own header and protection; the transaction goes on as `f` says. */
export function reprotectedAnswer(
  policy: RaPolicy,
  ctx: HandlerContext,
  rsp: DecodedMessage,
  f: Forwarded,
): Answer {
  // A key the RA's KGA generated goes to the EE with its certificate; the rest of the exchange needs it not.
  // (while the upstream still says "waiting", the key stays with the transaction).
  const { centralKey, ...rest } = f;
  const b = rsp.message.body;
  const delivered = centralKey !== undefined && (b.ip ?? b.cp)?.response[0]?.certifiedKeyPair !== undefined;
  return {
    body: delivered ? withCentralKey(rsp, centralKey) : b,
    // RFC 9483 §5.2: extraCerts may be re-sorted; the EE gets the upstream's after the RA's own chain.
    extraCerts: rsp.extraCerts.map((e) => e.der),
    generalInfo: rsp.message.header.generalInfo ? [...rsp.message.header.generalInfo] : undefined,
    pvno: rsp.message.header.pvno,
    next: update(policy, ctx, stateAfter(rsp, delivered ? rest : f)),
  };
}
