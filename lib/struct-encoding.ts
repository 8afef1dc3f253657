// The bytes of the SDK structs the library passes to virtdisk.dll, laid out at their x64 offsets (Windows SDK
// 10.0.22000 um/virtdisk.h; shared/reference/virtdisk-layouts-x64-full.txt), without koffi: a dry run shows them
// on any OS. Pointer members (PCWSTR) are written as 0: an address exists only in a real run; the field says
// what it would point to. The unit specs compare these bytes with koffi's own encoding of the same values
// through the ffi declarations, so the two cannot drift apart. Pure.
import * as sdk from '../types/constants.ts';
import type {
  AttachVirtualDiskParametersValue, CompactVirtualDiskParametersValue, GuidValue, MergeVirtualDiskParametersValue,
  OpenVirtualDiskParametersValue, ResizeVirtualDiskParametersValue, VirtualStorageTypeValue,
} from '../ffi/types.ts';
import type { CreateCall } from './rules/create.ts';

/** The SDK's scalar types, as the members are declared. */
export type FieldType = 'ULONG' | 'ULONGLONG' | 'BOOL' | 'GUID' | 'PCWSTR';

export interface EncodedField {
  /** The SDK member, union arm and nested struct dotted: 'Version2.ParentVirtualStorageType.DeviceId'. */
  name: string;
  /** Byte offset in the struct (x64). */
  offset: number;
  size: number;
  type: FieldType;
  /**
   * ULONG and BOOL: the number. ULONGLONG: decimal digits (a string, so JSON keeps all 64 bits). GUID:
   * '{EC984AEC-A0F9-47E9-901F-71415A66345B}'. PCWSTR: the text it points to, or null for NULL.
   */
  value: number | string | null;
  /** The SDK constant the value is, where one is named: 'VIRTUAL_STORAGE_TYPE_DEVICE_VHDX'. */
  constant?: string;
}

export interface EncodedStruct {
  /** The SDK type name: 'OPEN_VIRTUAL_DISK_PARAMETERS'. */
  type: string;
  /** sizeof on x64. */
  size: number;
  /** The struct's bytes, lower-case hex, two digits a byte; padding 0, pointer members 0 (see the file comment). */
  hex: string;
  /** The members written, in offset order. */
  fields: EncodedField[];
}

/** Writes members at their offsets into a zeroed struct, recording each for the description. */
class StructWriter {
  readonly #type: string;
  readonly #bytes: Buffer;
  readonly #fields: EncodedField[] = [];

  constructor(type: string, size: number) {
    this.#type = type;
    this.#bytes = Buffer.alloc(size);
  }

  ulong(name: string, offset: number, value: number, constant?: string): this {
    this.#bytes.writeUInt32LE(value >>> 0, offset);
    return this.#field({ name, offset, size: 4, type: 'ULONG', value: value >>> 0 }, constant);
  }

  bool(name: string, offset: number, value: number): this {
    this.#bytes.writeInt32LE(value | 0, offset);
    return this.#field({ name, offset, size: 4, type: 'BOOL', value: value | 0 }, value ? 'TRUE' : 'FALSE');
  }

  ulonglong(name: string, offset: number, value: bigint): this {
    this.#bytes.writeBigUInt64LE(BigInt.asUintN(64, value), offset);
    return this.#field({ name, offset, size: 8, type: 'ULONGLONG', value: BigInt.asUintN(64, value).toString() }, undefined);
  }

