// Stable native memory and callbacks, for what Windows may read or write after a call returns ERROR_IO_PENDING (an
// OVERLAPPED, a long operation's parameters and their strings): koffi copies JS values into temporary
// memory for the length of a call only. Also for buffers a DLL fills with pointers into themselves
// (GetStorageDependencyInformation's), and struct decoding at an offset of a Buffer.
import koffi from 'koffi';
import type { TypeSpec } from './native-function.ts';

export interface NativeMemory {
  /** Allocates `count` of `type` (zeroed by the caller through encode); the address as a bigint. */
  alloc(type: TypeSpec, count: number): bigint;
  free(pointer: bigint): void;
  encode(pointer: bigint, type: TypeSpec, value: unknown, count?: number): void;
  decode(pointer: bigint, type: TypeSpec, count?: number): unknown;
  sizeof(type: TypeSpec): number;
  /** The `size` bytes at `pointer`, without a copy (valid until the memory is freed). */
  view(pointer: bigint, size: number): ArrayBuffer;
  /** A JS function as a native function pointer of type `proto` (koffi.register); from another thread, koffi runs it on the main thread. */
  registerCallback(callback: (...args: never[]) => void, proto: TypeSpec): bigint;
  unregisterCallback(pointer: bigint): void;
}

export const nativeMemory: NativeMemory = {
  alloc: (type, count) => koffi.alloc(type, count) as unknown as bigint,
  free: (pointer) => koffi.free(pointer as never),
  encode: (pointer, type, value, count) => (count === undefined ? koffi.encode(pointer as never, type, value) : koffi.encode(pointer as never, type, value, count)),
  decode: (pointer, type, count) => (count === undefined ? koffi.decode(pointer as never, type) : koffi.decode(pointer as never, type, count)),
  sizeof: (type) => koffi.sizeof(type),
  view: (pointer, size) => koffi.view(pointer as never, size),
  registerCallback: (callback, proto) => koffi.register(callback as never, koffi.pointer(proto as never)) as unknown as bigint,
  unregisterCallback: (pointer) => koffi.unregister(pointer as never),
};

/** `size` bytes of zeroed native memory that does not move; free it with freeBytes(). */
export function allocBytes(size: number): bigint {
  const pointer = koffi.alloc('uint8', size) as unknown as bigint;
  bytesAt(pointer, size).fill(0);
  return pointer;
}

/** The `size` bytes at `pointer`, without a copy (valid until the memory is freed). */
export function bytesAt(pointer: bigint, size: number): Buffer {
  return Buffer.from(koffi.view(pointer, size));
}

export function freeBytes(pointer: bigint): void {
  koffi.free(pointer as never);
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

/** Writes `value` as the struct `type` at `offset` of `bytes`; throws a RangeError if it does not fit. */
export function encodeStruct(bytes: Buffer, offset: number, type: TypeSpec, value: unknown): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + koffi.sizeof(type) > bytes.length) {
    throw new RangeError(`a ${koffi.sizeof(type)}-byte struct at offset ${offset} does not fit in ${bytes.length} bytes`);
  }
  koffi.encode(bytes, offset, type, value);
}
