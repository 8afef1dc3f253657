// Native memory the library's own code reads and writes: koffi's stable allocations (for buffers a DLL
// fills with pointers into themselves, such as GetStorageDependencyInformation's) and struct decoding at
// an offset. Not part of the SDK: the one place outside the declarations where koffi is used directly.
import koffi from 'koffi';
import type { TypeSpec } from './native-function.ts';

/** `size` bytes of zeroed native memory that does not move; free it with freeBytes(). */
export function allocBytes(size: number): bigint {
  const pointer = koffi.alloc('uint8', size) as bigint;
  bytesAt(pointer, size).fill(0);
  return pointer;
}

/** The `size` bytes at `pointer`, without a copy (valid until the memory is freed). */
export function bytesAt(pointer: bigint, size: number): Buffer {
  return Buffer.from(koffi.view(pointer, size));
}

export function freeBytes(pointer: bigint): void {
  koffi.free(pointer);
}

/** The struct `type` stored at `offset` of `bytes`; throws a RangeError if it does not fit. */
export function decodeStruct<T>(bytes: Buffer, offset: number, type: TypeSpec): T {
  if (!Number.isInteger(offset) || offset < 0 || offset + koffi.sizeof(type) > bytes.length) {
    throw new RangeError(`a ${koffi.sizeof(type)}-byte struct at offset ${offset} does not fit in ${bytes.length} bytes`);
  }
  return koffi.decode(bytes, offset, type) as T;
}

export function sizeOf(type: TypeSpec): number {
  return koffi.sizeof(type);
}
