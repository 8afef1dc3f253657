// An attached disk's partition table, with the disk IOCTLs Microsoft's Dev Home uses (no VDS, no WMI, no
// diskpart): IOCTL_DISK_GET_DRIVE_GEOMETRY_EX for the sector size, IOCTL_DISK_GET_DRIVE_LAYOUT_EX,
// IOCTL_DISK_CREATE_DISK, IOCTL_DISK_SET_DRIVE_LAYOUT_EX, IOCTL_DISK_UPDATE_PROPERTIES, the disk attributes
// (online, writable) and IOCTL_DISK_ARE_VOLUMES_READY. Each runs with an OVERLAPPED (lib/disk-io.ts).
import type { CreatePartitionOptions, DiskLayout, Partition, PartitionStyle } from '../types/partitions.ts';
import {
  DISK_ATTRIBUTE_OFFLINE, DISK_ATTRIBUTE_READ_ONLY, IOCTL_DISK_ARE_VOLUMES_READY, IOCTL_DISK_CREATE_DISK, IOCTL_DISK_DELETE_DRIVE_LAYOUT,
  IOCTL_DISK_GET_DISK_ATTRIBUTES, IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, IOCTL_DISK_GET_DRIVE_LAYOUT_EX,
  IOCTL_DISK_SET_DISK_ATTRIBUTES, IOCTL_DISK_SET_DRIVE_LAYOUT_EX, IOCTL_DISK_UPDATE_PROPERTIES, SET_DISK_ATTRIBUTES_VERSION,
} from '../types/constants.ts';
import { formatByteSize } from './byte-size.ts';
import { PreconditionError, VirtualDiskError } from './errors.ts';
import { deviceIoControl, withDisk } from './disk-io.ts';
import { rawLayer, win32Error } from './native.ts';
import {
  decodeLayout, encodeCreateDisk, encodeLayoutWith, GPT_TYPES, LAYOUT_BUFFER_SIZE, MBR_TYPES, planPartition, type Codec,
} from './partition-table.ts';

const ERROR_INSUFFICIENT_BUFFER = 122;
const ERROR_MORE_DATA = 234;
const GEOMETRY_SIZE = 32;
const MAX_LAYOUT_ROUNDS = 4;

/** Which disk, for errors: the image attached as it, and its physical path. */
export interface DiskTarget {
  imagePath: string;
  physicalPath: string;
  signal: AbortSignal | undefined;
}

/** The raw layer, loaded with koffi on first use (not when this module loads). */
const codec = (): Promise<Codec> => rawLayer();

/** A failed disk request: the IOCTL's name as `syscall`, the image as `path`, the disk as `physicalPath`. */
function ioctlError(error: number, ioctl: string, target: DiskTarget): VirtualDiskError {
  return win32Error(error, ioctl, target.imagePath, target.physicalPath);
}

async function request(target: DiskTarget, handle: bigint, code: number, name: string, input?: Buffer, outputSize?: number): Promise<Buffer> {
  const result = await deviceIoControl({ handle, code, input, outputSize, signal: target.signal });
  if (result.error !== 0) throw ioctlError(result.error, name, target);
  return result.output;
}

/** The disk's logical sector size and size, bytes (IOCTL_DISK_GET_DRIVE_GEOMETRY_EX). */
async function geometry(target: DiskTarget, handle: bigint): Promise<{ sectorSize: number; size: number }> {
  const out = await request(target, handle, IOCTL_DISK_GET_DRIVE_GEOMETRY_EX, 'IOCTL_DISK_GET_DRIVE_GEOMETRY_EX', undefined, GEOMETRY_SIZE);
  if (out.length < GEOMETRY_SIZE) throw ioctlError(ERROR_INSUFFICIENT_BUFFER, 'IOCTL_DISK_GET_DRIVE_GEOMETRY_EX', target);
  return { sectorSize: out.readUInt32LE(20), size: Number(out.readBigInt64LE(24)) };
}

/** The layout's bytes, asked again with a larger buffer while the driver says it does not fit. */
async function layoutBytes(target: DiskTarget, handle: bigint): Promise<Buffer> {
  let size = LAYOUT_BUFFER_SIZE;
  for (let round = 0; round < MAX_LAYOUT_ROUNDS; round++) {
    const result = await deviceIoControl({ handle, code: IOCTL_DISK_GET_DRIVE_LAYOUT_EX, outputSize: size, signal: target.signal });
    if (result.error === 0) return result.output;
    if (result.error !== ERROR_INSUFFICIENT_BUFFER && result.error !== ERROR_MORE_DATA) throw ioctlError(result.error, 'IOCTL_DISK_GET_DRIVE_LAYOUT_EX', target);
    size *= 4;
  }
  throw ioctlError(ERROR_INSUFFICIENT_BUFFER, 'IOCTL_DISK_GET_DRIVE_LAYOUT_EX', target);
}

