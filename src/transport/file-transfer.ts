// File-based transfer of CMP messages (RFC 9483 §6.4): a folder carried between an LRA and the next PKI
// entity; each file holds the DER of one PKIMessage and nothing else, with the extension ".PKI".
// requests/<name>.PKI go up; responses/<name>.PKI (the same name) come back; answered requests move to
// requests/done/.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const REQUESTS = "requests";
export const RESPONSES = "responses";
export const DONE = "done";
/** RFC 9483 §6.4: the file type extension of a CMP message. */
export const EXTENSION = ".PKI";

/** The answer file is not there yet: the message waits on the other side of the transfer. */
export class AnswerPending extends Error {
  override readonly name = "AnswerPending";
}

/** The name of a message's file: the same bytes always get the same name (a resend is no new request). */
export function messageFileName(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex").slice(0, 32) + EXTENSION;
}

/** Writes a file so that a reader never sees half of it (temporary name, then rename). */
function writeAtomic(path: string, data: Uint8Array): void {
  const tmp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Transfer folders made in this process (a retry asks again every few seconds: made once). */
const made = new Set<string>();

function folders(dir: string): { requests: string; responses: string; done: string } {
  const requests = join(dir, REQUESTS);
  const responses = join(dir, RESPONSES);
  const done = join(requests, DONE);
  if (!made.has(dir) || !existsSync(done)) {
    for (const d of [requests, responses, done]) mkdirSync(d, { recursive: true });
    made.add(dir);
  }
  return { requests, responses, done };
}

/**
 * One exchange through the folder `dir`: the answer to `der` when it has come back, else the request
 * is left in requests/ (once) and AnswerPending is thrown; the caller asks again later.
 */
export function fileExchange(dir: string, der: Uint8Array): Uint8Array {
  const f = folders(dir);
  const name = messageFileName(der);
  const answer = join(f.responses, name);
  if (existsSync(answer)) return new Uint8Array(readFileSync(answer));
  if (!existsSync(join(f.requests, name)) && !existsSync(join(f.done, name))) {
    writeAtomic(join(f.requests, name), der);
  }
  throw new AnswerPending(`the answer to ${REQUESTS}/${name} has not come back through ${dir} yet`);
}

export interface TransferResult {
  answered: string[];
  failed: { name: string; reason: string }[];
}

/**
 * The other side of the folder: every request without an answer goes to `send` (a CMP server), its
 * answer is written to responses/ under the same name and the request moves to requests/done/.
 */
export async function answerTransferFolder(
  dir: string,
  send: (der: Uint8Array) => Promise<Uint8Array>,
): Promise<TransferResult> {
  const f = folders(dir);
  const result: TransferResult = { answered: [], failed: [] };
  const names = readdirSync(f.requests).filter((n) => n.endsWith(EXTENSION));
  for (const name of names.sort()) {
    if (existsSync(join(f.responses, name))) continue;
    try {
      const answer = await send(new Uint8Array(readFileSync(join(f.requests, name))));
      writeAtomic(join(f.responses, name), answer);
      renameSync(join(f.requests, name), join(f.done, name));
      result.answered.push(name);
    } catch (e) {
      result.failed.push({ name, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return result;
}
