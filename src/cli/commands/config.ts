// `lwcmp config check FILE`: the configuration check of src/config/check.ts, one line per problem.
import type { Command } from "commander";
import { ConfigCheckError, checkConfigFile } from "../../config/check.js";

export function registerConfigCommands(program: Command): void {
  const config = program.command("config").description("work with configuration files");
  config
    .command("check")
    .description(
      "check a configuration completely: schema, names, key types, patterns, files, keys against " +
        "their certificates, chains, shared secrets; prints ok or one line per problem",
    )
    .argument("<file>", "configuration file (lwcmp.yaml)")
    .action(async (file: string) => {
      const { problems, warnings } = await checkConfigFile(file);
      for (const w of warnings) process.stderr.write(`lwcmp: ${file}: warning: ${w}\n`);
      if (problems.length > 0) throw new ConfigCheckError(file, problems);
      process.stdout.write("ok\n");
    });
}
