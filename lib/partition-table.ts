// The partition table as bytes and back (pure): DRIVE_LAYOUT_INFORMATION_EX decoded into a DiskLayout, a new
// partition planned into it (1 MiB aligned, as diskpart and Microsoft's Dev Home place partitions), and the
// layout encoded again for IOCTL_DISK_SET_DRIVE_LAYOUT_EX. Layouts: um/winioctl.h (spec/unit/layout-disk.spec.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import {
  DRIVE_LAYOUT_ENTRIES_OFFSET, GPT_MAX_PARTITION_COUNT, PARTITION_BASIC_DATA_GUID, PARTITION_ENTRY_UNUSED_GUID, PARTITION_FAT32, PARTITION_FAT32_XINT13,
  PARTITION_FAT_12, PARTITION_FAT_16, PARTITION_HUGE, PARTITION_IFS, PARTITION_MSFT_RECOVERY_GUID, PARTITION_MSFT_RESERVED_GUID,
  PARTITION_STYLE_GPT, PARTITION_STYLE_MBR, PARTITION_SYSTEM_GUID, PARTITION_XINT13,
} from '../types/constants.ts';
import type { GuidValue, PartitionInformationExValue } from '../ffi/index.ts';
import type { DiskLayout, Partition, PartitionStyle } from '../types/partitions.ts';
import { formatGuid, guidFromBytes, parseGuid } from './guid.ts';

export const MiB = 1024 * 1024;
export const ENTRY_SIZE = 144;
/** What IOCTL_DISK_GET_DRIVE_LAYOUT_EX is asked with first: the header and 128 entries (GPT's usual maximum). */
export const LAYOUT_BUFFER_SIZE = DRIVE_LAYOUT_ENTRIES_OFFSET + ENTRY_SIZE * GPT_MAX_PARTITION_COUNT;
/** An MBR disk holds four primary partitions (extended partitions are not made here). */
export const MBR_MAX_PARTITIONS = 4;

/** The raw layer's PARTITION_INFORMATION_EX and its codec (ffi/, loaded with koffi on first use). */
export type Codec = Pick<typeof import('../ffi/index.ts'), 'decodeStruct' | 'encodeStruct' | 'PARTITION_INFORMATION_EX'>;

/**
 * The header's fields, read at the SDK's offsets (pinned by spec/unit/layout-disk.spec.ts): a RAW disk's
 * answer may be the 48-byte header alone, shorter than the struct with its one declared entry.
 */
function readHeader(bytes: Buffer) {
  return {
    PartitionStyle: bytes.readUInt32LE(0),
    PartitionCount: bytes.readUInt32LE(4),
    Signature: bytes.readUInt32LE(8),
    DiskId: bytes.subarray(8, 24),
    StartingUsableOffset: Number(bytes.readBigInt64LE(24)),
    UsableLength: Number(bytes.readBigInt64LE(32)),
  };
}

const GPT_TYPE_NAMES: Record<string, string> = {
  [PARTITION_BASIC_DATA_GUID]: 'basic-data',
  [PARTITION_SYSTEM_GUID]: 'efi-system',
  [PARTITION_MSFT_RESERVED_GUID]: 'msft-reserved',
  [PARTITION_MSFT_RECOVERY_GUID]: 'recovery',
};
const MBR_TYPE_NAMES: Record<number, string> = {
  [PARTITION_FAT_12]: 'fat12', [PARTITION_FAT_16]: 'fat16', [PARTITION_HUGE]: 'fat16', [PARTITION_IFS]: 'ifs',
  [PARTITION_FAT32]: 'fat32', [PARTITION_FAT32_XINT13]: 'fat32', [PARTITION_XINT13]: 'fat16',
};

/** The partition types a user may name, per style. */
export const GPT_TYPES: Record<string, string> = {
  'basic-data': PARTITION_BASIC_DATA_GUID, 'efi-system': PARTITION_SYSTEM_GUID,
  'msft-reserved': PARTITION_MSFT_RESERVED_GUID, recovery: PARTITION_MSFT_RECOVERY_GUID,
};
export const MBR_TYPES: Record<string, number> = { 'basic-data': PARTITION_IFS, ifs: PARTITION_IFS, fat32: PARTITION_FAT32_XINT13 };

const ZERO_GUID: GuidValue = { Data1: 0, Data2: 0, Data3: 0, Data4: [0, 0, 0, 0, 0, 0, 0, 0] };

export function styleName(style: number): PartitionStyle | 'raw' {
  return style === PARTITION_STYLE_GPT ? 'gpt' : style === PARTITION_STYLE_MBR ? 'mbr' : 'raw';
}

