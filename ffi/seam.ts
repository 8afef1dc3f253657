// The state behind setLibraryLoader(), in a module of its own that loads nothing native: the promise API
// asks it whether a test seam is installed before it loads koffi (which it does only on Windows otherwise).
import type { LibraryLoader } from './libraries.ts';

export interface SeamState {
  /** The loader set through setLibraryLoader(); undefined: System32's libraries. */
  loader: LibraryLoader | undefined;
  cached: unknown;
}

// One state per process, even when a module loader gives this file two instances (tsx compiles it for
// require() and for import() separately): the seam set through one must be the one the other uses.
export const seam: SeamState = ((globalThis as { [key: symbol]: SeamState | undefined })[Symbol.for('virtdisk.ffi.seam')] ??= {
  loader: undefined,
  cached: undefined,
});

/** Whether setLibraryLoader() put other libraries in place of System32's. */
export function libraryLoaderOverridden(): boolean {
  return seam.loader !== undefined;
}
