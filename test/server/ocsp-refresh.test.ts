// The OCSP refresh timer of a serving process: its pacer keeps a long refresh to a share of the event
// loop, and stopping the timer ends a refresh under way (src/server/ocsp.ts).
import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import type { OcspResponder } from "../../src/ocsp/responder.js";
import { dutyCyclePacer, startOcspRefresh } from "../../src/server/ocsp.js";
import type { LogEvent } from "../../src/server/log.js";

describe("OCSP refresh pacing", () => {
  it("pauses once 20 ms of work add up, as long as the work took (half of the time)", async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const pace = dutyCyclePacer();
      let done = false;
      await pace(5); // below the slice: no pause
      void pace(25).then(() => (done = true));
      mock.timers.tick(29);
      await Promise.resolve();
      assert.equal(done, false, "still paused after 29 of 30 ms");
      mock.timers.tick(1);
      await new Promise<void>((r) => setImmediate(r));
      assert.equal(done, true, "30 ms of work, 30 ms of pause");
      // A quarter share pauses three times the work.
      const quarter = dutyCyclePacer(0.25);
      let q = false;
      void quarter(20).then(() => (q = true));
      mock.timers.tick(59);
      await new Promise<void>((r) => setImmediate(r));
      assert.equal(q, false);
      mock.timers.tick(1);
      await new Promise<void>((r) => setImmediate(r));
      assert.equal(q, true);
    } finally {
      mock.timers.reset();
    }
  });

  it("stop ends a refresh under way at its next response, without logging a failure", async () => {
    let paced = 0;
    // Stands in for the responder's loop: 10 000 responses of 1 ms each, paced after each.
    const responder = {
      async refresh(pace?: (ms: number) => Promise<void>) {
        for (let i = 0; i < 10_000; i++) {
          await pace!(1);
          paced++;
        }
        return 10_000;
      },
    } as unknown as OcspResponder;
    const events: LogEvent[] = [];
    const timer = startOcspRefresh(responder, 60_000, (e) => events.push(e));
    await new Promise((r) => setTimeout(r, 30));
    timer.stop();
    await timer.first;
    assert.ok(paced > 0 && paced < 10_000, `the refresh ran and ended early (${paced} responses)`);
    assert.deepEqual(events, [], "a stopped refresh is no failure and no completed refresh");
  });
});
