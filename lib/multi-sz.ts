// MULTI_SZ: UTF-16 strings, each ended by a NUL, the list ended by an empty string (a second NUL).

/**
 * The strings of a MULTI_SZ in the first `byteLength` bytes of `buffer` (bounded: a list that is not ended
 * inside them ends there). A single NUL-ended string reads as a list of one.
 */
export function readMultiSz(buffer: Buffer, byteLength: number): string[] {
  const end = Math.min(buffer.length, byteLength) & ~1;
  const strings: string[] = [];
  let start = 0;
  for (let at = 0; at < end; at += 2) {
    if (buffer.readUInt16LE(at) !== 0) continue;
    if (at === start) return strings; // the empty string: end of the list
    strings.push(buffer.toString('utf16le', start, at));
    start = at + 2;
  }
  if (start < end) strings.push(buffer.toString('utf16le', start, end)); // not ended inside the bound
  return strings;
}

/** A list as a MULTI_SZ (each string NUL-ended, then one more NUL). */
export function writeMultiSz(strings: readonly string[]): Buffer {
  return Buffer.from(`${strings.map((s) => `${s}\0`).join('')}\0`, 'utf16le');
}
