// Entry of a worker process forked by `lwcmp serve --workers N` (src/server/cluster.ts); a failure to
// start is one line on stderr and exit code 1 (the primary reports that the worker did not listen).
import { runWorker } from "./cluster.js";

try {
  await runWorker(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`lwcmp worker: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
