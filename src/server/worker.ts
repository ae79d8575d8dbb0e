// Entry of a worker process forked by `lwcmp serve --workers N` (src/server/cluster.ts).
import { runWorker } from "./cluster.js";

await runWorker(process.argv.slice(2));
