// Stable native memory and callbacks, for what Windows may read or write after a call returns ERROR_IO_PENDING (an
// OVERLAPPED, a long operation's parameters and their strings): koffi copies JS values into temporary
// memory for the length of a call only.
import koffi from 'koffi';
import type { TypeSpec } from './native-function.ts';

export interface NativeMemory {
  /** Allocates `count` of `type` (zeroed by the caller through encode); the address as a bigint. */
  alloc(type: TypeSpec, count: number): bigint;
  free(pointer: bigint): void;
  encode(pointer: bigint, type: TypeSpec, value: unknown, count?: number): void;
  decode(pointer: bigint, type: TypeSpec, count?: number): unknown;
  sizeof(type: TypeSpec): number;
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
  registerCallback: (callback, proto) => koffi.register(callback as never, koffi.pointer(proto as never)) as unknown as bigint,
  unregisterCallback: (pointer) => koffi.unregister(pointer as never),
};
