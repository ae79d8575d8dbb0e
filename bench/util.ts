// Benchmark helpers: operations per second over a time window, printed as a table.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (benchmarks run from dist/bench). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function rate(fn: () => unknown, ms = 1500): number {
  for (let i = 0; i < 50; i++) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

export async function rateAsync(fn: () => Promise<unknown>, ms = 3000, concurrency = 1): Promise<number> {
  for (let i = 0; i < 5; i++) await fn();
  let n = 0;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < ms) {
      await fn();
      n++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (n * 1000) / (performance.now() - start);
}

export function report(title: string, rows: [string, number, string][]): void {
  console.log(`\n${title}`);
  for (const [name, value, unit] of rows)
    console.log(`  ${name.padEnd(58)} ${value.toFixed(0).padStart(8)} ${unit}`);
}
