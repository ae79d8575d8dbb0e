// Loads and validates the configuration file; relative paths resolve against the file's folder.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ZodError } from "zod";
import { ConfigSchema, ProfileSchema, type Config, type ConfigDocument } from "./schema.js";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** One line per problem found (a configuration check, a schema refusal); else the message alone. */
  readonly problems: readonly string[];
  constructor(message: string, problems?: readonly string[]) {
    super(message);
    this.problems = problems ?? [message];
  }
}

export interface LoadedConfig {
  config: ConfigDocument;
  /** Folder of the configuration file: the base of relative paths. */
  baseDir: string;
  path: string;
}

export function loadConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new ConfigError(`cannot read configuration ${path}: ${code}`, [`cannot read the file: ${code}`]);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    const why = (e as Error).message.split("\n")[0]!;
    throw new ConfigError(`configuration ${path} is not valid YAML: ${why}`, [`not valid YAML: ${why}`]);
  }
  return { config: parseConfig(raw, path), baseDir: dirname(resolve(path)), path: resolve(path) };
}

export function parseConfig(raw: unknown, where = "configuration"): ConfigDocument {
  try {
    const config = ConfigSchema.parse(raw ?? {});
    if (!config.profiles.default) config.profiles.default = ProfileSchema.parse({});
    return config;
  } catch (e) {
    if (e instanceof ZodError) {
      const lines = e.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
      throw new ConfigError(`${where} is invalid:\n${lines.map((l) => `  ${l}`).join("\n")}`, lines);
    }
    throw e;
  }
}

/**
 * The configuration as one that runs a CA; a file without a `ca` section (an RA's, say) is refused in one line.
 * `path` names the file in the message.
 */
export function requireCa(config: ConfigDocument, path?: string): Config {
  const ca = config.ca;
  if (!ca) {
    throw new ConfigError(
      `configuration${path ? ` ${path}` : ""} has no \`ca\` section: running a CA needs ca.certificate and ca.key (see docs/configuration.md)`,
    );
  }
  return { ...config, ca };
}

export function resolvePath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

/** Resolves a secret reference: literal text, env:NAME or file:PATH. */
export function resolveSecret(baseDir: string, ref: string): Uint8Array {
  if (ref.startsWith("env:")) {
    const v = process.env[ref.slice(4)];
    if (v === undefined)
      throw new ConfigError(`environment variable ${ref.slice(4)} for a shared secret is not set`);
    return new TextEncoder().encode(v);
  }
  if (ref.startsWith("file:")) {
    const file = resolvePath(baseDir, ref.slice(5));
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new ConfigError(
        `cannot read shared secret file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      );
    }
    return new TextEncoder().encode(text.replace(/\r?\n$/, ""));
  }
  return new TextEncoder().encode(ref);
}
