// Tests and benchmarks reach the server through src/server, never through the CLI (only test/cli may).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const CLI_IMPORT = /(?:from\s+|import\s*\(\s*)["'][^"']*\bsrc\/cli\//;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === "fixtures" || e.name === "vectors" ? [] : sources(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

describe("imports of src/cli", () => {
  it("the check recognises static and dynamic imports of the CLI", () => {
    const cli = ["src", "cli"].join("/"); // spelled apart so this file does not match itself
    assert.match(`import { x } from "../../${cli}/commands/ca.js";`, CLI_IMPORT);
    assert.match(`await import("../${cli}/main.js")`, CLI_IMPORT);
    assert.doesNotMatch(`import { x } from "../../src/server/index.js";`, CLI_IMPORT);
  });
  it("no test outside test/cli and no benchmark imports src/cli", () => {
    const files = [...sources(join(ROOT, "test")), ...sources(join(ROOT, "bench"))].filter(
      (f) => !relative(ROOT, f).startsWith(join("test", "cli")),
    );
    assert.ok(files.length > 10, `only ${files.length} sources found under ${ROOT}`);
    const offenders = files.filter((f) => CLI_IMPORT.test(readFileSync(f, "utf8")));
    assert.deepEqual(
      offenders.map((f) => relative(ROOT, f)),
      [],
    );
  });
});
