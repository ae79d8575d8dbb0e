// Growing-buffer DER writer: constructed elements reserve one length octet and are back-patched
// (moving the contents when the final length needs the long form), so nothing is encoded twice.

/** Writes DER into one growing buffer; `finish()` returns the encoding. */
export class DerWriter {
  private buf: Uint8Array;
  private pos = 0;

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(initialSize);
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Raw, already encoded bytes (e.g. a certificate or a name as received). */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
    return this;
  }

  /** A primitive element with the given contents. */
  primitive(tag: number, content: Uint8Array): this {
    this.header(tag, content.length);
    return this.raw(content);
  }

  /** A constructed element whose contents `body` writes. */
  constructed(tag: number, body: (w: this) => void): this {
    this.reserve(2);
    this.buf[this.pos++] = tag;
    const lengthAt = this.pos++;
    body(this);
    const length = this.pos - lengthAt - 1;
    if (length < 0x80) {
      this.buf[lengthAt] = length;
      return this;
    }
    const n = lengthOctets(length);
    this.reserve(n);
    // Move the contents right to make room for the long-form length octets.
    this.buf.copyWithin(lengthAt + 1 + n, lengthAt + 1, this.pos);
    this.pos += n;
    writeLength(this.buf, lengthAt, length, n);
    return this;
  }

  sequence(body: (w: this) => void): this {
    return this.constructed(0x30, body);
  }

  /** INTEGER from big-endian two's-complement bytes, given minimal by the caller. */
  integerBytes(value: Uint8Array): this {
    return this.primitive(0x02, value);
  }

  /** INTEGER from a small non-negative number. */
  smallInteger(value: number): this {
    const bytes: number[] = [];
    let v = value;
    do {
      bytes.unshift(v & 0xff);
      v = Math.floor(v / 256);
    } while (v > 0);
    if (bytes[0]! & 0x80) bytes.unshift(0);
    return this.primitive(0x02, Uint8Array.from(bytes));
  }

  /** BIT STRING with no unused bits. */
  bitString(value: Uint8Array): this {
    this.header(0x03, value.length + 1);
    this.reserve(1);
    this.buf[this.pos++] = 0;
    return this.raw(value);
  }

  private header(tag: number, length: number): void {
    this.reserve(6);
    this.buf[this.pos++] = tag;
    if (length < 0x80) {
      this.buf[this.pos++] = length;
      return;
    }
    const n = lengthOctets(length);
    writeLength(this.buf, this.pos, length, n);
    this.pos += n + 1;
  }

  /** The encoding written so far (a copy sized to fit). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function lengthOctets(length: number): number {
  let n = 0;
  for (let l = length; l > 0; l = Math.floor(l / 256)) n++;
  return n;
}

/** Long-form length: 0x80|n at `at`, then n big-endian octets. */
function writeLength(buf: Uint8Array, at: number, length: number, n: number): void {
  buf[at] = 0x80 | n;
  let l = length;
  for (let i = n; i >= 1; i--) {
    buf[at + i] = l & 0xff;
    l = Math.floor(l / 256);
  }
}
