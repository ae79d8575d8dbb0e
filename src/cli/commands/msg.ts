// `lwcmp msg show`: a readable, CMP-aware view of a PKIMessage file.
import type { Command } from "commander";
import { describeMessage, renderDescription } from "../../cmp/inspect.js";
import { CmpError } from "../../cmp/errors.js";
import { decodePKIMessage, type DecodedMessage } from "../../cmp/message.js";
import { InputError, readDerOrPem } from "../input.js";

/** A file that holds no PKIMessage is bad input (exit code 2), not a refusal. */
function decodeFile(der: Uint8Array, file: string): DecodedMessage {
  try {
    return decodePKIMessage(der);
  } catch (e) {
    if (e instanceof CmpError) throw new InputError(`${file}: ${e.statusString}`);
    throw e;
  }
}

export function registerMsgCommands(program: Command): void {
  const msg = program.command("msg").description("inspect CMP messages");
  msg
    .command("show")
    .description("print the header, body and protection of a PKIMessage (DER, PEM or base64)")
    .argument("<file>", "message file")
    .option("--json", "print a stable JSON form")
    .action(async (file: string, opts: { json?: boolean }) => {
      const der = await readDerOrPem(file);
      const decoded = decodeFile(der, file);
      const d = describeMessage(decoded);
      process.stdout.write(opts.json ? `${JSON.stringify(d, null, 2)}\n` : `${renderDescription(d)}\n`);
    });
}