/** The layout in `bytes` (what IOCTL_DISK_GET_DRIVE_LAYOUT_EX returned), unused entries left out. */
export function decodeLayout(codec: Codec, bytes: Buffer, disk: { sectorSize: number; size: number }): DiskLayout {
  const header = readHeader(bytes);
  const style = styleName(header.PartitionStyle);
  const layout: DiskLayout = { style, sectorSize: disk.sectorSize, size: disk.size, partitions: [] };
  if (style === 'gpt') {
    layout.id = guidFromBytes(header.DiskId);
    layout.usableOffset = header.StartingUsableOffset;
    layout.usableLength = header.UsableLength;
  } else if (style === 'mbr') {
    layout.id = `0x${(header.Signature >>> 0).toString(16).padStart(8, '0')}`;
    layout.usableOffset = disk.sectorSize;
    layout.usableLength = disk.size - disk.sectorSize;
  }
  const fitting = Math.floor((bytes.length - DRIVE_LAYOUT_ENTRIES_OFFSET) / ENTRY_SIZE);
  for (let i = 0; i < Math.min(header.PartitionCount, fitting); i++) {
    const entry = codec.decodeStruct<PartitionInformationExValue>(bytes, DRIVE_LAYOUT_ENTRIES_OFFSET + ENTRY_SIZE * i, codec.PARTITION_INFORMATION_EX);
    const partition = decodeEntry(entry);
    if (partition) layout.partitions.push(partition);
  }
  layout.partitions.sort((a, b) => a.offset - b.offset);
  return layout;
}

function decodeEntry(entry: PartitionInformationExValue): Partition | undefined {
  const base = { number: entry.PartitionNumber, offset: Number(entry.StartingOffset), length: Number(entry.PartitionLength) };
  if (entry.PartitionStyle === PARTITION_STYLE_GPT) {
    const type = formatGuid(entry.u.Gpt.PartitionType);
    if (type === PARTITION_ENTRY_UNUSED_GUID) return undefined;
    const partition: Partition = {
      ...base, style: 'gpt', type, name: wideName(entry.u.Gpt.Name), id: formatGuid(entry.u.Gpt.PartitionId),
      attributes: BigInt.asUintN(64, BigInt(entry.u.Gpt.Attributes)),
    };
    const typeName = GPT_TYPE_NAMES[type];
    if (typeName) partition.typeName = typeName;
    return partition;
  }
  if (entry.PartitionStyle === PARTITION_STYLE_MBR) {
    const byte = entry.u.Mbr.PartitionType;
    if (byte === 0 || base.length === 0) return undefined;
    const partition: Partition = { ...base, style: 'mbr', type: `0x${byte.toString(16).padStart(2, '0')}`, active: entry.u.Mbr.BootIndicator !== 0 };
    const id = formatGuid(entry.u.Mbr.PartitionId);
    if (id !== PARTITION_ENTRY_UNUSED_GUID) partition.id = id;
    const typeName = MBR_TYPE_NAMES[byte];
    if (typeName) partition.typeName = typeName;
    return partition;
  }
  return undefined;
}

/** koffi decodes a char16_t array as a string or as code units, depending on its hint: both read here. */
function wideName(name: string | string[] | number[]): string {
  const text = typeof name === 'string' ? name
    : name.map((unit) => (typeof unit === 'number' ? String.fromCharCode(unit) : unit)).join('');
  const end = text.indexOf('\0');
  return end === -1 ? text : text.slice(0, end);
}

export interface PlannedPartition {
  offset: number;
  length: number;
  /** GPT: a type GUID; MBR: a type byte. */
  type: string | number;
  name: string;
}

export type PlanResult = { ok: true; partition: PlannedPartition } | { ok: false; problem: string; fix: string };

/**
 * Where a new partition goes: after the last one, its start rounded up to a whole MiB; `size` (bytes, rounded
 * up to whole MiB) or, by default, all the space up to the end of the usable area, rounded down to whole MiB.
 */
export function planPartition(layout: DiskLayout, request: { size: number | undefined; type: string | number; name: string }): PlanResult {
  if (layout.style === 'raw') return { ok: false, problem: 'the disk has no partition table', fix: 'Initialize it first: disk.initialize({ partitionStyle: \'gpt\' }).' };
  if (layout.style === 'mbr' && layout.partitions.length >= MBR_MAX_PARTITIONS) {
    return { ok: false, problem: `the MBR disk has ${layout.partitions.length} partitions already, and MBR holds ${MBR_MAX_PARTITIONS} primary partitions`, fix: 'Use a GPT disk, or delete a partition first.' };
  }
  if (layout.style === 'gpt' && layout.partitions.length >= GPT_MAX_PARTITION_COUNT) {
    return { ok: false, problem: `the GPT disk has ${layout.partitions.length} partitions already`, fix: 'Delete a partition first.' };
  }
  const usableStart = layout.usableOffset ?? layout.sectorSize;
  const usableEnd = usableStart + (layout.usableLength ?? layout.size - usableStart);
  const lastEnd = Math.max(usableStart, ...layout.partitions.map((partition) => partition.offset + partition.length));
  const offset = Math.ceil(lastEnd / MiB) * MiB;
  const room = Math.floor(usableEnd / MiB) * MiB - offset;
  const length = request.size === undefined ? room : Math.ceil(request.size / MiB) * MiB;
  if (length <= 0 || length > room) {
    const free = Math.max(room, 0);
    return {
      ok: false,
      problem: request.size === undefined
        ? `the disk has no free MiB-aligned space after its last partition (it ends at byte ${lastEnd} of ${usableEnd} usable)`
        : `${length} bytes do not fit: ${free} bytes (whole MiB) are free after the last partition`,
      fix: request.size === undefined ? 'Grow the disk first (disk.resize), or delete a partition.' : `Ask for at most ${free} bytes, or omit size to use all of it.`,
    };
  }
  return { ok: true, partition: { offset, length, type: request.type, name: request.name } };
}