async function readLayout(target: DiskTarget, handle: bigint): Promise<{ bytes: Buffer; layout: DiskLayout }> {
  const disk = await geometry(target, handle);
  const bytes = await layoutBytes(target, handle);
  return { bytes, layout: decodeLayout(await codec(), bytes, disk) };
}

/** The attached disk's partition table. */
export function getDiskLayout(target: DiskTarget): Promise<DiskLayout> {
  return withDisk(target.physicalPath, false, target.signal, async (handle) => (await readLayout(target, handle)).layout);
}

/**
 * Brings the disk online and makes it writable when its attributes say otherwise (a SAN policy leaves new
 * disks offline, and on servers read-only too), persistently, as `Set-Disk -IsOffline $false -IsReadOnly
 * $false` does. Resolves with what it changed.
 */
export async function makeDiskUsable(target: DiskTarget, handle: bigint): Promise<{ wasOffline: boolean; wasReadOnly: boolean }> {
  const out = await request(target, handle, IOCTL_DISK_GET_DISK_ATTRIBUTES, 'IOCTL_DISK_GET_DISK_ATTRIBUTES', undefined, 16);
  const attributes = out.length >= 16 ? out.readBigUInt64LE(8) : 0n;
  const wasOffline = (attributes & DISK_ATTRIBUTE_OFFLINE) !== 0n;
  const wasReadOnly = (attributes & DISK_ATTRIBUTE_READ_ONLY) !== 0n;
  if (wasOffline || wasReadOnly) {
    const input = Buffer.alloc(SET_DISK_ATTRIBUTES_VERSION);
    input.writeUInt32LE(SET_DISK_ATTRIBUTES_VERSION, 0);
    input.writeUInt8(1, 4); // Persist
    input.writeBigUInt64LE(0n, 8); // Attributes: neither
    input.writeBigUInt64LE(DISK_ATTRIBUTE_OFFLINE | DISK_ATTRIBUTE_READ_ONLY, 16); // AttributesMask
    await request(target, handle, IOCTL_DISK_SET_DISK_ATTRIBUTES, 'IOCTL_DISK_SET_DISK_ATTRIBUTES', input);
  }
  return { wasOffline, wasReadOnly };
}

/**
 * Writes a new, empty partition table (IOCTL_DISK_CREATE_DISK). Refuses a disk that has one already unless
 * `force`, naming the partitions that would be lost.
 */
export function initializeDisk(target: DiskTarget, options: { partitionStyle: PartitionStyle; force: boolean }): Promise<void> {
  return withDisk(target.physicalPath, true, target.signal, async (handle) => {
    await makeDiskUsable(target, handle);
    const { layout } = await readLayout(target, handle);
    if (layout.style !== 'raw' && !options.force) {
      const lost = layout.partitions.length === 0 ? 'no partitions yet' : layout.partitions.map(describePartition).join('; ');
      throw new PreconditionError('ERR_DISK_NOT_RAW', {
        syscall: 'IOCTL_DISK_CREATE_DISK', parameter: 'force', path: target.imagePath,
        problem: `${target.physicalPath} has ${layout.style === 'mbr' ? 'an MBR' : 'a GPT'} partition table already (${lost}).`,
        rule: 'Initializing writes a new, empty partition table: every partition, and the data on it, is lost.',
        fix: 'Pass { force: true } to initialize it anyway, or use its partitions (disk.getPartitions()).',
      });
    }
    await request(target, handle, IOCTL_DISK_CREATE_DISK, 'IOCTL_DISK_CREATE_DISK', encodeCreateDisk(options.partitionStyle));
    await request(target, handle, IOCTL_DISK_UPDATE_PROPERTIES, 'IOCTL_DISK_UPDATE_PROPERTIES');
  });
}

/**
 * Makes the disk RAW again (IOCTL_DISK_DELETE_DRIVE_LAYOUT): what undoes initializeDisk on a disk that was RAW
 * before, so that a failed provision of an existing image leaves it as it found it.
 */
export function deleteDriveLayout(target: DiskTarget): Promise<void> {
  return withDisk(target.physicalPath, true, target.signal, async (handle) => {
    await request(target, handle, IOCTL_DISK_DELETE_DRIVE_LAYOUT, 'IOCTL_DISK_DELETE_DRIVE_LAYOUT');
    await request(target, handle, IOCTL_DISK_UPDATE_PROPERTIES, 'IOCTL_DISK_UPDATE_PROPERTIES');
  });
}

/** 'partition 1: basic-data, 62 MiB at byte 1048576', for messages. */
export function describePartition(partition: Partition): string {
  return `partition ${partition.number}: ${partition.typeName ?? partition.type}, ${formatByteSize(partition.length)} at byte ${partition.offset}`;
}

