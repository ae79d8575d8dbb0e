// Batching (RFC 9483 §5.2.2.2): requests for the same upstream and profile are collected for up to
// `maxWaitMs` or `maxMessages`, sent as one nested message signed by the RA, and each EE gets the inner
// answer that repeats its transactionID and senderNonce; a lost answer becomes an error for that EE only.
import { CmpError } from "../cmp/errors.js";
import { hex } from "../cmp/header.js";
import { decodeNested, type DecodedMessage } from "../cmp/message.js";
import { bytesEqual } from "../cmp/validate.js";

interface Waiting {
  der: Uint8Array;
  tid: string;
  nonce: Uint8Array;
  resolve: (answer: DecodedMessage) => void;
  reject: (e: unknown) => void;
}

interface Batch {
  items: Waiting[];
  timer: NodeJS.Timeout;
}

/** Sends the collected messages in one nested message and returns the nested answer. */
export type BatchSend = (key: string, messages: Uint8Array[]) => Promise<DecodedMessage>;

export class Batcher {
  private readonly open = new Map<string, Batch>();
  constructor(private readonly send: BatchSend) {}

  /** Queues `request` under `key` (upstream and profile); resolves with its inner answer. */
  submit(key: string, request: DecodedMessage, limits: { maxMessages: number; maxWaitMs: number }) {
    const h = request.message.header;
    return new Promise<DecodedMessage>((resolve, reject) => {
      let b = this.open.get(key);
      if (!b) {
        b = { items: [], timer: setTimeout(() => this.flush(key), limits.maxWaitMs) };
        this.open.set(key, b);
      }
      b.items.push({
        der: request.der,
        tid: hex(h.transactionID),
        nonce: new Uint8Array(h.senderNonce!),
        resolve,
        reject,
      });
      if (b.items.length >= limits.maxMessages) this.flush(key);
    });
  }

  /** Sends what waits under `key` now. */
  flush(key: string): void {
    const b = this.open.get(key);
    if (!b) return;
    this.open.delete(key);
    clearTimeout(b.timer);
    this.send(
      key,
      b.items.map((i) => i.der),
    ).then(
      (rsp) => deliver(b.items, rsp),
      (e: unknown) => b.items.forEach((i) => i.reject(e)),
    );
  }
}

/** RFC 9483 §5.2.2.2: answers are matched by transactionID and recipNonce; odd ones are dropped. */
function deliver(items: Waiting[], rsp: DecodedMessage): void {
  let inner: DecodedMessage[] = [];
  if (rsp.bodyType === "nested") {
    try {
      inner = decodeNested(rsp.message.body);
    } catch {
      inner = [];
    }
  }
  for (const i of items) {
    const a = inner.find((m) => {
      const h = m.message.header;
      return (
        hex(h.transactionID) === i.tid && bytesEqual(h.recipNonce && new Uint8Array(h.recipNonce), i.nonce)
      );
    });
    if (a) i.resolve(a);
    else if (rsp.bodyType === "error")
      i.reject(new CmpError("systemFailure", "the upstream refused the batch"));
    else
      i.reject(new CmpError("systemFailure", "the upstream's nested answer holds no answer to this request"));
  }
}
