// Root CA key rollover on disk (`lwcmp ca rollover`): new root and cross certificates written next to the
// configuration, which then offers them to genm rootCaCert (RFC 9483 §4.3.2).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { rolloverRoot } from "../ca/rollover.js";
import { ConfigError, loadConfig, requireCa, resolvePath } from "../config/load.js";
import { readCertificates, readPrivateKey } from "../config/materials.js";
import { exportPrivateKeyPem } from "../crypto/index.js";
import { toPem } from "../pki/pem.js";

export interface RolloverResult {
  /** Folder the new files went to: that of the configuration. */
  dir: string;
  files: string[];
  config: string;
}

export function rolloverConfiguredRoot(
  configPath: string,
  opts: { rootKey: string; rootCert?: string; alg?: string },
): RolloverResult {
  const loaded = loadConfig(configPath);
  const { ca } = requireCa(loaded.config, loaded.path);
  const last = ca.chain[ca.chain.length - 1];
  const rootPath = opts.rootCert ?? (last ? resolvePath(loaded.baseDir, last) : undefined);
  if (!rootPath)
    throw new ConfigError("no root certificate: give --root-cert or list the root last in ca.chain");
  const oldRoot = readCertificates(rootPath)[0]!;
  const r = rolloverRoot(oldRoot.der, readPrivateKey(opts.rootKey), { alg: opts.alg });
  const out: [string, string, boolean][] = [
    ["new-root-ca.crt", toPem(r.newWithNew, "CERTIFICATE"), false],
    ["new-root-ca.key", exportPrivateKeyPem(r.newKey), true],
    ["new-root-with-old.crt", toPem(r.newWithOld, "CERTIFICATE"), false],
    ["old-root-with-new.crt", toPem(r.oldWithNew, "CERTIFICATE"), false],
  ];
  for (const [name, content, secret] of out)
    writeFileSync(join(loaded.baseDir, name), content, { mode: secret ? 0o600 : 0o644 });
  const doc = parseDocument(readFileSync(loaded.path, "utf8"));
  doc.setIn(["ca", "rootUpdate"], {
    newWithNew: "new-root-ca.crt",
    newWithOld: "new-root-with-old.crt",
    oldWithNew: "old-root-with-new.crt",
  });
  writeFileSync(loaded.path, doc.toString());
  return { dir: loaded.baseDir, files: out.map(([n]) => n), config: loaded.path };
}
