// Disk → volumes → mount points, with kernel32 only (no WMI, no PowerShell).
//
// 1. Every volume: FindFirstVolumeW / FindNextVolumeW until ERROR_NO_MORE_FILES, then FindVolumeClose.
// 2. Its device: CreateFileW on the volume name without its trailing backslash (with it, the name is the
//    volume's root folder), then IOCTL_STORAGE_GET_DEVICE_NUMBER; for a volume that spans disks, which does
//    not answer that, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS. A volume matches a disk by device type and number
//    (disks and CD-ROM drives are numbered separately: an ISO's volume is FILE_DEVICE_CD_ROM).
// 3. Its mount points: GetVolumePathNamesForVolumeNameW on the name with its trailing backslash (MULTI_SZ,
//    grown and asked again on ERROR_MORE_DATA).
//
// Every call runs on koffi's worker threads (callAsync): steps 1 and 3 ask the mount manager and step 2 opens
// devices, and neither may hold up the event loop (under Wine a GetVolumePathNamesForVolumeNameW takes ~4 ms).
// A call's last error stays on its worker thread, so the answer itself is read wherever it tells enough: a
// handle or TRUE is success, and GetVolumePathNamesForVolumeNameW's lpcchReturnLength beyond the buffer is its
// ERROR_MORE_DATA. Only when a failure's code is needed is the call made once more, synchronously on this
// thread, with GetLastError right after it (lastErrorOf): the end of the volume list (ERROR_NO_MORE_FILES),
// or a failure that is reported.
// Sources: FindFirstVolumeW, GetVolumePathNamesForVolumeNameW and IOCTL pages; Raymond Chen, "How do I get
// from a volume to the physical disk that holds it?" (The Old New Thing, 2020-10-21).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Volume } from '../types/volumes.ts';
import { FILE_DEVICE_CD_ROM, FILE_DEVICE_DISK, MAX_PATH } from '../types/constants.ts';
import type { Kernel32 } from '../ffi/index.ts';
import { AbortError, VirtualDiskError } from './errors.ts';
import {
  deviceKey, deviceNumberOf, diskExtentsOf, isHandle, withDevice, type DeviceId, type DeviceNumber,
} from './device-io.ts';
import { readMultiSz } from './multi-sz.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { several } from './hints.ts';
import { ERROR_FILE_NOT_FOUND, ERROR_MORE_DATA, ERROR_NO_MORE_FILES, ERROR_NOT_READY } from './win32-errors.ts';

/** Where a volume lies: one device (and partition), or, for a volume spanning disks, the disks of its extents. */
export type VolumeLocation =
  | { kind: 'device'; device: DeviceNumber }
  | { kind: 'extents'; diskNumbers: number[] };

const NOT_PARTITIONABLE = 0xffffffff;
const MAX_MORE_DATA_ROUNDS = 4;

/**
 * A failed call made once more on this thread, for its last error: the result, and the last error read right
 * after it (0 when this time it succeeded). `succeeded` tells the two apart.
 */
export function lastErrorOf<T>(kernel32: Kernel32, call: () => T, succeeded: (result: T) => boolean): { result: T; error: number } {
  const result = call();
  return { result, error: succeeded(result) ? 0 : kernel32.GetLastError() };
}

/** Every volume's GUID path ('\\?\Volume{…}\'); the search handle is closed on every path. */
export async function volumeNames(kernel32: Kernel32, signal: AbortSignal | undefined): Promise<string[]> {
  const buffer = Buffer.alloc(2 * (MAX_PATH + 1));
  const read = () => readMultiSz(buffer, buffer.length)[0] ?? '';
  let search = await callAsync(signal, kernel32.FindFirstVolumeW, buffer, MAX_PATH + 1);
  if (!isHandle(search)) {
    const again = lastErrorOf(kernel32, () => kernel32.FindFirstVolumeW(buffer.fill(0), MAX_PATH + 1), isHandle);
    if (again.error === ERROR_NO_MORE_FILES) return [];
    if (again.error !== 0 || !isHandle(again.result)) throw win32Error(again.error, 'FindFirstVolumeW');
    search = again.result;
  }
  const handle = search;
  try {
    const names = [read()];
    for (;;) {
      buffer.fill(0);
      if (!await callAsync(signal, kernel32.FindNextVolumeW, handle, buffer, MAX_PATH + 1)) {
        // The end of the list, or a failure: the next call, here, says which (and is the next volume if it succeeds).
        const again = lastErrorOf(kernel32, () => kernel32.FindNextVolumeW(handle, buffer.fill(0), MAX_PATH + 1), Boolean);
        if (again.error === ERROR_NO_MORE_FILES) return names.filter((name) => name.length > 0);
        if (again.error !== 0) throw win32Error(again.error, 'FindNextVolumeW');
      }
      names.push(read());
    }
  } finally {
    await callAsync(undefined, kernel32.FindVolumeClose, handle).catch(() => 0);
  }
}

