// Child process for the HTTP fuzz run: a demo CA served by startServer on an ephemeral port. It tells the
// parent its port and demo credentials over IPC and answers "rss" with its memory use and error count.
import { rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { certCacheSize } from "../../src/pki/path/types.js";
import { initDemo, startServer } from "../../src/server/index.js";

export interface FuzzServerReady {
  type: "ready";
  port: number;
  kid: string;
  secret: string;
  dir: string;
}
export interface FuzzServerStats {
  type: "stats";
  rss: number;
  httpErrors: number;
  /** Entries and bytes of the parsed-certificate cache. */
  certCache: { entries: number; bytes: number };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "lwcmp-fuzz-"));
  const demo = initDemo(dir, { port: 0 });
  let httpErrors = 0;
  const server = await startServer(demo.config, {
    port: 0,
    log: (e) => {
      if (e.event === "http-error") httpErrors++;
    },
  });
  const ready: FuzzServerReady = {
    type: "ready",
    port: server.port,
    kid: demo.kid,
    secret: demo.secret,
    dir,
  };
  process.send!(ready);
  process.on("message", (m) => {
    if (m === "rss") {
      const stats: FuzzServerStats = {
        type: "stats",
        rss: process.memoryUsage().rss,
        httpErrors,
        certCache: certCacheSize(),
      };
      process.send!(stats);
    } else if (m === "stop") {
      void server.close().then(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
}

void main();
