// `lwcmp ocsp serve`: the OCSP responder of a configuration on its own listener (flags in, src/server out).
import type { Command } from "commander";
import { startOcspServer } from "../../server/index.js";

export function registerOcspCommands(program: Command): void {
  const ocsp = program
    .command("ocsp")
    .description("OCSP responder (RFC 6960, RFC 9919 pre-produced responses)");
  ocsp
    .command("serve")
    .description("answer OCSP requests for the CA of a configuration, from responses signed ahead of time")
    .requiredOption("--config <file>", "configuration file with ca and ocsp sections (lwcmp.yaml)")
    .option("--port <port>", "listen port (default: server.port of the configuration)", (v) => Number(v))
    .option("--host <host>", "listen address (default: server.host of the configuration)")
    .action(async (o: { config: string; port?: number; host?: string }) => {
      const s = await startOcspServer(o.config, { port: o.port, host: o.host });
      const stop = () => {
        void s.close().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      process.stdout.write(`lwcmp OCSP responder listening on ${s.url}\n`);
      await new Promise<never>(() => undefined);
    });
}
