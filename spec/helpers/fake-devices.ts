// The stand-in's devices, volumes, attached-disk list, storage dependencies and Restart Manager: the kernel32,
// virtdisk and rstrtmgr functions of the volume mapping, as sinon stubs (installed by installFakeWindows).
// Each stub follows the documented protocol of its function (sizes, MULTI_SZ, ERROR_MORE_DATA, last errors),
// so that a spec can change the state and see the library follow it.
import koffi from 'koffi';
import {
  FILE_DEVICE_CD_ROM, FILE_DEVICE_DISK, GET_STORAGE_DEPENDENCY_FLAG_DISK_HANDLE, INVALID_HANDLE_VALUE,
  IOCTL_STORAGE_GET_DEVICE_NUMBER, IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS,
} from '../../types/constants.ts';

export interface FakeVolume {
  /** '\\?\Volume{…}\' (with its trailing backslash). */
  name: string;
  /** What IOCTL_STORAGE_GET_DEVICE_NUMBER answers; undefined: it fails (a volume spanning disks). */
  device: { type: number; number: number; partition: number } | undefined;
  /** What IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS answers (one disk number per extent); undefined: it fails. */
  extents?: number[];
  mountPoints: string[];
  /** CreateFileW on it fails. */
  unopenable?: boolean;
}

export interface FakeDependencyEntry {
  flags: number;
  deviceId: number;
  ancestorLevel: number;
  device: string;
  host: string;
  dependent: string;
  relative: string;
}

export interface FakeHolder {
  pid: number;
  appName: string;
}

export interface DependencyCall {
  flags: number;
  size: number;
  /** The Version in the buffer when the call was made. */
  version: number;
}

export interface FakeDevices {
  volumes: FakeVolume[];
  /** Disk and CD-ROM devices CreateFileW opens (key: the path, lower case) and their STORAGE_DEVICE_NUMBER. */
  disks: Map<string, { type: number; number: number }>;
  /** The strings GetAllAttachedVirtualDiskPhysicalPaths lists. */
  attachedList: string[];
  /** GetVirtualDiskPhysicalPath's answer by image path (lower case); default: the fake's PHYSICAL_PATH. */
  physicalPaths: Map<string, string>;
  /** GetStorageDependencyInformation's entries by disk (the opened device path, lower case). */
  dependencies: Map<string, FakeDependencyEntry[]>;
  dependencyCalls: DependencyCall[];
  /** GetLogicalDrives. */
  drivesInUse: number;
  /** RmGetList's answer by registered file (lower case). */
  holders: Map<string, FakeHolder[]>;
  /** QueryFullProcessImageNameW's answer by pid; a pid without one cannot be opened. */
  programs: Map<number, string>;
  /** RmStartSession's result (0: a session). */
  rmStartResult: number;
  rmSessions: Set<number>;
  /** SetVolumeMountPointW fails with this last error when set. */
  setMountPointError: number | undefined;
  mountPointsSet: Array<{ mountPoint: string; volume: string }>;
  mountPointsDeleted: string[];
  /** FindFirstVolumeW search handles still open. */
  openSearches: Set<bigint>;
  /** Device handles (CreateFileW) still open. */
  openDevices: Set<bigint>;
}

interface FakeHost {
  fn: Record<string, unknown>;
  openHandles: Set<bigint>;
  lastError: number;
}

type Define = (name: string, behaviour: (...args: any[]) => unknown) => void;

const ERROR_FILE_NOT_FOUND = 2;
const ERROR_INVALID_FUNCTION = 1;
const ERROR_NO_MORE_FILES = 18;
const ERROR_INSUFFICIENT_BUFFER = 122;
const ERROR_MORE_DATA = 234;
const ERROR_VIRTDISK_NOT_VIRTUAL_DISK = 0xc03a0015;
const RM_PROCESS_INFO_SIZE = 668;

export const volumeName = (n: number) => `\\\\?\\Volume{00000000-0000-0000-0000-${n.toString(16).padStart(12, '0')}}\\`;

