// kernel32.dll. BOOL functions set the thread's last error: read it with GetLastError on the same thread,
// right after the call (koffi.errno() is the C runtime's errno, not the Win32 last error).
import koffi from 'koffi';
import type { NativeLibrary } from './libraries.ts';
import type { NativeFunction, TypeSpec } from './native-function.ts';
import { HANDLE } from './types.ts';
import { declareFileapi, type Fileapi } from './fileapi.ts';
import { declareIoapiset, type Ioapiset } from './ioapiset.ts';
import { declareProcessthreadsapi, type Processthreadsapi } from './processthreadsapi.ts';
import { declareWinbase, type Winbase } from './winbase.ts';

/** kernel32's functions: these, and those of one file per header (fileapi.ts, ioapiset.ts, WinBase.h, processthreadsapi.h). */
export interface Kernel32 extends Fileapi, Ioapiset, Winbase, Processthreadsapi {
  CloseHandle: NativeFunction<[hObject: bigint], number>;
  GetLastError: NativeFunction<[], number>;
  LocalFree: NativeFunction<[hMem: bigint], bigint | null>;
  FormatMessageW: NativeFunction<
    [
      dwFlags: number,
      lpSource: null,
      dwMessageId: number,
      dwLanguageId: number,
      lpBuffer: Buffer,
      nSize: number,
      Arguments: null,
    ],
    number
  >;
}

export function declareKernel32(lib: NativeLibrary): Kernel32 {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) =>
    lib.func('__stdcall', name, result, params);
  return {
    ...declareFileapi(lib),
    ...declareIoapiset(lib),
    ...declareWinbase(lib),
    ...declareProcessthreadsapi(lib),
    CloseHandle: stdcall('CloseHandle', 'int32', [HANDLE]),
    GetLastError: stdcall('GetLastError', 'uint32', []),
    LocalFree: stdcall('LocalFree', 'void *', ['void *']),
    FormatMessageW: stdcall('FormatMessageW', 'uint32', [
      'uint32',
      'void *',
      'uint32',
      'uint32',
      'void *',
      'uint32',
      'void *',
    ]),
  } as Kernel32;
}
