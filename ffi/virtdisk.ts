// virtdisk.dll, as declared in um/virtdisk.h. Every function returns its Win32 error code.
import koffi from 'koffi';
import type { NativeLibrary } from './libraries.ts';
import type { NativeFunction, OutParameter, TypeSpec } from './native-function.ts';
import {
  ATTACH_VIRTUAL_DISK_PARAMETERS,
  HANDLE,
  OPEN_VIRTUAL_DISK_PARAMETERS,
  PSECURITY_DESCRIPTOR,
  VIRTUAL_STORAGE_TYPE,
  type AttachVirtualDiskParametersValue,
  type OpenVirtualDiskParametersValue,
  type VirtualStorageTypeValue,
} from './types.ts';

export interface Virtdisk {
  OpenVirtualDisk: NativeFunction<
    [
      VirtualStorageType: VirtualStorageTypeValue,
      Path: string,
      VirtualDiskAccessMask: number,
      Flags: number,
      Parameters: OpenVirtualDiskParametersValue | null,
      Handle: OutParameter<bigint | null>,
    ],
    number
  >;
  AttachVirtualDisk: NativeFunction<
    [
      VirtualDiskHandle: bigint,
      SecurityDescriptor: bigint | null,
      Flags: number,
      ProviderSpecificFlags: number,
      Parameters: AttachVirtualDiskParametersValue | null,
      Overlapped: null,
    ],
    number
  >;
  DetachVirtualDisk: NativeFunction<[VirtualDiskHandle: bigint, Flags: number, ProviderSpecificFlags: number], number>;
  GetVirtualDiskPhysicalPath: NativeFunction<
    [VirtualDiskHandle: bigint, DiskPathSizeInBytes: OutParameter<number>, DiskPath: Buffer | null],
    number
  >;
  /** No reference page; MULTI_SZ, sizes in bytes, ERROR_INSUFFICIENT_BUFFER with the size needed. */
  GetAllAttachedVirtualDiskPhysicalPaths: NativeFunction<
    [PathsBufferSizeInBytes: OutParameter<number>, PathsBuffer: Buffer | null],
    number
  >;
  /**
   * StorageDependencyInfo: stable memory (a bigint from ffi's allocBytes), its Version written first; the
   * TYPE_2 entries' strings point into it. ERROR_INSUFFICIENT_BUFFER with the size needed in SizeUsed.
   */
  GetStorageDependencyInformation: NativeFunction<
    [
      ObjectHandle: bigint,
      Flags: number,
      StorageDependencyInfoSize: number,
      StorageDependencyInfo: bigint,
      SizeUsed: OutParameter<number> | null,
    ],
    number
  >;
}

export function declareVirtdisk(lib: NativeLibrary): Virtdisk {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) =>
    lib.func('__stdcall', name, result, params);
  return {
    OpenVirtualDisk: stdcall('OpenVirtualDisk', 'uint32', [
      koffi.pointer(VIRTUAL_STORAGE_TYPE),
      'const char16_t *',
      'uint32',
      'uint32',
      koffi.pointer(OPEN_VIRTUAL_DISK_PARAMETERS),
      koffi.out(koffi.pointer(HANDLE)),
    ]),
    AttachVirtualDisk: stdcall('AttachVirtualDisk', 'uint32', [
      HANDLE,
      PSECURITY_DESCRIPTOR,
      'uint32',
      'uint32',
      koffi.pointer(ATTACH_VIRTUAL_DISK_PARAMETERS),
      'void *',
    ]),
    DetachVirtualDisk: stdcall('DetachVirtualDisk', 'uint32', [HANDLE, 'uint32', 'uint32']),
    GetVirtualDiskPhysicalPath: stdcall('GetVirtualDiskPhysicalPath', 'uint32', [
      HANDLE,
      koffi.inout(koffi.pointer('uint32')),
      'void *',
    ]),
    GetAllAttachedVirtualDiskPhysicalPaths: stdcall('GetAllAttachedVirtualDiskPhysicalPaths', 'uint32', [
      koffi.inout(koffi.pointer('uint32')),
      'void *',
    ]),
    GetStorageDependencyInformation: stdcall('GetStorageDependencyInformation', 'uint32', [
      HANDLE,
      'uint32',
      'uint32',
      'void *',
      koffi.inout(koffi.pointer('uint32')),
    ]),
  } as Virtdisk;
}
