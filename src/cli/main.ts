// lwcmp CLI entry point: wires the subcommands together and turns expected failures into plain words and
// the exit codes of exit.ts.
import { Command } from "commander";
import { registerMsgCommands } from "./commands/msg.js";
import { registerCaCommands, registerDemoCommand } from "./commands/ca.js";
import { registerClientCommands } from "./commands/client.js";
import { registerGenmCommand } from "./commands/genm.js";
import { registerRaCommands } from "./commands/ra.js";
import { registerConfigCommands } from "./commands/config.js";
import { EXIT, outcomeOf } from "./exit.js";

export function buildProgram(): Command {
  const program = new Command("lwcmp")
    .description("Lightweight CMP (RFC 9483) PKI: CA, RA and end-entity client")
    .version("0.1.0")
    .exitOverride()
    .showHelpAfterError("(add --help for the options and their values)");
  registerMsgCommands(program);
  registerConfigCommands(program);
  registerCaCommands(program);
  registerDemoCommand(program);
  registerClientCommands(program);
  registerGenmCommand(program);
  registerRaCommands(program);
  program.addHelpText(
    "after",
    "\nExit codes: 0 success, 1 refused by the server or a bad answer, 2 bad flags, values, files or\n" +
      "configuration, 3 transport failure or time limit, 70 internal error (docs/security.md).\n",
  );
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (e) {
    const { code, lines } = outcomeOf(e);
    for (const l of lines) process.stderr.write(`lwcmp: ${l}\n`);
    if (code === EXIT.internal && process.env.LWCMP_DEBUG) console.error(e);
    return code;
  }
}

process.exitCode = await main(process.argv.slice(2));
