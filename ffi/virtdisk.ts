// virtdisk.dll, as declared in um/virtdisk.h. Every function returns its Win32 error code.
import koffi from 'koffi';
import type { NativeLibrary } from './libraries.ts';
import { declaredOnUse, type NativeFunction, type OutParameter, type TypeSpec } from './native-function.ts';
import {
  ATTACH_VIRTUAL_DISK_PARAMETERS,
  COMPACT_VIRTUAL_DISK_PARAMETERS,
  CREATE_VIRTUAL_DISK_PARAMETERS,
  EXPAND_VIRTUAL_DISK_PARAMETERS,
  HANDLE,
  MERGE_VIRTUAL_DISK_PARAMETERS,
  OVERLAPPED,
  RESIZE_VIRTUAL_DISK_PARAMETERS,
  SET_VIRTUAL_DISK_INFO,
  VIRTUAL_DISK_PROGRESS,
  OPEN_VIRTUAL_DISK_PARAMETERS,
  PSECURITY_DESCRIPTOR,
  VIRTUAL_STORAGE_TYPE,
  type AttachVirtualDiskParametersValue,
  type OpenVirtualDiskParametersValue,
  type SetVirtualDiskInfoValue,
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
      /** The parameters as a value (koffi copies it for the call), or their address in stable memory. */
      Parameters: AttachVirtualDiskParametersValue | bigint | null,
      Overlapped: bigint | null,
    ],
    number
  >;
  DetachVirtualDisk: NativeFunction<[VirtualDiskHandle: bigint, Flags: number, ProviderSpecificFlags: number], number>;
  GetVirtualDiskPhysicalPath: NativeFunction<
    [VirtualDiskHandle: bigint, DiskPathSizeInBytes: OutParameter<number>, DiskPath: Buffer | null],
    number
  >;
  // The long operations take their parameters and OVERLAPPED as addresses of stable native memory
  // (koffi.alloc): Windows may use them after the call returns ERROR_IO_PENDING.
  CreateVirtualDisk: NativeFunction<
    [
      VirtualStorageType: VirtualStorageTypeValue,
      Path: bigint,
      VirtualDiskAccessMask: number,
      SecurityDescriptor: bigint | null,
      Flags: number,
      ProviderSpecificFlags: number,
      Parameters: bigint,
      Overlapped: bigint | null,
      Handle: OutParameter<bigint | null>,
    ],
    number
  >;
  /** VirtualDiskInfo: a buffer of *VirtualDiskInfoSize bytes with Version written at offset 0 (variable length). */
  GetVirtualDiskInformation: NativeFunction<
    [VirtualDiskHandle: bigint, VirtualDiskInfoSize: OutParameter<number>, VirtualDiskInfo: Buffer, SizeUsed: OutParameter<number> | null],
    number
  >;
  SetVirtualDiskInformation: NativeFunction<[VirtualDiskHandle: bigint, VirtualDiskInfo: SetVirtualDiskInfoValue], number>;
  GetVirtualDiskOperationProgress: NativeFunction<
    [VirtualDiskHandle: bigint, Overlapped: bigint, Progress: OutParameter<VirtualDiskProgressValue | Record<string, never>>],
    number
  >;
  ExpandVirtualDisk: NativeFunction<[VirtualDiskHandle: bigint, Flags: number, Parameters: bigint, Overlapped: bigint | null], number>;
  ResizeVirtualDisk: NativeFunction<[VirtualDiskHandle: bigint, Flags: number, Parameters: bigint, Overlapped: bigint | null], number>;
  CompactVirtualDisk: NativeFunction<[VirtualDiskHandle: bigint, Flags: number, Parameters: bigint | null, Overlapped: bigint | null], number>;
  MergeVirtualDisk: NativeFunction<[VirtualDiskHandle: bigint, Flags: number, Parameters: bigint, Overlapped: bigint | null], number>;
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

export interface VirtualDiskProgressValue {
  OperationStatus: number;
  CurrentValue: number | bigint;
  CompletionValue: number | bigint;
}

export function declareVirtdisk(lib: NativeLibrary): Virtdisk {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) => () => lib.func('__stdcall', name, result, params);
  return declaredOnUse<Virtdisk>('virtdisk', {
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
    CreateVirtualDisk: stdcall('CreateVirtualDisk', 'uint32', [
      koffi.pointer(VIRTUAL_STORAGE_TYPE),
      'const char16_t *',
      'uint32',
      PSECURITY_DESCRIPTOR,
      'uint32',
      'uint32',
      koffi.pointer(CREATE_VIRTUAL_DISK_PARAMETERS),
      koffi.pointer(OVERLAPPED),
      koffi.out(koffi.pointer(HANDLE)),
    ]),
    // PGET_VIRTUAL_DISK_INFO, declared as raw memory: the answer can be longer than the struct.
    GetVirtualDiskInformation: stdcall('GetVirtualDiskInformation', 'uint32', [
      HANDLE,
      koffi.inout(koffi.pointer('uint32')),
      'void *',
      koffi.out(koffi.pointer('uint32')),
    ]),
    SetVirtualDiskInformation: stdcall('SetVirtualDiskInformation', 'uint32', [HANDLE, koffi.pointer(SET_VIRTUAL_DISK_INFO)]),
    GetVirtualDiskOperationProgress: stdcall('GetVirtualDiskOperationProgress', 'uint32', [
      HANDLE,
      koffi.pointer(OVERLAPPED),
      koffi.out(koffi.pointer(VIRTUAL_DISK_PROGRESS)),
    ]),
    ExpandVirtualDisk: stdcall('ExpandVirtualDisk', 'uint32', [HANDLE, 'uint32', koffi.pointer(EXPAND_VIRTUAL_DISK_PARAMETERS), koffi.pointer(OVERLAPPED)]),
    ResizeVirtualDisk: stdcall('ResizeVirtualDisk', 'uint32', [HANDLE, 'uint32', koffi.pointer(RESIZE_VIRTUAL_DISK_PARAMETERS), koffi.pointer(OVERLAPPED)]),
    CompactVirtualDisk: stdcall('CompactVirtualDisk', 'uint32', [HANDLE, 'uint32', koffi.pointer(COMPACT_VIRTUAL_DISK_PARAMETERS), koffi.pointer(OVERLAPPED)]),
    MergeVirtualDisk: stdcall('MergeVirtualDisk', 'uint32', [HANDLE, 'uint32', koffi.pointer(MERGE_VIRTUAL_DISK_PARAMETERS), koffi.pointer(OVERLAPPED)]),
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
  });
}