export interface PartitionRequest {
  /** Bytes; undefined: all the free space. */
  size: number | undefined;
  type: string | number | undefined;
  name: string | undefined;
}

/** The partition type for the disk's style, from a name, a GUID (GPT) or a byte (MBR); a PreconditionError otherwise. */
export function partitionType(style: PartitionStyle, type: string | number | undefined, imagePath: string): string | number {
  const refuse = (problem: string, fix: string) => {
    throw new PreconditionError('ERR_PARTITION_TYPE', {
      syscall: 'IOCTL_DISK_SET_DRIVE_LAYOUT_EX', parameter: 'type', path: imagePath, problem,
      rule: 'GPT partitions have a type GUID, MBR partitions a type byte (um/winioctl.h, diskguid.h).', fix,
    });
  };
  if (style === 'gpt') {
    if (type === undefined) return GPT_TYPES['basic-data']!;
    if (typeof type === 'string' && Object.hasOwn(GPT_TYPES, type)) return GPT_TYPES[type]!;
    if (typeof type === 'string' && /^\{?[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}\}?$/i.test(type)) return type.replace(/[{}]/g, '').toLowerCase();
    return refuse(`${JSON.stringify(type)} is no GPT partition type.`, `Pass ${Object.keys(GPT_TYPES).map((name) => `'${name}'`).join(', ')} or a type GUID.`);
  }
  if (type === undefined) return MBR_TYPES['basic-data']!;
  if (typeof type === 'string' && Object.hasOwn(MBR_TYPES, type)) return MBR_TYPES[type]!;
  if (typeof type === 'number' && Number.isInteger(type) && type >= 1 && type <= 255) return type;
  return refuse(`${JSON.stringify(type)} is no MBR partition type.`, `Pass ${Object.keys(MBR_TYPES).map((name) => `'${name}'`).join(', ')} or a type byte (1..255).`);
}

/** Adds a partition after the last one (1 MiB aligned) and resolves with it as Windows numbered it. */
export function createPartition(target: DiskTarget, wanted: PartitionRequest): Promise<Partition> {
  return withDisk(target.physicalPath, true, target.signal, async (handle) => {
    const { bytes, layout } = await readLayout(target, handle);
    const type = layout.style === 'raw' ? 0 : partitionType(layout.style, wanted.type, target.imagePath);
    const plan = planPartition(layout, { size: wanted.size, type, name: wanted.name ?? '' });
    if (!plan.ok) {
      throw new PreconditionError(layout.style === 'raw' ? 'ERR_DISK_NOT_INITIALIZED' : 'ERR_NO_SPACE', {
        syscall: 'IOCTL_DISK_SET_DRIVE_LAYOUT_EX', parameter: 'size', path: target.imagePath,
        problem: `${target.physicalPath}: ${plan.problem}.`, rule: 'Partitions start at whole MiB and lie inside the usable area of the disk, after each other.', fix: plan.fix,
      });
    }
    const encoded = encodeLayoutWith(await codec(), bytes, layout, plan.partition);
    await request(target, handle, IOCTL_DISK_SET_DRIVE_LAYOUT_EX, 'IOCTL_DISK_SET_DRIVE_LAYOUT_EX', encoded);
    await request(target, handle, IOCTL_DISK_UPDATE_PROPERTIES, 'IOCTL_DISK_UPDATE_PROPERTIES');
    const after = (await readLayout(target, handle)).layout;
    const made = after.partitions.find((partition) => partition.offset === plan.partition.offset);
    if (!made) {
      throw new VirtualDiskError(`${target.physicalPath} took the new layout, but it shows no partition at byte ${plan.partition.offset}.`, {
        code: 'ERR_PARTITION_MISSING', syscall: 'IOCTL_DISK_GET_DRIVE_LAYOUT_EX', path: target.imagePath, physicalPath: target.physicalPath,
      });
    }
    return made;
  });
}

/**
 * Waits until Windows has made (or removed) the volumes of the disk's partitions: IOCTL_DISK_ARE_VOLUMES_READY,
 * which pends meanwhile, cancelled after `timeout` ms. Resolves false on a timeout and when the disk cannot
 * answer it (before Windows 10 it does not exist); the volume wait that follows decides then.
 */
export function waitForVolumesReady(target: DiskTarget, timeout: number): Promise<boolean> {
  return withDisk(target.physicalPath, false, target.signal, async (handle) => {
    const result = await deviceIoControl({ handle, code: IOCTL_DISK_ARE_VOLUMES_READY, signal: target.signal, timeout });
    return result.error === 0;
  });
}

export type { CreatePartitionOptions };
