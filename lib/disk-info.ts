// GetVirtualDiskInformation, version by version, into one plain VirtualDiskInfo. Buffer protocol: Version at
// offset 0, the answer at 8; PARENT_LOCATION (and CHANGE_TRACKING_STATE) may answer ERROR_INSUFFICIENT_BUFFER
// with the size needed (shared/reference/virtdisk-api.md §3.2).
import type { StorageType, VirtualDiskInfo } from '../types/index.ts';
import {
  GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE, GET_VIRTUAL_DISK_INFO_FRAGMENTATION, GET_VIRTUAL_DISK_INFO_IDENTIFIER,
  GET_VIRTUAL_DISK_INFO_IS_4K_ALIGNED, GET_VIRTUAL_DISK_INFO_IS_LOADED, GET_VIRTUAL_DISK_INFO_PARENT_IDENTIFIER,
  GET_VIRTUAL_DISK_INFO_PARENT_LOCATION, GET_VIRTUAL_DISK_INFO_PARENT_TIMESTAMP, GET_VIRTUAL_DISK_INFO_PHYSICAL_DISK,
  GET_VIRTUAL_DISK_INFO_PROVIDER_SUBTYPE, GET_VIRTUAL_DISK_INFO_SIZE, GET_VIRTUAL_DISK_INFO_SMALLEST_SAFE_VIRTUAL_SIZE,
  GET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID,
} from '../types/constants.ts';
import { guidFromBytes } from './guid.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_SUCCESS } from './win32-errors.ts';
import { INFO_VERSION_FIRST_BUILDS } from './windows-build.ts';

const SYSCALL = 'GetVirtualDiskInformation';
/** sizeof(GET_VIRTUAL_DISK_INFO) on x64; the answer starts at offset 8. */
const INFO_SIZE = 32;
const AT = 8;

/**
 * Codes with which Windows refuses an information version for this disk or this build: the field is left
 * out. Which code real Windows uses for each case is undocumented (virtdisk-api.md §8.4): these are the
 * "not supported / not valid here" family. Any other code is an error.
 */
const NOT_AVAILABLE = new Set([1, 50, 87, 120, 0xc03a001b]); // INVALID_FUNCTION, NOT_SUPPORTED, INVALID_PARAMETER, CALL_NOT_IMPLEMENTED, VHD_INVALID_TYPE

const SUBTYPES: Readonly<Record<number, VirtualDiskInfo['subtype']>> = { 2: 'fixed', 3: 'dynamic', 4: 'differencing' };

/** Every field Windows gives for this handle; `build` skips versions the build does not know. */
export async function readVirtualDiskInfo(
  handle: bigint, imagePath: string, storageType: StorageType, build: number | undefined, signal: AbortSignal | undefined,
): Promise<VirtualDiskInfo> {
  const { virtdisk } = await windows();
  const ask = async (version: number): Promise<Buffer | undefined> => {
    if (build !== undefined && build < (INFO_VERSION_FIRST_BUILDS[version] ?? Infinity)) return undefined;
    let size = INFO_SIZE;
    for (let attempt = 0; attempt < 4; attempt++) {
      const buffer = Buffer.alloc(size);
      buffer.writeUInt32LE(version, 0);
      const sizeInOut: [number] = [size];
      const result = await callAsync(signal, virtdisk.GetVirtualDiskInformation, handle, sizeInOut, buffer, null);
      if (result === ERROR_SUCCESS) return buffer.subarray(0, Math.max(AT, Math.min(size, sizeInOut[0] || size)));
      if (NOT_AVAILABLE.has(result)) return undefined;
      if (result !== ERROR_INSUFFICIENT_BUFFER || sizeInOut[0] <= size) throw win32Error(result, SYSCALL, imagePath);
      size = sizeInOut[0];
    }
    throw win32Error(ERROR_INSUFFICIENT_BUFFER, SYSCALL, imagePath);
  };

  const info: VirtualDiskInfo = { path: imagePath, storageType };
  const subtype = await ask(GET_VIRTUAL_DISK_INFO_PROVIDER_SUBTYPE);
  if (subtype) {
    const value = SUBTYPES[subtype.readUInt32LE(AT)];
    if (value) info.subtype = value;
  }
  const size = await ask(GET_VIRTUAL_DISK_INFO_SIZE);
  if (size) {
    info.virtualSize = Number(size.readBigUInt64LE(AT));
    info.physicalSize = Number(size.readBigUInt64LE(AT + 8));
    info.blockSize = size.readUInt32LE(AT + 16);
    info.logicalSectorSize = size.readUInt32LE(AT + 20);
  }
  const physical = await ask(GET_VIRTUAL_DISK_INFO_PHYSICAL_DISK);
  if (physical) {
    info.logicalSectorSize = physical.readUInt32LE(AT);
    info.physicalSectorSize = physical.readUInt32LE(AT + 4);
  }
  const identifier = await ask(GET_VIRTUAL_DISK_INFO_IDENTIFIER);
  if (identifier) info.identifier = guidFromBytes(identifier.subarray(AT, AT + 16));
  const virtualDiskId = await ask(GET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID);
  if (virtualDiskId) info.virtualDiskId = guidFromBytes(virtualDiskId.subarray(AT, AT + 16));

  if (info.subtype === 'differencing' || info.subtype === undefined) {
    const location = await ask(GET_VIRTUAL_DISK_INFO_PARENT_LOCATION);
    if (location) {
      const resolved = location.readInt32LE(AT) !== 0;
      const strings = location.toString('utf16le', AT + 4, location.length - ((location.length - AT - 4) % 2)).split('\0');
      // Resolved: one path; not resolved: a MULTI_SZ of every path tried (the GET_VIRTUAL_DISK_INFO page).
      const paths = resolved ? strings.slice(0, 1) : strings.slice(0, Math.max(0, strings.indexOf('')));
      info.parent = { paths: paths.filter((entry) => entry.length > 0), resolved };
      const parentIdentifier = await ask(GET_VIRTUAL_DISK_INFO_PARENT_IDENTIFIER);
      if (parentIdentifier) info.parent.identifier = guidFromBytes(parentIdentifier.subarray(AT, AT + 16));
      const timestamp = await ask(GET_VIRTUAL_DISK_INFO_PARENT_TIMESTAMP);
      if (timestamp) info.parent.timestamp = timestamp.readUInt32LE(AT);
    }
  }

  const smallest = await ask(GET_VIRTUAL_DISK_INFO_SMALLEST_SAFE_VIRTUAL_SIZE);
  if (smallest) info.smallestSafeVirtualSize = Number(smallest.readBigUInt64LE(AT));
  const fragmentation = await ask(GET_VIRTUAL_DISK_INFO_FRAGMENTATION);
  if (fragmentation) info.fragmentationPercentage = fragmentation.readUInt32LE(AT);
  const aligned = await ask(GET_VIRTUAL_DISK_INFO_IS_4K_ALIGNED);
  if (aligned) info.is4kAligned = aligned.readInt32LE(AT) !== 0;
  const loaded = await ask(GET_VIRTUAL_DISK_INFO_IS_LOADED);
  if (loaded) info.isLoaded = loaded.readInt32LE(AT) !== 0;
  const tracking = await ask(GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE);
  if (tracking) {
    const id = tracking.toString('utf16le', AT + 8, tracking.length - ((tracking.length - AT - 8) % 2));
    info.changeTracking = { enabled: tracking.readInt32LE(AT) !== 0, newerChanges: tracking.readInt32LE(AT + 4) !== 0, mostRecentId: id.split('\0')[0] ?? '' };
  }
  return info;
}
