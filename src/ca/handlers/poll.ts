// Delayed delivery (RFC 9483 §4.4): while an operator has not decided, pollReq gets pollRep with
// checkAfter; once decided, the answer the original request was waiting for.
import { certRepBody, pollRepBody, rejectedCertResponse } from "../../cmp/build/response.js";
import { CmpError } from "../../cmp/errors.js";
import { decodePKIMessage } from "../../cmp/message.js";
import type { Handler } from "../../cmp/server/types.js";
import type { CaContext } from "../context.js";
import { enrollmentInput } from "./enroll-input.js";
import { issueAndAnswer } from "./issue.js";

export function pollReqHandler(ca: CaContext): Handler {
  return async (ctx) => {
    const tx = ctx.transaction!;
    if (tx.state.state !== "waiting-approval")
      throw new CmpError("badRequest", "nothing is waiting in this transaction");
    const e = tx.state.enrollment;
    const ids = ctx.request.message.body.pollReq!.map((p) => p.certReqId);
    if (ids.length !== 1 || ids[0] !== e.certReqId) {
      throw new CmpError("badRequest", `pollReq must name certReqId ${e.certReqId}`);
    }
    const approval = await ca.store.getApprovalByTransaction(tx.id);
    if (!approval || approval.status === "pending") {
      const checkAfter = Math.max(1, Math.round(ca.policy.transactions.pollIntervalMs / 1000));
      return { body: pollRepBody(e.certReqId, checkAfter, "waiting for approval by a PKI operator") };
    }
    if (approval.status === "rejected") {
      const err = new CmpError(
        "notAuthorized",
        `rejected by a PKI operator${approval.reason ? `: ${approval.reason}` : ""}`,
      );
      return {
        body: certRepBody(e.bodyType, [rejectedCertResponse(e.certReqId, err)]),
        next: {
          state: { state: "rejected" },
          expiresAt: new Date(ctx.now.getTime() + 2 * ca.policy.transactions.messageTimeSkewMs),
        },
      };
    }
    // Approved: the original request was authenticated and its POP checked when it arrived.
    const profile = ca.policy.forRequest(e.profile, e.bodyType);
    if (!profile) throw new CmpError("systemFailure", `profile "${e.profile}" no longer exists`);
    const original = decodePKIMessage(approval.request);
    const input = enrollmentInput(ca, original, ctx.requester, profile.profile);
    return issueAndAnswer(ca, ctx, e, input, profile.profile);
  };
}
