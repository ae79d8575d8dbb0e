// The long HTTP fuzz run: mutated real PKIMessages against the demo CA in a child process, reporting
// counts of messages and outcomes, per mutation kind, and the server's peak RSS.
// Usage: node dist/bench/fuzz.js [seconds=60] [seed] [concurrency=4]
import { buildCorpus, runFuzz, startFuzzServer } from "../test/fuzz/fuzz-lib.js";

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 60);
  const seed = Number(process.argv[3] ?? Date.now() % 2 ** 31);
  const concurrency = Number(process.argv[4] ?? 4);
  const s = await startFuzzServer();
  try {
    const corpus = await buildCorpus(s);
    const r = await runFuzz(s, corpus, { seed, durationMs: seconds * 1000, concurrency });
    const stats = await s.stats();
    console.log(
      JSON.stringify(
        {
          seed,
          seconds,
          corpus: corpus.length,
          messages: r.messages,
          perSecond: Math.round(r.messages / seconds),
          outcomes: r.outcomes,
          byMutation: r.byMutation,
          baselineRssMB: Math.round(r.baselineRss / MB),
          peakRssMB: Math.round(r.peakRss / MB),
          finalRssMB: Math.round(stats.rss / MB),
          serverHttpErrors: stats.httpErrors,
          failures: r.failures,
        },
        null,
        2,
      ),
    );
    if (r.outcomes.http5xx + r.outcomes.badAnswer > 0) process.exitCode = 1;
  } finally {
    await s.stop();
  }
}

void main();
