// The JSON shape of a PKIMessage description (see inspect.ts) and its rendering as indented text.

export type Json = string | number | boolean | null | Json[] | { [k: string]: Json | undefined };
export type MessageDescription = { [k: string]: Json | undefined };

/** Renders a description as indented text. */
export function renderDescription(d: MessageDescription, indent = ""): string {
  const lines: string[] = [];
  const put = (key: string, value: Json | undefined, pad: string) => {
    if (value === undefined) return;
    if (Array.isArray(value)) {
      if (value.length === 0) {
        lines.push(`${pad}${key}: (none)`);
        return;
      }
      if (value.every((v) => typeof v !== "object" || v === null)) {
        lines.push(`${pad}${key}: ${value.map((v) => String(v)).join(", ")}`);
        return;
      }
      lines.push(`${pad}${key}:`);
      value.forEach((v, i) => {
        if (v !== null && typeof v === "object" && !Array.isArray(v)) {
          lines.push(`${pad}  [${i}]`);
          for (const [k, vv] of Object.entries(v)) put(k, vv, `${pad}    `);
        } else put(`[${i}]`, v, `${pad}  `);
      });
      return;
    }
    if (value !== null && typeof value === "object") {
      lines.push(`${pad}${key}:`);
      for (const [k, v] of Object.entries(value)) put(k, v, `${pad}  `);
      return;
    }
    lines.push(`${pad}${key}: ${value === null ? "(absent)" : String(value)}`);
  };
  for (const [k, v] of Object.entries(d)) put(k, v, indent);
  return lines.join("\n");
}
