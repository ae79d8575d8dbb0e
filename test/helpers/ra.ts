// An RA's policy and key material from an ra.yaml over the demo PKI files of a test CA, for the in-process
// RA tests (the files are written to a temporary folder only while they are read).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../../src/config/load.js";
import { loadRaMaterials, raPolicyFromConfig } from "../../src/config/ra-policy.js";
import type { RaPolicy } from "../../src/ra/policy.js";
import type { RaMaterials } from "../../src/ra/types.js";
import type { TestCa } from "./ca.js";

export function raFromYaml(t: TestCa, yaml: string): { policy: RaPolicy; materials: RaMaterials } {
  const config = parseConfig(parseYaml(yaml));
  const dir = mkdtempSync(join(tmpdir(), "lwcmp-ra-"));
  try {
    for (const [name, content] of Object.entries(t.files)) writeFileSync(join(dir, name), content);
    return { policy: raPolicyFromConfig(config), materials: loadRaMaterials(config, dir) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
