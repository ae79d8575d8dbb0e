// The server's public face: run a configured CA, make or prepare the demo PKI, roll the root over.
export {
  startServer,
  openConfiguredStore,
  resolveStoreUrl,
  type RunningServer,
  type ServerOverrides,
} from "./compose.js";
export { initDemo, prepareDemo, demoCommands, demoInstructions, DEMO_EE_DIR, type DemoInit } from "./demo.js";
export { logLine, type LogEvent } from "./log.js";
export { rolloverConfiguredRoot, type RolloverResult } from "./rollover.js";
export { startSweeper, sweepInterval } from "./sweeper.js";
export { startCluster, defaultWorkers, type ClusterOptions, type RunningCluster } from "./cluster.js";
