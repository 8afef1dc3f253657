// kernel32.dll functions of um/WinBase.h. BOOL functions (see kernel32.ts).
import koffi from 'koffi';
import type { NativeLibrary } from './libraries.ts';
import type { NativeFunction, OutParameter, TypeSpec } from './native-function.ts';
import { HANDLE } from './types.ts';

export interface Winbase {
  /** Both strings end in a backslash: 'X:\' or 'C:\mnt\data\', and '\\?\Volume{GUID}\'. */
  SetVolumeMountPointW: NativeFunction<[lpszVolumeMountPoint: string, lpszVolumeName: string], number>;
  /** lpdwSize: the buffer's size in WCHARs in, the characters written (without the NUL) out. */
  QueryFullProcessImageNameW: NativeFunction<
    [hProcess: bigint, dwFlags: number, lpExeName: Buffer, lpdwSize: OutParameter<number>],
    number
  >;
}

/**
 * The declarations of Winbase's functions, each made on first use (kernel32.ts gathers them with
 * declaredOnUse), keyed by name.
 */
export function winbaseDeclarations(lib: NativeLibrary): Record<keyof Winbase, () => unknown> {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) => () => lib.func('__stdcall', name, result, params);
  return {
    SetVolumeMountPointW: stdcall('SetVolumeMountPointW', 'int32', ['const char16_t *', 'const char16_t *']),
    QueryFullProcessImageNameW: stdcall('QueryFullProcessImageNameW', 'int32', [
      HANDLE, 'uint32', 'void *', koffi.inout(koffi.pointer('uint32')),
    ]),
  };
}
