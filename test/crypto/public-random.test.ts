// publicRandom (src/crypto/public-random.ts): slices of CSPRNG blocks for public values. No two values
// share bytes, every length is served (also past a block), and the bytes look uniform.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { publicRandom } from "../../src/crypto/index.js";

describe("publicRandom", () => {
  it("hands out distinct values of the asked length across many blocks", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const v = publicRandom(16);
      assert.equal(v.length, 16);
      seen.add(Buffer.from(v).toString("hex"));
    }
    assert.equal(seen.size, 5000);
    assert.equal(publicRandom(0).length, 0);
    assert.equal(publicRandom(10_000).length, 10_000);
  });

  it("gives copies: changing one value changes no later one", () => {
    const a = publicRandom(32);
    a.fill(0);
    const b = publicRandom(32);
    assert.ok(b.some((x) => x !== 0));
  });

  it("has bytes spread like uniform random ones (chi-square over 256 000 bytes)", () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 16_000; i++) for (const b of publicRandom(16)) counts[b]!++;
    const expected = 1000;
    const chi = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 255 degrees of freedom: above 400 happens by chance about once in 10^8 runs.
    assert.ok(chi < 400, `chi-square ${chi.toFixed(1)}`);
  });
});
