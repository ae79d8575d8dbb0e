// The published package: what `npm pack` ships, and that a separate project can install the tarball,
// type-check the docs/library.md examples against its declarations and run them as written.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { z } from "zod";
import { run, type RunResult } from "../helpers/demo.js";
import { tempDir } from "../helpers/openssl.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

const ExportTarget = z.union([z.string(), z.object({ types: z.string(), import: z.string() }).strict()]);
const PackageJson = z.object({
  name: z.string(),
  main: z.string(),
  types: z.string(),
  exports: z.record(z.string(), ExportTarget),
  files: z.array(z.string()),
  bin: z.record(z.string(), z.string()),
  scripts: z.record(z.string(), z.string()).default({}),
});
const PackReport = z.array(
  z.object({ filename: z.string(), files: z.array(z.object({ path: z.string() })).min(1) }),
);

const pkg = PackageJson.parse(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")));
const SUBPATHS = ["client", "ca", "ra", "ocsp", "cmp", "asn1", "crypto", "pki", "store"];

/** npm with the variables an enclosing `npm test` sets removed, so it behaves as in a user's shell. */
function npm(args: string[], cwd: string): Promise<RunResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith("npm_") || k.toLowerCase() === "npm_config_cache") env[k] = v;
  }
  return run("npm", args, { cwd, env, timeoutMs: 120_000 });
}

function node(args: string[], cwd: string): Promise<RunResult> {
  return run(process.execPath, args, { cwd, timeoutMs: 60_000 });
}

