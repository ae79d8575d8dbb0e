#!/usr/bin/env node
// lwcmp command-line entry: checks the Node.js version, then runs the compiled CLI.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const MIN_MAJOR = 24;
const here = dirname(fileURLToPath(import.meta.url));
const major = Number(process.versions.node.split(".")[0]);

if (major < MIN_MAJOR) {
  // The project's devDependency `node` supplies Node 24; use it when present.
  const bundled = join(here, "..", "node_modules", "node", "bin", "node");
  if (process.env.LWCMP_NO_REEXEC !== "1" && existsSync(bundled)) {
    // Node's own flags (e.g. --max-semi-space-size) go to the new Node as well.
    const args = [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)];
    const child = spawn(bundled, args, {
      stdio: "inherit",
    });
    // Signals to this process are the child's (a service manager stops `lwcmp serve` with SIGTERM).
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
      process.on(sig, () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      });
    }
    child.on("error", (e) => {
      process.stderr.write(`lwcmp: cannot start ${bundled}: ${e.message}\n`);
      process.exit(70);
    });
    // The child's exit code, or 128 + the signal number when a signal ended it (as shells report it).
    child.on("exit", (code, signal) => {
      process.exit(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
    await new Promise(() => undefined);
  }
  process.stderr.write(
    `lwcmp: Node.js ${process.versions.node} is too old; lwcmp needs Node.js ${MIN_MAJOR} or newer ` +
      `(ML-DSA, ML-KEM and node:sqlite come with it).\n` +
      `Run it through npm (npm run lwcmp -- ARGS) after 'npm ci', which installs Node ${MIN_MAJOR} locally, ` +
      `or install Node.js ${MIN_MAJOR} LTS.\n`,
  );
  process.exit(2);
}

const main = join(here, "..", "dist", "src", "cli", "main.js");
if (!existsSync(main)) {
  process.stderr.write("lwcmp: not built yet; run 'npm run build' first.\n");
  process.exit(2);
}
await import(main);
