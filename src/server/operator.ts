// The operator's calls on a configured CA without a running server: config -> materials -> store ->
// CaOperator, audited on the server's log.
import { CaOperator } from "../ca/operator.js";
import { loadConfig, requireCa } from "../config/load.js";
import { loadCaMaterials } from "../config/materials.js";
import { caPolicyFromConfig } from "../config/policy.js";
import { openStore } from "../store/open.js";
import { resolveStoreUrl } from "./compose.js";
import { logLine, type LogEvent } from "./log.js";

export interface OpenedOperator {
  operator: CaOperator;
  close(): Promise<void>;
}

export async function openOperator(
  configPath: string,
  opts: { log?: (e: LogEvent) => void } = {},
): Promise<OpenedOperator> {
  const loaded = loadConfig(configPath);
  const config = requireCa(loaded.config, loaded.path);
  const materials = loadCaMaterials(config, loaded.baseDir, loaded.path);
  const store = await openStore(resolveStoreUrl(config.store, loaded.baseDir));
  const operator = new CaOperator({
    materials,
    policy: caPolicyFromConfig(config),
    store,
    log: opts.log ?? logLine,
  });
  return { operator, close: () => store.close() };
}
