// The server's log: one JSON object per line on stderr, stamped with the time.
import type { CaLogEvent } from "../ca/authority.js";

export type LogEvent = CaLogEvent;

export function logLine(e: LogEvent): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
}
