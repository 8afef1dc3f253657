// kernel32.dll. BOOL functions set the thread's last error: read it with GetLastError on the same thread,
// right after the call (koffi.errno() is the C runtime's errno, not the Win32 last error).
import koffi from 'koffi';
import type { NativeLibrary } from './libraries.ts';
import { declaredOnUse, type NativeFunction, type OutParameter, type TypeSpec } from './native-function.ts';
import { HANDLE, OVERLAPPED, WAITORTIMERCALLBACK } from './types.ts';
import { fileapiDeclarations, type Fileapi } from './fileapi.ts';
import { ioapisetDeclarations, type Ioapiset } from './ioapiset.ts';
import { processthreadsapiDeclarations, type Processthreadsapi } from './processthreadsapi.ts';
import { winbaseDeclarations, type Winbase } from './winbase.ts';

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
  // The asynchronous (OVERLAPPED) protocol: minwinbase.h / synchapi.h / ioapiset.h.
  CreateEventW: NativeFunction<[lpEventAttributes: null, bManualReset: number, bInitialState: number, lpName: null], bigint | null>;
  WaitForSingleObject: NativeFunction<[hHandle: bigint, dwMilliseconds: number], number>;
  WaitForMultipleObjects: NativeFunction<[nCount: number, lpHandles: bigint[], bWaitAll: number, dwMilliseconds: number], number>;
  /** Callback: a function pointer from registerCallback(…, WAITORTIMERCALLBACK), called on a thread-pool thread. */
  RegisterWaitForSingleObject: NativeFunction<
    [phNewWaitObject: OutParameter<bigint | null>, hObject: bigint, Callback: bigint, Context: null, dwMilliseconds: number, dwFlags: number],
    number
  >;
  UnregisterWaitEx: NativeFunction<[WaitHandle: bigint, CompletionEvent: bigint | null], number>;
  CancelIoEx: NativeFunction<[hFile: bigint, lpOverlapped: bigint | null], number>;
  GetOverlappedResult: NativeFunction<[hFile: bigint, lpOverlapped: bigint, lpNumberOfBytesTransferred: OutParameter<number>, bWait: number], number>;
}

export function declareKernel32(lib: NativeLibrary): Kernel32 {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) => () => lib.func('__stdcall', name, result, params);
  return declaredOnUse<Kernel32>('kernel32', {
    ...fileapiDeclarations(lib),
    ...ioapisetDeclarations(lib),
    ...winbaseDeclarations(lib),
    ...processthreadsapiDeclarations(lib),
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
    CreateEventW: stdcall('CreateEventW', HANDLE, ['void *', 'int32', 'int32', 'const char16_t *']),
    WaitForSingleObject: stdcall('WaitForSingleObject', 'uint32', [HANDLE, 'uint32']),
    WaitForMultipleObjects: stdcall('WaitForMultipleObjects', 'uint32', ['uint32', koffi.pointer(HANDLE), 'int32', 'uint32']),
    RegisterWaitForSingleObject: stdcall('RegisterWaitForSingleObject', 'int32', [
      koffi.out(koffi.pointer(HANDLE)), HANDLE, koffi.pointer(WAITORTIMERCALLBACK), 'void *', 'uint32', 'uint32',
    ]),
    UnregisterWaitEx: stdcall('UnregisterWaitEx', 'int32', [HANDLE, HANDLE]),
    CancelIoEx: stdcall('CancelIoEx', 'int32', [HANDLE, koffi.pointer(OVERLAPPED)]),
    GetOverlappedResult: stdcall('GetOverlappedResult', 'int32', [HANDLE, koffi.pointer(OVERLAPPED), koffi.out(koffi.pointer('uint32')), 'int32']),
  });
}