function ok(r: RunResult, what: string): string {
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Every runnable example of docs/library.md: ```ts title="NAME.mts" with its ```text title="NAME.mts output". */
function docExamples(): { name: string; code: string; output: string }[] {
  const md = readFileSync(join(ROOT, "docs", "library.md"), "utf8");
  const blocks = (lang: string, suffix: string) =>
    new Map(
      [
        ...md.matchAll(
          new RegExp("```" + lang + ' title="([\\w.-]+\\.mts)' + suffix + '"\\n([\\s\\S]*?)\\n```', "g"),
        ),
      ].map((m) => [m[1]!, m[2]!]),
    );
  const code = blocks("ts", "");
  const output = blocks("text", " output");
  assert.deepEqual([...output.keys()].sort(), [...code.keys()].sort(), "each example has one output block");
  return [...code].map(([name, c]) => ({ name, code: c, output: output.get(name)! }));
}

describe("npm pack", () => {
  it("ships the compiled library, the CLI and the docs, never tests, keys or secrets", async () => {
    const report = PackReport.parse(
      JSON.parse(ok(await npm(["pack", "--dry-run", "--json"], ROOT), "npm pack")),
    );
    const files = report[0]!.files.map((f) => f.path);
    const forbidden = files.filter(
      (f) =>
        /\.(key|pem|crt|cer|der|p12|secret|db|db-wal|tsbuildinfo)$/i.test(f) ||
        /^(dist\/(test|bench)|test|bench|src|node_modules)\//.test(f),
    );
    assert.deepEqual(forbidden, []);
    const shipped = new Set(files);
    const targets = [pkg.main, pkg.types, ...Object.values(pkg.bin)];
    for (const t of Object.values(pkg.exports))
      targets.push(...(typeof t === "string" ? [t] : [t.types, t.import]));
    const missing = targets.map((t) => t.replace(/^\.\//, "")).filter((t) => !shipped.has(t));
    assert.deepEqual(missing, []);
    assert.ok(shipped.has("dist/src/cli/main.js"), "the CLI the bin starts");
    assert.ok(shipped.has("README.md") && shipped.has("docs/library.md"));
  });

  it("exports the main entry, one subpath per layer or role and package.json", () => {
    assert.deepEqual(
      Object.keys(pkg.exports).sort(),
      [".", "./package.json", ...SUBPATHS.map((s) => `./${s}`)].sort(),
    );
  });

  it("needs no install scripts", () => {
    // A consumer's `npm install` runs these; the package needs none of them.
    const lifecycle = ["preinstall", "install", "postinstall", "prepare"].filter((s) => s in pkg.scripts);
    assert.deepEqual(lifecycle, []);
  });
});

describe("the packed tarball in a separate project", () => {
  const work = tempDir("lwcmp-pack-");
  const project = join(work.path, "project");
  before(async () => {
    const out = ok(await npm(["pack", "--json", "--pack-destination", work.path], ROOT), "npm pack");
    const tarball = join(work.path, PackReport.parse(JSON.parse(out))[0]!.filename);
    mkdirSync(project);
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "lwcmp-consumer", private: true, type: "module" }),
    );
    ok(
      await npm(["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], project),
      "npm install",
    );
  });
  after(() => work.cleanup());

  it("installs the package with its bin", () => {
    assert.ok(existsSync(join(project, "node_modules", "lwcmp", "dist", "src", "index.d.ts")));
    assert.ok(existsSync(join(project, "node_modules", ".bin", "lwcmp")));
    assert.ok(!existsSync(join(project, "node_modules", "lwcmp", "dist", "test")));
  });

  it("type-checks the docs/library.md examples against the installed declarations", async () => {
    const examples = docExamples();
    assert.ok(examples.length >= 3, `found ${examples.length} examples`);
    for (const e of examples) writeFileSync(join(project, e.name), `${e.code}\n`);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2023",
          lib: ["ES2023"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          // Node runs the .mts files by stripping types: only erasable syntax, type-only imports marked.
          verbatimModuleSyntax: true,
          erasableSyntaxOnly: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules", "@types")],
        },
        files: examples.map((e) => e.name),
      }),
    );
    ok(await node([TSC, "-p", "."], project), "tsc on the examples");
  });

  it("refuses, at type-check time, what the declarations do not allow", async () => {
    writeFileSync(
      join(project, "misuse.mts"),
      [
        'import { CmpClient } from "lwcmp";',
        'import { openStore } from "lwcmp/store";',
        'const store: string = await openStore("sqlite::memory:");',
        'new CmpClient({ send: async () => new Uint8Array(), credential: { kind: "mac", secret: "x" } });',
        "console.log(store);",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(project, "tsconfig.misuse.json"),
      JSON.stringify({ extends: "./tsconfig.json", files: ["misuse.mts"] }),
    );
    const r = await node([TSC, "-p", "tsconfig.misuse.json"], project);
    assert.notEqual(r.code, 0);
    assert.match(r.stdout, /misuse\.mts\(3,7\): error TS2322/);
    assert.match(r.stdout, /misuse\.mts\(4,\d+\): error TS/);
  });

  for (const e of docExamples()) {
    it(`runs ${e.name} as written`, async () => {
      writeFileSync(join(project, e.name), `${e.code}\n`);
      const stdout = ok(await node([e.name], project), e.name);
      assert.equal(stdout, `${e.output}\n`);
    });
  }

  it("keeps internals behind the exports map and starts the CLI", async () => {
    const deep = await node(
      ["--input-type=module", "-e", 'await import("lwcmp/dist/src/ca/issue.js")'],
      project,
    );
    assert.notEqual(deep.code, 0);
    assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/);
    const sub = await node(
      [
        "--input-type=module",
        "-e",
        'const m = await import("lwcmp/cmp"); console.log(typeof m.decodePKIMessage)',
      ],
      project,
    );
    assert.equal(ok(sub, "import lwcmp/cmp").trim(), "function");
    const roles = await node(
      [
        "--input-type=module",
        "-e",
        'const c = await import("lwcmp/ca"); const o = await import("lwcmp/ocsp"); console.log([c.CaOperator, c.CrlPublisher, o.OcspResponder].map((x) => typeof x).join())',
      ],
      project,
    );
    assert.equal(ok(roles, "import lwcmp/ca and lwcmp/ocsp").trim(), "function,function,function");
    const cli = await node([join(project, "node_modules", "lwcmp", "bin", "lwcmp.js"), "--version"], project);
    assert.equal(ok(cli, "lwcmp --version").trim(), "0.1.0");
  });
});
