// kernel32.dll functions of um/ioapiset.h. DeviceIoControl is a BOOL function (see kernel32.ts).
import koffi from 'koffi';
import type { NativeLibrary } from './libraries.ts';
import type { NativeFunction, OutParameter, TypeSpec } from './native-function.ts';
import { HANDLE } from './types.ts';

export interface Ioapiset {
  DeviceIoControl: NativeFunction<
    [
      hDevice: bigint,
      dwIoControlCode: number,
      lpInBuffer: Buffer | bigint | null,
      nInBufferSize: number,
      lpOutBuffer: Buffer | bigint | null,
      nOutBufferSize: number,
      lpBytesReturned: OutParameter<number> | null,
      /** An OVERLAPPED's address (stable memory), for a handle opened with FILE_FLAG_OVERLAPPED. */
      lpOverlapped: bigint | null,
    ],
    number
  >;
}

/**
 * The declarations of Ioapiset's functions, each made on first use (kernel32.ts gathers them with
 * declaredOnUse), keyed by name.
 */
export function ioapisetDeclarations(lib: NativeLibrary): Record<keyof Ioapiset, () => unknown> {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) => () => lib.func('__stdcall', name, result, params);
  return {
    DeviceIoControl: stdcall('DeviceIoControl', 'int32', [
      HANDLE, 'uint32', 'void *', 'uint32', 'void *', 'uint32', koffi.out(koffi.pointer('uint32')), 'void *',
    ]),
  };
}