/**
 * The layout with `added` appended, as the bytes of a DRIVE_LAYOUT_INFORMATION_EX for
 * IOCTL_DISK_SET_DRIVE_LAYOUT_EX: the existing partitions as they are, the new one with RewritePartition TRUE,
 * a new PartitionId (GPT), and PartitionNumber 0 (Windows numbers it). The raw `current` bytes keep the
 * header (disk ID, usable area) exactly as Windows gave it.
 */
export function encodeLayoutWith(codec: Codec, current: Buffer, layout: DiskLayout, added: PlannedPartition): Buffer {
  const header = readHeader(current);
  const fitting = Math.floor((current.length - DRIVE_LAYOUT_ENTRIES_OFFSET) / ENTRY_SIZE);
  const kept: PartitionInformationExValue[] = [];
  for (let i = 0; i < Math.min(header.PartitionCount, fitting); i++) {
    const entry = codec.decodeStruct<PartitionInformationExValue>(current, DRIVE_LAYOUT_ENTRIES_OFFSET + ENTRY_SIZE * i, codec.PARTITION_INFORMATION_EX);
    if (decodeEntry(entry)) kept.push({ ...entry, RewritePartition: 0 });
  }
  const gpt = layout.style === 'gpt';
  const entry: PartitionInformationExValue = {
    PartitionStyle: gpt ? PARTITION_STYLE_GPT : PARTITION_STYLE_MBR,
    StartingOffset: BigInt(added.offset), PartitionLength: BigInt(added.length), PartitionNumber: 0,
    RewritePartition: 1, IsServicePartition: 0,
    u: gpt
      ? { Gpt: { PartitionType: parseGuid(String(added.type))!, PartitionId: parseGuid(randomUUID())!, Attributes: 0n, Name: added.name } } as never
      : { Mbr: { PartitionType: Number(added.type), BootIndicator: 0, RecognizedPartition: 1, HiddenSectors: Math.floor(added.offset / layout.sectorSize), PartitionId: ZERO_GUID } } as never,
  };
  // MBR: IOCTL_DISK_SET_DRIVE_LAYOUT_EX takes the four primary slots (a multiple of four entries).
  const entries = [...kept, entry];
  const count = gpt ? entries.length : Math.max(MBR_MAX_PARTITIONS, entries.length);
  const bytes = Buffer.alloc(DRIVE_LAYOUT_ENTRIES_OFFSET + ENTRY_SIZE * count);
  current.copy(bytes, 0, 0, DRIVE_LAYOUT_ENTRIES_OFFSET);
  bytes.writeUInt32LE(count, 4);
  entries.forEach((value, i) => codec.encodeStruct(bytes, DRIVE_LAYOUT_ENTRIES_OFFSET + ENTRY_SIZE * i, codec.PARTITION_INFORMATION_EX, value));
  for (let i = entries.length; i < count; i++) bytes.writeUInt32LE(PARTITION_STYLE_MBR, DRIVE_LAYOUT_ENTRIES_OFFSET + ENTRY_SIZE * i);
  return bytes;
}

/** CREATE_DISK's 24 bytes: GPT with a new disk GUID and 128 entries, or MBR with a new non-zero signature. */
export function encodeCreateDisk(style: PartitionStyle): Buffer {
  const bytes = Buffer.alloc(24);
  if (style === 'gpt') {
    bytes.writeUInt32LE(PARTITION_STYLE_GPT, 0);
    guidBytes(randomUUID()).copy(bytes, 4);
    bytes.writeUInt32LE(GPT_MAX_PARTITION_COUNT, 20);
  } else {
    bytes.writeUInt32LE(PARTITION_STYLE_MBR, 0);
    bytes.writeUInt32LE((randomBytes(4).readUInt32LE(0) >>> 0) || 1, 4);
  }
  return bytes;
}

/** The 16 bytes of a GUID as Windows lays it out in memory. */
export function guidBytes(text: string): Buffer {
  const guid = parseGuid(text)!;
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32LE(guid.Data1 >>> 0, 0);
  bytes.writeUInt16LE(guid.Data2, 4);
  bytes.writeUInt16LE(guid.Data3, 6);
  Buffer.from(guid.Data4).copy(bytes, 8);
  return bytes;
}

