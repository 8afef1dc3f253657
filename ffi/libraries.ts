// Where the native libraries come from. By default: System32, by absolute path, so that a planted
// virtdisk.dll next to the program is never picked up. setLibraryLoader() is the one seam through which
// tests put other libraries in their place; nothing else (no environment variable) changes this.
import koffi from 'koffi';
import type { TypeSpec } from './native-function.ts';

export type DllName = 'virtdisk' | 'kernel32' | 'advapi32' | 'rstrtmgr';

/** What the declarations need of a loaded library: koffi's `func(convention, name, result, params)`. */
export interface NativeLibrary {
  func(convention: string, name: string, result: TypeSpec, params: TypeSpec[]): unknown;
}

export type LibraryLoader = (dll: DllName) => NativeLibrary;

let systemDirectory: string | undefined;

/** The System32 directory, asked of Windows itself (GetSystemDirectoryW), never of the environment. */
export function getSystemDirectory(): string {
  if (systemDirectory !== undefined) return systemDirectory;
  assertWindows();
  // kernel32 is a KnownDLL: Windows maps it from System32 whatever the search path says.
  const bootstrap = koffi.load('kernel32.dll');
  const GetSystemDirectoryW = bootstrap.func('__stdcall', 'GetSystemDirectoryW', 'uint32', ['void *', 'uint32']);
  const buffer = Buffer.alloc(2 * 520);
  const length = GetSystemDirectoryW(buffer, 520) as number;
  if (length === 0 || length >= 520) throw new Error('GetSystemDirectoryW failed');
  systemDirectory = buffer.toString('utf16le', 0, 2 * length);
  return systemDirectory;
}

export function systemLibraryPath(dll: DllName): string {
  return `${getSystemDirectory()}\\${dll}.dll`;
}

/** The default loader: `<System32>\<dll>.dll`, by absolute path. */
export function loadSystemLibrary(dll: DllName): NativeLibrary {
  assertWindows();
  return koffi.load(systemLibraryPath(dll));
}

function assertWindows(): void {
  if (process.platform !== 'win32') {
    throw Object.assign(new Error(`virtdisk.dll exists only on Windows, not on ${process.platform}`), {
      code: 'ERR_UNSUPPORTED_PLATFORM',
    });
  }
}

/** koffi's resident_async_pools: asynchronous calls beyond it allocate and free their call memory each time. */
export function residentAsyncPools(): number {
  return koffi.config().resident_async_pools ?? 8;
}
