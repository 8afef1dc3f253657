// kernel32.dll functions of um/processthreadsapi.h.
import type { NativeLibrary } from './libraries.ts';
import type { NativeFunction, TypeSpec } from './native-function.ts';
import { HANDLE } from './types.ts';

export interface Processthreadsapi {
  /** NULL on failure. */
  OpenProcess: NativeFunction<[dwDesiredAccess: number, bInheritHandle: number, dwProcessId: number], bigint | null>;
}

/**
 * The declarations of Processthreadsapi's functions, each made on first use (kernel32.ts gathers them with
 * declaredOnUse), keyed by name.
 */
export function processthreadsapiDeclarations(lib: NativeLibrary): Record<keyof Processthreadsapi, () => unknown> {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) => () => lib.func('__stdcall', name, result, params);
  return {
    OpenProcess: stdcall('OpenProcess', HANDLE, ['uint32', 'int32', 'uint32']),
  };
}
