// kernel32.dll functions of um/fileapi.h: opening devices, volumes and their mount points. BOOL and HANDLE
// functions set the thread's last error (see kernel32.ts).
import koffi from 'koffi';
import type { NativeLibrary } from './libraries.ts';
import type { NativeFunction, OutParameter, TypeSpec } from './native-function.ts';
import { HANDLE } from './types.ts';

export interface Fileapi {
  /** Returns INVALID_HANDLE_VALUE (0xFFFFFFFFFFFFFFFFn) on failure. */
  CreateFileW: NativeFunction<
    [
      lpFileName: string,
      dwDesiredAccess: number,
      dwShareMode: number,
      lpSecurityAttributes: null,
      dwCreationDisposition: number,
      dwFlagsAndAttributes: number,
      hTemplateFile: null,
    ],
    bigint | null
  >;
  /** Returns INVALID_HANDLE_VALUE on failure. The name has its trailing backslash. */
  FindFirstVolumeW: NativeFunction<[lpszVolumeName: Buffer, cchBufferLength: number], bigint | null>;
  /** FALSE with ERROR_NO_MORE_FILES (18) at the end. */
  FindNextVolumeW: NativeFunction<[hFindVolume: bigint, lpszVolumeName: Buffer, cchBufferLength: number], number>;
  FindVolumeClose: NativeFunction<[hFindVolume: bigint], number>;
  /** MULTI_SZ; FALSE with ERROR_MORE_DATA (234) and the size needed, in WCHARs, in lpcchReturnLength. */
  GetVolumePathNamesForVolumeNameW: NativeFunction<
    [lpszVolumeName: string, lpszVolumePathNames: Buffer | null, cchBufferLength: number, lpcchReturnLength: OutParameter<number>],
    number
  >;
  GetVolumeNameForVolumeMountPointW: NativeFunction<
    [lpszVolumeMountPoint: string, lpszVolumeName: Buffer, cchBufferLength: number],
    number
  >;
  DeleteVolumeMountPointW: NativeFunction<[lpszVolumeMountPoint: string], number>;
  /** Bit n set: drive letter 'A' + n is in use. */
  GetLogicalDrives: NativeFunction<[], number>;
}

/**
 * The declarations of Fileapi's functions, each made on first use (kernel32.ts gathers them with
 * declaredOnUse), keyed by name.
 */
export function fileapiDeclarations(lib: NativeLibrary): Record<keyof Fileapi, () => unknown> {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) => () => lib.func('__stdcall', name, result, params);
  return {
    CreateFileW: stdcall('CreateFileW', HANDLE, ['const char16_t *', 'uint32', 'uint32', 'void *', 'uint32', 'uint32', HANDLE]),
    FindFirstVolumeW: stdcall('FindFirstVolumeW', HANDLE, ['void *', 'uint32']),
    FindNextVolumeW: stdcall('FindNextVolumeW', 'int32', [HANDLE, 'void *', 'uint32']),
    FindVolumeClose: stdcall('FindVolumeClose', 'int32', [HANDLE]),
    GetVolumePathNamesForVolumeNameW: stdcall('GetVolumePathNamesForVolumeNameW', 'int32', [
      'const char16_t *', 'void *', 'uint32', koffi.out(koffi.pointer('uint32')),
    ]),
    GetVolumeNameForVolumeMountPointW: stdcall('GetVolumeNameForVolumeMountPointW', 'int32', ['const char16_t *', 'void *', 'uint32']),
    DeleteVolumeMountPointW: stdcall('DeleteVolumeMountPointW', 'int32', ['const char16_t *']),
    GetLogicalDrives: stdcall('GetLogicalDrives', 'uint32', []),
  };
}
