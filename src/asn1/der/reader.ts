// Zero-copy strict DER reader: TLVs are returned as subarrays of the input, never copied.
// Only DER is accepted: single-byte tags, definite and minimal lengths (X.690 §10.1).

export class DerSyntaxError extends Error {
  override readonly name = "DerSyntaxError";
}

/** One element: its tag, the whole TLV and its contents, both views into the input. */
export interface DerElement {
  readonly tag: number;
  /** Offset of the tag byte in the reader's input. */
  readonly start: number;
  /** The whole encoding (tag, length, contents). */
  readonly bytes: Uint8Array;
  /** The contents octets. */
  readonly content: Uint8Array;
}

/** Reads consecutive elements from `buf[start, end)`. */
export class DerReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  /** A reader over the contents of a constructed element. */
  static of(element: DerElement): DerReader {
    return new DerReader(element.content);
  }

  /** A reader over one element itself (to check its tag with `expect`). */
  static ofElement(element: DerElement): DerReader {
    return new DerReader(element.bytes);
  }

  get empty(): boolean {
    return this.pos >= this.end;
  }

  /** The tag of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.pos < this.end ? this.buf[this.pos] : undefined;
  }

  /** The next element; throws DerSyntaxError on anything that is not DER. */
  read(): DerElement {
    const { buf, end } = this;
    const start = this.pos;
    if (start + 2 > end) throw new DerSyntaxError("truncated element header");
    const tag = buf[start]!;
    if ((tag & 0x1f) === 0x1f) throw new DerSyntaxError("multi-byte tags are not supported");
    let pos = start + 1;
    const first = buf[pos++]!;
    let length = first;
    if (first === 0x80) throw new DerSyntaxError("indefinite length encoding is not DER");
    if (first > 0x80) {
      const n = first & 0x7f;
      if (n > 4) throw new DerSyntaxError("element length too large");
      if (pos + n > end) throw new DerSyntaxError("truncated length");
      if (buf[pos] === 0) throw new DerSyntaxError("length with a leading zero octet is not DER");
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + buf[pos++]!;
      if (length < 0x80) throw new DerSyntaxError("long-form length below 128 is not DER");
    }
    const contentEnd = pos + length;
    if (contentEnd > end) throw new DerSyntaxError("element extends past the end of the data");
    this.pos = contentEnd;
    return {
      tag,
      start: start,
      bytes: buf.subarray(start, contentEnd),
      content: buf.subarray(pos, contentEnd),
    };
  }

  /** The next element, which must carry `tag`. */
  expect(tag: number, what: string): DerElement {
    const e = this.read();
    if (e.tag !== tag) throw new DerSyntaxError(`${what}: expected tag 0x${hex(tag)}, found 0x${hex(e.tag)}`);
    return e;
  }

  /** The next element if it carries `tag`, else undefined (nothing consumed). */
  optional(tag: number): DerElement | undefined {
    return this.peekTag() === tag ? this.read() : undefined;
  }

  /** Every remaining element. */
  all(): DerElement[] {
    const out: DerElement[] = [];
    while (!this.empty) out.push(this.read());
    return out;
  }

  /** Throws unless every byte was consumed. */
  finish(what: string): void {
    if (!this.empty) throw new DerSyntaxError(`${this.end - this.pos} unexpected byte(s) after ${what}`);
  }
}

/** Reads exactly one element spanning all of `der`. */
export function readWhole(der: Uint8Array, what: string): DerElement {
  const r = new DerReader(der);
  const e = r.read();
  r.finish(what);
  return e;
}

function hex(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** Whether every element inside `der`, at every depth, is DER by the rules of `read` (tags, lengths). */
export function isStrictDerTree(der: Uint8Array, depth = 0): boolean {
  if (depth > 32) return false;
  try {
    const r = new DerReader(der);
    while (!r.empty) {
      const e = r.read();
      if (e.tag & 0x20 && !isStrictDerTree(e.content, depth + 1)) return false;
    }
    return true;
  } catch (e) {
    if (e instanceof DerSyntaxError) return false;
    throw e;
  }
}

/** INTEGER of at most three octets, minimal (X.690 §8.3.2), two's complement. */
export function smallInteger(c: Uint8Array, what: string): number {
  if (c.length === 0) throw new DerSyntaxError(`${what}: empty INTEGER`);
  if (c.length > 1 && ((c[0] === 0 && !(c[1]! & 0x80)) || (c[0] === 0xff && c[1]! & 0x80)))
    throw new DerSyntaxError(`${what}: an INTEGER with redundant leading octets is not DER`);
  if (c.length > 3) throw new DerSyntaxError(`${what}: INTEGER out of range`);
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return c[0]! & 0x80 ? v - 256 ** c.length : v;
}
