// lwcmp CLI entry point: wires the subcommands together and turns expected failures into plain words.
import { Command, CommanderError } from "commander";
import { CmpError } from "../cmp/errors.js";
import { registerMsgCommands } from "./commands/msg.js";
import { registerCaCommands, registerDemoCommand } from "./commands/ca.js";
import { registerClientCommands } from "./commands/client.js";
import { CmpClientError } from "../client/client.js";
import { ConfigError } from "../config/load.js";
import { CryptoError, UnsupportedAlgorithmError } from "../crypto/index.js";
import { CmpTransportError } from "../transport/http-client.js";
import { InputError } from "./input.js";
import { FormatError } from "../pki/pem.js";

export function buildProgram(): Command {
  const program = new Command("lwcmp")
    .description("Lightweight CMP (RFC 9483) PKI: CA, RA and end-entity client")
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError();
  registerMsgCommands(program);
  registerCaCommands(program);
  registerDemoCommand(program);
  registerClientCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof CmpError) {
      process.stderr.write(`lwcmp: ${e.statusString} [${e.failInfo.join(", ")}]\n`);
      return 1;
    }
    if (e instanceof CmpClientError) {
      process.stderr.write(`lwcmp: ${e.message}\n`);
      return 1;
    }
    if (
      e instanceof InputError ||
      e instanceof FormatError ||
      e instanceof ConfigError ||
      e instanceof CmpTransportError ||
      e instanceof CryptoError ||
      e instanceof UnsupportedAlgorithmError
    ) {
      process.stderr.write(`lwcmp: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`lwcmp: unexpected failure: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.LWCMP_DEBUG) console.error(e);
    return 70;
  }
}

process.exitCode = await main(process.argv.slice(2));
