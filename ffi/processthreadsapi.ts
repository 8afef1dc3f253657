// kernel32.dll functions of um/processthreadsapi.h.
import type { NativeLibrary } from './libraries.ts';
import type { NativeFunction, TypeSpec } from './native-function.ts';
import { HANDLE } from './types.ts';

export interface Processthreadsapi {
  /** NULL on failure. */
  OpenProcess: NativeFunction<[dwDesiredAccess: number, bInheritHandle: number, dwProcessId: number], bigint | null>;
}

export function declareProcessthreadsapi(lib: NativeLibrary): Processthreadsapi {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) =>
    lib.func('__stdcall', name, result, params);
  return {
    OpenProcess: stdcall('OpenProcess', HANDLE, ['uint32', 'int32', 'uint32']),
  } as Processthreadsapi;
}
