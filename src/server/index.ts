// The server's public face: run a configured CA, make or prepare the demo PKI, roll the root over.
export {
  startServer,
  ListenError,
  openConfiguredStore,
  resolveStoreUrl,
  type RunningServer,
  type ServerOverrides,
  startOcspServer,
  type RunningOcspServer,
} from "./compose.js";
export { cachingHeaders, ocspMount, ocspResponderFromConfig, OCSP_PATH, startOcspRefresh } from "./ocsp.js";
export { initDemo, prepareDemo, demoCommands, demoInstructions, DEMO_EE_DIR, type DemoInit } from "./demo.js";
export { logLine, type LogEvent } from "./log.js";
export { rolloverConfiguredRoot, type RolloverResult } from "./rollover.js";
export { startSweeper, sweepInterval } from "./sweeper.js";
export { openOperator, type OpenedOperator } from "./operator.js";
export { downloadMounts, type DownloadOptions } from "./crl-mount.js";
export { crlTickInterval, startCrlTimer, type CrlTimer } from "./crl-timer.js";
export { startCluster, defaultWorkers, type ClusterOptions, type RunningCluster } from "./cluster.js";
export { startRaServer, type RaOverrides, type RunningRa } from "./ra.js";
