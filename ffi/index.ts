// The raw layer: koffi declarations one to one with the Windows SDK. Libraries load lazily, on first use.
import { declareAdvapi32, type Advapi32 } from './advapi32.ts';
import { declareKernel32, type Kernel32 } from './kernel32.ts';
import { loadSystemLibrary, type LibraryLoader } from './libraries.ts';
import { seam } from './seam.ts';
import { declareVirtdisk, type Virtdisk } from './virtdisk.ts';

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

export interface Bindings {
  virtdisk: Virtdisk;
  kernel32: Kernel32;
  advapi32: Advapi32;
}

/** The declared functions, loading the libraries on first use. Throws off Windows (code ERR_UNSUPPORTED_PLATFORM). */
export function bindings(): Bindings {
  const loader = seam.loader ?? loadSystemLibrary;
  seam.cached ??= {
    kernel32: declareKernel32(loader('kernel32')),
    advapi32: declareAdvapi32(loader('advapi32')),
    virtdisk: declareVirtdisk(loader('virtdisk')),
  } satisfies Bindings;
  return seam.cached as Bindings;
}

/**
 * The test seam: load these libraries instead of System32's (call with no argument to go back).
 * Takes effect on the next call into Windows.
 */
export function setLibraryLoader(next?: LibraryLoader): void {
  seam.loader = next === loadSystemLibrary ? undefined : next;
  seam.cached = undefined;
}
