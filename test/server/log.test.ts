// The server log (src/server/log.ts): one JSON line per event on stderr, in order, written at the end of
// the event-loop turn and at exit, so a process that exits right after logging loses no line.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, it } from "node:test";

const logModule = join(process.cwd(), "dist", "src", "server", "log.js");

function run(script: string): string[] {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stderr.split("\n").filter((l) => l.length > 0);
}

describe("server log", () => {
  it("writes the lines of one turn in order, each a JSON object with a time", () => {
    const lines = run(
      `const { logLine } = await import(${JSON.stringify(logModule)});
       for (let i = 0; i < 3; i++) logLine({ event: "issued", detail: String(i) });
       setTimeout(() => logLine({ event: "issued", detail: "later" }), 5);`,
    );
    const events = lines.map((l) => JSON.parse(l) as { time: string; detail: string });
    assert.deepEqual(
      events.map((e) => e.detail),
      ["0", "1", "2", "later"],
    );
    for (const e of events) assert.ok(!Number.isNaN(Date.parse(e.time)));
  });

  it("loses no line when the process exits in the same turn", () => {
    const lines = run(
      `const { logLine } = await import(${JSON.stringify(logModule)});
       logLine({ event: "internal-error", detail: "last words" });
       process.exit(0);`,
    );
    assert.equal(lines.length, 1);
    assert.equal((JSON.parse(lines[0]!) as { detail: string }).detail, "last words");
  });
});
