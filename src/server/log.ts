// The server's log: one JSON object per line on stderr, stamped with the time. Lines logged in one turn
// of the event loop leave in one write at its end (and at exit), not one system call per line.
import type { CaLogEvent } from "../ca/authority.js";

export type LogEvent = CaLogEvent;

let pending: string[] = [];
let scheduled = false;

function flush(): void {
  scheduled = false;
  if (pending.length === 0) return;
  const text = pending.join("");
  pending = [];
  process.stderr.write(text);
}

process.on("exit", flush);

export function logLine(e: LogEvent): void {
  pending.push(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}
