// The raw layer: koffi declarations one to one with the Windows SDK. Libraries load lazily, on first use.
import { declareAdvapi32, type Advapi32 } from './advapi32.ts';
import { declareKernel32, type Kernel32 } from './kernel32.ts';
import { loadSystemLibrary, type LibraryLoader } from './libraries.ts';
import { seam } from './seam.ts';
import { declareVirtdisk, type Virtdisk } from './virtdisk.ts';
import { declareRstrtmgr, type Rstrtmgr } from './rstrtmgr.ts';

export * from '../types/constants.ts';
export * from './types.ts';
export type { NativeFunction, OutParameter } from './native-function.ts';
export type { Advapi32 } from './advapi32.ts';
export type { Kernel32 } from './kernel32.ts';
export type { Virtdisk } from './virtdisk.ts';
export { libraryLoaderOverridden } from './seam.ts';
export { nativeMemory, type NativeMemory } from './memory.ts';
export { getSystemDirectory, loadSystemLibrary, residentAsyncPools, systemLibraryPath } from './libraries.ts';
export type { DllName, LibraryLoader, NativeLibrary } from './libraries.ts';
export { declareAdvapi32, declareKernel32, declareVirtdisk };
export * from './winioctl.ts';
export type { Fileapi } from './fileapi.ts';
export type { Ioapiset } from './ioapiset.ts';
export type { Winbase } from './winbase.ts';
export type { Processthreadsapi } from './processthreadsapi.ts';
export { declareRstrtmgr, FILETIME, RM_PROCESS_INFO, RM_UNIQUE_PROCESS, type Rstrtmgr } from './rstrtmgr.ts';
export { allocBytes, bytesAt, decodeStruct, encodeStruct, freeBytes, sizeOf } from './memory.ts';

export interface Bindings {
  virtdisk: Virtdisk;
  kernel32: Kernel32;
  advapi32: Advapi32;
  /** rstrtmgr.dll, loaded on first use (only when the library asks who holds a file). */
  readonly rstrtmgr: Rstrtmgr;
}

/** The declared functions, loading the libraries on first use. Throws off Windows (code ERR_UNSUPPORTED_PLATFORM). */
export function bindings(): Bindings {
  const loader = seam.loader ?? loadSystemLibrary;
  seam.cached ??= withLazyRstrtmgr({
    kernel32: declareKernel32(loader('kernel32')),
    advapi32: declareAdvapi32(loader('advapi32')),
    virtdisk: declareVirtdisk(loader('virtdisk')),
  }, loader);
  return seam.cached as Bindings;
}

function withLazyRstrtmgr(eager: Omit<Bindings, 'rstrtmgr'>, loader: LibraryLoader): Bindings {
  let rstrtmgr: Rstrtmgr | undefined;
  return Object.defineProperty(eager, 'rstrtmgr', {
    enumerable: true,
    get: () => (rstrtmgr ??= declareRstrtmgr(loader('rstrtmgr'))),
  }) as Bindings;
}

/**
 * The test seam: load these libraries instead of System32's (call with no argument to go back).
 * Takes effect on the next call into Windows.
 */
export function setLibraryLoader(next?: LibraryLoader): void {
  seam.loader = next === loadSystemLibrary ? undefined : next;
  seam.cached = undefined;
}
export {
  declareFmifs, FMIFS_CALLBACK, FMIFS_FORMATEX2_PARAM, loadFmifs, readFormatReport, readPacket, registerFormatCallback,
  unregisterFormatCallback, type Fmifs, type FormatExParam2Value,
} from './fmifs.ts';