/**
 * A volume's drive letters and mounted folders (GetVolumePathNamesForVolumeNameW, MULTI_SZ), asked again with
 * the size it reports on ERROR_MORE_DATA. [] when the volume went away meanwhile.
 */
export async function mountPointsOf(kernel32: Kernel32, volumeName: string, signal: AbortSignal | undefined): Promise<string[]> {
  let size = MAX_PATH + 2;
  for (let round = 0; round < MAX_MORE_DATA_ROUNDS; round++) {
    let buffer = Buffer.alloc(2 * size);
    const needed: [number] = [0];
    if (await callAsync(signal, kernel32.GetVolumePathNamesForVolumeNameW, volumeName, buffer, size, needed)) {
      return readMultiSz(buffer, Math.min(buffer.length, 2 * (needed[0] || size)));
    }
    // lpcchReturnLength: "Otherwise, this parameter is the size of the buffer required to hold the complete list".
    if (needed[0] > size) {
      size = needed[0];
      continue;
    }
    const again = lastErrorOf(kernel32, () => kernel32.GetVolumePathNamesForVolumeNameW(volumeName, (buffer = Buffer.alloc(2 * size)), size, needed), Boolean);
    if (again.error === 0) return readMultiSz(buffer, Math.min(buffer.length, 2 * (needed[0] || size)));
    if (again.error === ERROR_MORE_DATA && needed[0] > size) {
      size = needed[0];
      continue;
    }
    if (again.error === ERROR_FILE_NOT_FOUND || again.error === ERROR_NOT_READY) return [];
    throw win32Error(again.error, 'GetVolumePathNamesForVolumeNameW', volumeName);
  }
  throw win32Error(ERROR_MORE_DATA, 'GetVolumePathNamesForVolumeNameW', volumeName);
}

/** Where a volume lies; undefined when it cannot be opened or answers neither IOCTL. */
export async function locateVolume(volumeName: string, signal: AbortSignal | undefined): Promise<VolumeLocation | undefined> {
  const devicePath = volumeName.endsWith('\\') ? volumeName.slice(0, -1) : volumeName;
  return withDevice(devicePath, 0, 0, signal, async (handle): Promise<VolumeLocation | undefined> => {
    const device = await deviceNumberOf(handle, signal);
    if (device) return { kind: 'device', device };
    const diskNumbers = await diskExtentsOf(handle, signal);
    return diskNumbers && diskNumbers.length > 0 ? { kind: 'extents', diskNumbers } : undefined;
  });
}

/** Whether a volume lies on `target`: same device type and number, or (spanning volumes) an extent on that disk. */
export function volumeIsOn(location: VolumeLocation, target: DeviceId): boolean {
  if (location.kind === 'device') {
    return location.device.deviceType === target.deviceType && location.device.deviceNumber === target.deviceNumber;
  }
  return target.deviceType === FILE_DEVICE_DISK && location.diskNumbers.includes(target.deviceNumber);
}

function volumeOn(name: string, location: VolumeLocation, target: DeviceId, mountPoints: string[]): Volume {
  const volume: Volume = { name, mountPoints, diskNumber: target.deviceNumber };
  if (location.kind === 'device' && target.deviceType !== FILE_DEVICE_CD_ROM && location.device.partitionNumber !== NOT_PARTITIONABLE) {
    volume.partitionNumber = location.device.partitionNumber;
  }
  return volume;
}