export function installFakeDevices(fake: FakeHost, define: Define, physicalPath: string): FakeDevices {
  const devices: FakeDevices = {
    volumes: [], disks: new Map(), attachedList: [], physicalPaths: new Map(), dependencies: new Map(), dependencyCalls: [],
    drivesInUse: 0, holders: new Map(), programs: new Map(), rmStartResult: 0, rmSessions: new Set(),
    setMountPointError: undefined, mountPointsSet: [], mountPointsDeleted: [], openSearches: new Set(), openDevices: new Set(),
  };
  let nextHandle = 0x10_0000n;
  let nextSession = 1;
  const targets = new Map<bigint, { volume?: FakeVolume; disk?: string }>();
  const searches = new Map<bigint, number>();
  const sessions = new Map<number, string[]>();
  const images = new Map<bigint, string>();
  const fail = (error: number, result: unknown) => {
    fake.lastError = error;
    return result;
  };
  const writeWide = (buffer: Buffer, text: string, at = 0) => buffer.write(`${text}\0`, at, 'utf16le');

  // OpenVirtualDisk again, remembering each handle's image for GetVirtualDiskPhysicalPath.
  define('OpenVirtualDisk', (_type, imagePath: string, _access, _flags, _parameters, handle: [bigint | null]) => {
    handle[0] = nextHandle++;
    fake.openHandles.add(handle[0]);
    images.set(handle[0], imagePath);
    return 0;
  });
  define('GetVirtualDiskPhysicalPath', (handle: bigint, size: [number], buffer: Buffer | null) => {
    const image = images.get(handle) ?? '';
    const text = `${devices.physicalPaths.get(image.toLowerCase()) ?? physicalPath}\0`;
    const needed = 2 * text.length;
    if (buffer === null || size[0] < needed) {
      size[0] = needed;
      return ERROR_INSUFFICIENT_BUFFER;
    }
    buffer.write(text, 'utf16le');
    size[0] = needed;
    return 0;
  });

  define('CreateFileW', (path: string) => {
    const volume = devices.volumes.find((v) => v.name.slice(0, -1).toLowerCase() === path.toLowerCase());
    const disk = devices.disks.has(path.toLowerCase()) ? path.toLowerCase() : undefined;
    if ((!volume || volume.unopenable) && !disk) return fail(ERROR_FILE_NOT_FOUND, INVALID_HANDLE_VALUE);
    const handle = nextHandle++;
    targets.set(handle, volume && !volume.unopenable ? { volume } : { disk: disk! });
    fake.openHandles.add(handle);
    devices.openDevices.add(handle);
    return handle;
  });
  // CloseHandle, as the fake's own, also forgetting device handles.
  define('CloseHandle', (handle: bigint) => {
    const known = fake.openHandles.delete(handle);
    devices.openDevices.delete(handle);
    if (!known) fake.lastError = 6;
    return known ? 1 : 0;
  });

  define('DeviceIoControl', (handle: bigint, code: number, _in, _inSize, out: Buffer, outSize: number, returned: [number]) => {
    returned[0] = 0;
    const target = targets.get(handle);
    if (!target) return fail(6, 0);
    if (code === IOCTL_STORAGE_GET_DEVICE_NUMBER) {
      const answer = target.volume
        ? target.volume.device
        : (() => { const d = devices.disks.get(target.disk!)!; return { type: d.type, number: d.number, partition: d.type === FILE_DEVICE_CD_ROM ? 0xffffffff : 0 }; })();
      if (!answer) return fail(ERROR_INVALID_FUNCTION, 0);
      if (outSize < 12) return fail(ERROR_INSUFFICIENT_BUFFER, 0);
      out.writeUInt32LE(answer.type, 0);
      out.writeUInt32LE(answer.number, 4);
      out.writeUInt32LE(answer.partition >>> 0, 8);
      returned[0] = 12;
      return 1;
    }
    if (code === IOCTL_VOLUME_GET_VOLUME_DISK_EXTENTS) {
      const extents = target.volume?.extents;
      if (!extents) return fail(ERROR_INVALID_FUNCTION, 0);
      if (outSize < 32) return fail(ERROR_INSUFFICIENT_BUFFER, 0);
      out.writeUInt32LE(extents.length, 0);
      if (outSize < 8 + 24 * extents.length) {
        returned[0] = 32;
        return fail(ERROR_MORE_DATA, 0);
      }
      extents.forEach((disk, i) => {
        out.writeUInt32LE(disk, 8 + 24 * i);
        out.writeBigInt64LE(BigInt(i) << 30n, 16 + 24 * i);
        out.writeBigInt64LE(1n << 30n, 24 + 24 * i);
      });
      returned[0] = 8 + 24 * extents.length;
      return 1;
    }
    return fail(ERROR_INVALID_FUNCTION, 0);
  });

  define('FindFirstVolumeW', (buffer: Buffer) => {
    const first = devices.volumes[0];
    if (!first) return fail(ERROR_NO_MORE_FILES, INVALID_HANDLE_VALUE);
    writeWide(buffer, first.name);
    const handle = nextHandle++;
    searches.set(handle, 1);
    devices.openSearches.add(handle);
    return handle;
  });
  define('FindNextVolumeW', (handle: bigint, buffer: Buffer) => {
    const at = searches.get(handle);
    if (at === undefined) return fail(6, 0);
    const volume = devices.volumes[at];
    if (!volume) return fail(ERROR_NO_MORE_FILES, 0);
    writeWide(buffer, volume.name);
    searches.set(handle, at + 1);
    return 1;
  });
  define('FindVolumeClose', (handle: bigint) => {
    searches.delete(handle);
    return devices.openSearches.delete(handle) ? 1 : fail(6, 0);
  });
  define('GetVolumePathNamesForVolumeNameW', (name: string, buffer: Buffer | null, size: number, needed: [number]) => {
    const volume = devices.volumes.find((v) => v.name === name);
    if (!volume) return fail(ERROR_FILE_NOT_FOUND, 0);
    const text = `${volume.mountPoints.map((point) => `${point}\0`).join('')}\0`;
    needed[0] = text.length;
    if (buffer === null || size < text.length) return fail(ERROR_MORE_DATA, 0);
    buffer.write(text, 'utf16le');
    return 1;
  });
  define('GetVolumeNameForVolumeMountPointW', (mountPoint: string, buffer: Buffer) => {
    const volume = devices.volumes.find((v) => v.mountPoints.some((point) => point.toLowerCase() === mountPoint.toLowerCase()));
    if (!volume) return fail(ERROR_FILE_NOT_FOUND, 0);
    writeWide(buffer, volume.name);
    return 1;
  });
  define('SetVolumeMountPointW', (mountPoint: string, volume: string) => {
    if (devices.setMountPointError !== undefined) return fail(devices.setMountPointError, 0);
    devices.mountPointsSet.push({ mountPoint, volume });
    devices.volumes.find((v) => v.name === volume)?.mountPoints.push(mountPoint);
    return 1;
  });
  define('DeleteVolumeMountPointW', (mountPoint: string) => {
    devices.mountPointsDeleted.push(mountPoint);
    for (const volume of devices.volumes) volume.mountPoints = volume.mountPoints.filter((point) => point !== mountPoint);
    return 1;
  });
  define('GetLogicalDrives', () => devices.drivesInUse);

  define('OpenProcess', (_access, _inherit, pid: number) => {
    if (!devices.programs.has(pid)) return fail(5, null);
    const handle = nextHandle++;
    targets.set(handle, { disk: `process:${pid}` });
    fake.openHandles.add(handle);
    return handle;
  });
  define('QueryFullProcessImageNameW', (handle: bigint, _flags, buffer: Buffer, size: [number]) => {
    const pid = Number(targets.get(handle)?.disk?.replace('process:', ''));
    const program = devices.programs.get(pid);
    if (program === undefined) return fail(6, 0);
    writeWide(buffer, program);
    size[0] = program.length;
    return 1;
  });

  define('GetAllAttachedVirtualDiskPhysicalPaths', (size: [number], buffer: Buffer | null) => {
    const text = devices.attachedList.length > 0 ? `${devices.attachedList.map((entry) => `${entry}\0`).join('')}\0` : '\0\0';
    const needed = 2 * text.length;
    if (size[0] < needed) {
      size[0] = needed;
      return ERROR_INSUFFICIENT_BUFFER;
    }
    if (buffer === null) return 87;
    buffer.write(text, 'utf16le');
    size[0] = needed;
    return 0;
  });
  define('GetStorageDependencyInformation', (handle: bigint, flags: number, size: number, info: bigint, used: [number] | null) => {
    const memory = Buffer.from(koffi.view(info, size));
    const version = size >= 4 ? memory.readUInt32LE(0) : 0;
    devices.dependencyCalls.push({ flags, size, version });
    if (version !== 1 && version !== 2) return 87;
    const disk = targets.get(handle)?.disk;
    const entries = (flags & GET_STORAGE_DEPENDENCY_FLAG_DISK_HANDLE) !== 0 && disk ? devices.dependencies.get(disk) : [];
    if (entries === undefined) return ERROR_VIRTDISK_NOT_VIRTUAL_DISK;
    const strings = entries.flatMap((e) => [e.device, e.host, e.dependent, e.relative]);
    const needed = 8 + 64 * entries.length + strings.reduce((sum, text) => sum + 2 * (text.length + 1), 0);
    if (used) used[0] = needed;
    if (size < needed) return ERROR_INSUFFICIENT_BUFFER;
    memory.writeUInt32LE(entries.length, 4);
    let at = 8 + 64 * entries.length;
    entries.forEach((entry, i) => {
      const base = 8 + 64 * i;
      memory.writeUInt32LE(entry.flags, base);
      memory.writeUInt32LE(0, base + 4);
      memory.writeUInt32LE(entry.deviceId, base + 8);
      memory.writeUInt32LE(entry.ancestorLevel, base + 28);
      [entry.device, entry.host, entry.dependent, entry.relative].forEach((text, k) => {
        memory.writeBigUInt64LE(info + BigInt(at), base + 32 + 8 * k);
        at += memory.write(`${text}\0`, at, 'utf16le');
      });
    });
    return 0;
  });

  define('RmStartSession', (session: [number], _flags, _key: Buffer) => {
    if (devices.rmStartResult !== 0) return devices.rmStartResult;
    session[0] = nextSession++;
    devices.rmSessions.add(session[0]);
    sessions.set(session[0], []);
    return 0;
  });
  define('RmRegisterResources', (session: number, count: number, files: string[]) => {
    const registered = sessions.get(session);
    if (!registered) return 6;
    registered.push(...files.slice(0, count));
    return 0;
  });
  define('RmGetList', (session: number, needed: [number], count: [number], buffer: Buffer | null, reasons: [number]) => {
    const registered = sessions.get(session);
    if (!registered) return 6;
    const holders = registered.flatMap((file) => devices.holders.get(file.toLowerCase()) ?? []);
    needed[0] = holders.length;
    reasons[0] = 0;
    if (count[0] < holders.length || (holders.length > 0 && buffer === null)) return ERROR_MORE_DATA;
    holders.forEach((holder, i) => {
      buffer!.writeUInt32LE(holder.pid, RM_PROCESS_INFO_SIZE * i);
      buffer!.write(`${holder.appName}\0`, RM_PROCESS_INFO_SIZE * i + 12, 'utf16le');
    });
    count[0] = holders.length;
    return 0;
  });
  define('RmEndSession', (session: number) => {
    sessions.delete(session);
    return devices.rmSessions.delete(session) ? 0 : 6;
  });
  return devices;
}

/** A disk with volumes, as a spec sets one up: disk `number`, one volume per mount point list. */
export function addDisk(devices: FakeDevices, number: number, volumes: string[][], firstVolume = 0x100 + number * 0x10): FakeVolume[] {
  devices.disks.set(`\\\\.\\physicaldrive${number}`, { type: FILE_DEVICE_DISK, number });
  return volumes.map((mountPoints, i) => {
    const volume: FakeVolume = { name: volumeName(firstVolume + i), device: { type: FILE_DEVICE_DISK, number, partition: i + 1 }, mountPoints };
    devices.volumes.push(volume);
    return volume;
  });
}