  guid(name: string, offset: number, value: GuidValue, constant?: string): this {
    this.#bytes.writeUInt32LE(value.Data1 >>> 0, offset);
    this.#bytes.writeUInt16LE(value.Data2 & 0xffff, offset + 4);
    this.#bytes.writeUInt16LE(value.Data3 & 0xffff, offset + 6);
    Buffer.from(Array.from(value.Data4).slice(0, 8)).copy(this.#bytes, offset + 8);
    return this.#field({ name, offset, size: 16, type: 'GUID', value: guidText(value) }, constant ?? guidConstant(value));
  }

  /** A PCWSTR member: 8 bytes of 0 here (no address in a dry run), and the text it points to. */
  pcwstr(name: string, offset: number, text: string | null): this {
    return this.#field({ name, offset, size: 8, type: 'PCWSTR', value: text }, text === null ? 'NULL' : undefined);
  }

  /** A VIRTUAL_STORAGE_TYPE member (or, with name '', the struct itself). */
  storageType(name: string, offset: number, value: VirtualStorageTypeValue): this {
    const member = (field: string) => (name ? `${name}.${field}` : field);
    this.ulong(member('DeviceId'), offset, value.DeviceId, constantName('VIRTUAL_STORAGE_TYPE_DEVICE_', value.DeviceId));
    return this.guid(member('VendorId'), offset + 4, value.VendorId, isZeroGuid(value.VendorId) ? 'VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN' : undefined);
  }

  done(): EncodedStruct {
    return { type: this.#type, size: this.#bytes.length, hex: this.#bytes.toString('hex'), fields: this.#fields };
  }

  #field(field: EncodedField, constant: string | undefined): this {
    this.#fields.push(constant === undefined ? field : { ...field, constant });
    return this;
  }
}

/** VIRTUAL_STORAGE_TYPE: 20 bytes; DeviceId @0, VendorId @4. */
export function encodeVirtualStorageType(value: VirtualStorageTypeValue): EncodedStruct {
  return new StructWriter('VIRTUAL_STORAGE_TYPE', 20).storageType('', 0, value).done();
}

/** OPEN_VIRTUAL_DISK_PARAMETERS: 44 bytes, the union at 4. */
export function encodeOpenVirtualDiskParameters(value: OpenVirtualDiskParametersValue): EncodedStruct {
  const writer = new StructWriter('OPEN_VIRTUAL_DISK_PARAMETERS', 44)
    .ulong('Version', 0, value.Version, constantName('OPEN_VIRTUAL_DISK_VERSION_', value.Version));
  if (value.Version === 1) {
    const { RWDepth } = value.u.Version1;
    return writer.ulong('Version1.RWDepth', 4, RWDepth, RWDepth === sdk.OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT ? 'OPEN_VIRTUAL_DISK_RW_DEPTH_DEFAULT' : undefined).done();
  }
  const arm = value.Version === 2 ? value.u.Version2 : value.u.Version3;
  const name = `Version${value.Version}`;
  writer.bool(`${name}.GetInfoOnly`, 4, arm.GetInfoOnly).bool(`${name}.ReadOnly`, 8, arm.ReadOnly).guid(`${name}.ResiliencyGuid`, 12, arm.ResiliencyGuid);
  if (value.Version === 3) writer.guid('Version3.SnapshotId', 28, value.u.Version3.SnapshotId);
  return writer.done();
}

/** ATTACH_VIRTUAL_DISK_PARAMETERS: 24 bytes, the union at 8 (it holds ULONGLONGs). */
export function encodeAttachVirtualDiskParameters(value: AttachVirtualDiskParametersValue): EncodedStruct {
  const writer = new StructWriter('ATTACH_VIRTUAL_DISK_PARAMETERS', 24)
    .ulong('Version', 0, value.Version, constantName('ATTACH_VIRTUAL_DISK_VERSION_', value.Version));
  if (value.Version === 2) {
    const { RestrictedOffset, RestrictedLength } = value.u.Version2;
    return writer.ulonglong('Version2.RestrictedOffset', 8, RestrictedOffset).ulonglong('Version2.RestrictedLength', 16, RestrictedLength).done();
  }
  return writer.ulong('Version1.Reserved', 8, value.u.Version1.Reserved).done();
}

/**
 * CREATE_VIRTUAL_DISK_PARAMETERS, version 2 (what createVirtualDisk sends): 184 bytes (sizeof with all four
 * versions in the union, which starts at 8). ParentPath @48 and SourcePath @56 are pointers: 0 here.
 */
export function encodeCreateVirtualDiskParameters(value: CreateCall['Parameters']): EncodedStruct {
  const v = value.Version2;
  return new StructWriter('CREATE_VIRTUAL_DISK_PARAMETERS', 184)
    .ulong('Version', 0, value.Version, constantName('CREATE_VIRTUAL_DISK_VERSION_', value.Version))
    .guid('Version2.UniqueId', 8, v.UniqueId, isZeroGuid(v.UniqueId) ? 'GUID_NULL (Windows makes one)' : undefined)
    .ulonglong('Version2.MaximumSize', 24, v.MaximumSize)
    .ulong('Version2.BlockSizeInBytes', 32, v.BlockSizeInBytes, v.BlockSizeInBytes === 0 ? 'CREATE_VIRTUAL_DISK_PARAMETERS_DEFAULT_BLOCK_SIZE' : undefined)
    .ulong('Version2.SectorSizeInBytes', 36, v.SectorSizeInBytes, v.SectorSizeInBytes === 0 ? 'CREATE_VIRTUAL_DISK_PARAMETERS_DEFAULT_SECTOR_SIZE' : undefined)
    .ulong('Version2.PhysicalSectorSizeInBytes', 40, v.PhysicalSectorSizeInBytes, v.PhysicalSectorSizeInBytes === 0 ? 'CREATE_VIRTUAL_DISK_PARAMETERS_DEFAULT_SECTOR_SIZE' : undefined)
    .pcwstr('Version2.ParentPath', 48, v.ParentPath)
    .pcwstr('Version2.SourcePath', 56, v.SourcePath)
    .ulong('Version2.OpenFlags', 64, v.OpenFlags, v.OpenFlags === 0 ? 'OPEN_VIRTUAL_DISK_FLAG_NONE' : undefined)
    .storageType('Version2.ParentVirtualStorageType', 68, v.ParentVirtualStorageType)
    .storageType('Version2.SourceVirtualStorageType', 88, v.SourceVirtualStorageType)
    .guid('Version2.ResiliencyGuid', 108, v.ResiliencyGuid, isZeroGuid(v.ResiliencyGuid) ? 'GUID_NULL' : undefined)
    .done();
}

/** RESIZE_VIRTUAL_DISK_PARAMETERS: 16 bytes; NewSize @8. */
export function encodeResizeVirtualDiskParameters(value: ResizeVirtualDiskParametersValue): EncodedStruct {
  return new StructWriter('RESIZE_VIRTUAL_DISK_PARAMETERS', 16)
    .ulong('Version', 0, value.Version, constantName('RESIZE_VIRTUAL_DISK_VERSION_', value.Version))
    .ulonglong('Version1.NewSize', 8, value.u.Version1.NewSize)
    .done();
}

/** COMPACT_VIRTUAL_DISK_PARAMETERS: 8 bytes; Reserved @4. */
export function encodeCompactVirtualDiskParameters(value: CompactVirtualDiskParametersValue): EncodedStruct {
  return new StructWriter('COMPACT_VIRTUAL_DISK_PARAMETERS', 8)
    .ulong('Version', 0, value.Version, constantName('COMPACT_VIRTUAL_DISK_VERSION_', value.Version))
    .ulong('Version1.Reserved', 4, value.u.Version1.Reserved)
    .done();
}

/** MERGE_VIRTUAL_DISK_PARAMETERS: 12 bytes, the union at 4. */
export function encodeMergeVirtualDiskParameters(value: MergeVirtualDiskParametersValue): EncodedStruct {
  const writer = new StructWriter('MERGE_VIRTUAL_DISK_PARAMETERS', 12)
    .ulong('Version', 0, value.Version, constantName('MERGE_VIRTUAL_DISK_VERSION_', value.Version));
  if (value.Version === 1) return writer.ulong('Version1.MergeDepth', 4, value.u.Version1.MergeDepth).done();
  const { MergeSourceDepth, MergeTargetDepth } = value.u.Version2;
  return writer.ulong('Version2.MergeSourceDepth', 4, MergeSourceDepth).ulong('Version2.MergeTargetDepth', 8, MergeTargetDepth).done();
}

/** GET_VIRTUAL_DISK_INFO as the library hands it over: 32 bytes (sizeof), only Version set; Windows writes the answer from 8. */
export function encodeGetVirtualDiskInfoRequest(version: number): EncodedStruct {
  return new StructWriter('GET_VIRTUAL_DISK_INFO', 32)
    .ulong('Version', 0, version, constantName('GET_VIRTUAL_DISK_INFO_', version, ['GET_VIRTUAL_DISK_INFO_UNSPECIFIED']))
    .done();
}

/** The SDK constant with this prefix and value, if exactly one is named (skipping `exclude`). */
export function constantName(prefix: string, value: number, exclude: readonly string[] = []): string | undefined {
  const names = Object.entries(sdk).filter(([name, constant]) => name.startsWith(prefix) && constant === value && !exclude.includes(name)).map(([name]) => name);
  return names.length === 1 ? names[0] : undefined;
}

/** '{EC984AEC-A0F9-47E9-901F-71415A66345B}': upper case, braces, as the SDK's comments write GUIDs. */
export function guidText(guid: GuidValue): string {
  const hex = (value: number, digits: number) => value.toString(16).toUpperCase().padStart(digits, '0');
  const data4 = Array.from(guid.Data4).map((byte) => hex(byte, 2)).join('');
  return `{${hex(guid.Data1 >>> 0, 8)}-${hex(guid.Data2, 4)}-${hex(guid.Data3, 4)}-${data4.slice(0, 4)}-${data4.slice(4)}}`;
}

function isZeroGuid(guid: GuidValue): boolean {
  return guid.Data1 === 0 && guid.Data2 === 0 && guid.Data3 === 0 && Array.from(guid.Data4).every((byte) => byte === 0);
}

function guidConstant(guid: GuidValue): string | undefined {
  if (guidText(guid) === guidText(sdk.VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT)) return 'VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT';
  return isZeroGuid(guid) ? 'GUID_NULL' : undefined;
}