function byPartition(a: Volume, b: Volume): number {
  const pa = a.partitionNumber ?? Number.MAX_SAFE_INTEGER;
  const pb = b.partitionNumber ?? Number.MAX_SAFE_INTEGER;
  return pa - pb || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * The volumes of each device, from one pass over all volumes: a Map keyed by deviceKey(), with an entry
 * (possibly []) for every target. Each volume's device is asked once, in parallel through the call queue.
 */
export async function volumesOfDevices(targets: readonly DeviceId[], signal: AbortSignal | undefined): Promise<Map<string, Volume[]>> {
  const { kernel32 } = await windows();
  const result = new Map<string, Volume[]>(targets.map((target) => [deviceKey(target), []]));
  if (targets.length === 0) return result;
  const names = await volumeNames(kernel32, signal);
  const located = await Promise.all(names.map(async (name) => {
    const location = await locateVolume(name, signal);
    const on = location ? targets.filter((target) => volumeIsOn(location, target)) : [];
    return { name, location, on, mountPoints: on.length > 0 ? await mountPointsOf(kernel32, name, signal) : [] };
  }));
  for (const { name, location, on, mountPoints } of located) {
    for (const target of on) result.get(deviceKey(target))!.push(volumeOn(name, location!, target, [...mountPoints]));
  }
  for (const volumes of result.values()) volumes.sort(byPartition);
  return result;
}

export async function volumesOfDevice(target: DeviceId, signal: AbortSignal | undefined): Promise<Volume[]> {
  return (await volumesOfDevices([target], signal)).get(deviceKey(target)) ?? [];
}

export interface WaitForVolumes {
  /** The image, for errors. */
  imagePath: string;
  physicalPath: string;
  device: DeviceId;
  /** ms; 0 answers at once. */
  wait: number;
  /** true: at least one volume must have a mount point; 'unknown': the same, and the hint names noDriveLetter as a cause. */
  needMountPoint: boolean | 'unknown';
  signal: AbortSignal | undefined;
  /** For specs: the pause between two looks, ms (default: 25, doubling up to 250). */
  firstPauseMs?: number;
}

/** Pauses between two looks, ms: short at first (a volume often arrives within a few ms), then at most this. */
const MAX_PAUSE_MS = 250;

/**
 * The device's volumes, looking again (each look a full enumeration, a few ms) until at least one volume is
 * there and, when `needMountPoint`, one has a mount point, or `wait` ms have passed: then rejects with
 * ERR_NO_VOLUME. With wait 0, answers the first look, possibly []. Waits on timers, never on a thread.
 */
export async function waitForVolumes(request: WaitForVolumes): Promise<Volume[]> {
  const { wait, signal, needMountPoint } = request;
  const deadline = performance.now() + wait;
  let pause = request.firstPauseMs ?? 25;
  for (;;) {
    const volumes = await volumesOfDevice(request.device, signal);
    const arrived = volumes.length > 0 && (needMountPoint === false || volumes.some((volume) => volume.mountPoints.length > 0));
    if (arrived || wait === 0) return volumes;
    const left = deadline - performance.now();
    if (left <= 0) throw noVolumeError(request, volumes);
    try {
      await sleep(Math.min(pause, left), undefined, { signal });
    } catch (error) {
      throw new AbortError(undefined, { cause: signal?.reason ?? error });
    }
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
  }
}

function noVolumeError(request: WaitForVolumes, volumes: Volume[]): VirtualDiskError {
  const { imagePath, physicalPath, wait, needMountPoint } = request;
  const cd = request.device.deviceType === FILE_DEVICE_CD_ROM;
  if (volumes.length === 0) {
    const causes = [
      cd ? 'the image holds no file system Windows can mount' : 'the disk is new and has no partition or no formatted volume yet: initialize, partition and format it (Disk Management, diskpart, or Initialize-Disk, New-Partition and Format-Volume)',
      'the disk is offline, as the SAN policy leaves new disks on servers (diskpart `san`): bring it online (diskpart `online disk`, or Set-Disk -Number <n> -IsOffline $false)',
      'automatic mounting of new volumes is off (`mountvol /N` was run): turn it on with `mountvol /E`',
      `the volumes take longer than ${wait} ms to arrive: wait longer`,
    ];
    return new VirtualDiskError(`No volume of '${imagePath}' (${physicalPath}) arrived within ${wait} ms.`, {
      code: 'ERR_NO_VOLUME', path: imagePath, physicalPath, hint: several('The disk shows no volume.', ...causes), reason: 'NO_VOLUME',
    });
  }
  const causes = [
    ...(needMountPoint === 'unknown' ? ['it was attached with noDriveLetter (ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER), perhaps by another process: give it one with the mountPoint option of attach'] : []),
    'automatic mounting of new volumes is off (`mountvol /N` was run): turn it on with `mountvol /E`',
    'no drive letter is free',
    'its volumes are of a kind that gets no drive letter (an EFI system or a recovery partition)',
    `the drive letter takes longer than ${wait} ms to arrive: wait longer`,
  ];
  const names = volumes.map((volume) => volume.name).join(', ');
  return new VirtualDiskError(`No volume of '${imagePath}' (${physicalPath}) got a drive letter or folder within ${wait} ms (volumes: ${names}).`, {
    code: 'ERR_NO_VOLUME', path: imagePath, physicalPath, hint: several('The volumes have no mount point.', ...causes),
  });
}

/** For callers that only need volume names mounted: the first drive letter, else the first folder, else undefined. */
export function preferredMountPoint(mountPoints: readonly string[]): string | undefined {
  return mountPoints.find((point) => /^[A-Z]:\\$/i.test(point)) ?? mountPoints[0];
}
