// Raw access to fakedisk.sys disks for the specs (spec/windows/fakedisk.spec.ts and its child process): kernel32
// through the library's raw layer (ffi/index.ts), SDK structures built by hand at their x64 offsets.
import { expect } from 'chai';
import { bindings } from '../../ffi/index.ts';

export const MiB = 1024 * 1024;
export const DISK_SIZE = 64 * MiB;

export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
export const FILE_SHARE_READ_WRITE = 0x3;
export const OPEN_EXISTING = 3;
export const INVALID_HANDLE_VALUE = 0xffffffffffffffffn;

export const IOCTL_STORAGE_GET_DEVICE_NUMBER = 0x002d1080;
export const IOCTL_DISK_GET_LENGTH_INFO = 0x0007405c;
export const IOCTL_DISK_CREATE_DISK = 0x0007c058;
export const IOCTL_DISK_SET_DRIVE_LAYOUT_EX = 0x0007c054;
export const IOCTL_DISK_GET_DRIVE_LAYOUT_EX = 0x00070050;
export const IOCTL_DISK_GET_DISK_ATTRIBUTES = 0x000700f0;
export const IOCTL_DISK_ARE_VOLUMES_READY = 0x0007421c;
export const IOCTL_FAKEDISK_QUERY = 0x8fd0600c;
export const FILE_DEVICE_DISK = 7;
export const DISK_ATTRIBUTE_OFFLINE = 1n;
export const ERROR_WRITE_PROTECT = 19;
export const ERROR_NO_MORE_FILES = 18;

export const PARTITION_STYLE_GPT = 1;
export const BASIC_DATA = 'EBD0A0A2-B9E5-4433-87C0-68B6B72699C7';
export const PARTITION_OFFSET = 1 * MiB;
export const PARTITION_LENGTH = 32 * MiB;

/** A GUID string in its in-memory (mixed-endian) form. */
export function guidBytes(text: string): Buffer {
  const hex = text.replace(/[{}-]/g, '');
  const b = Buffer.from(hex, 'hex');
  const out = Buffer.alloc(16);
  out.writeUInt32LE(b.readUInt32BE(0), 0);
  out.writeUInt16LE(b.readUInt16BE(4), 4);
  out.writeUInt16LE(b.readUInt16BE(6), 6);
  b.copy(out, 8, 8, 16);
  return out;
}
export const DISK_ID = guidBytes('6A4F0C1E-0D2B-4C7A-9E51-3B8D2F1A7C90');
export const PARTITION_ID = guidBytes('1C2D3E4F-5A6B-4C7D-8E9F-A0B1C2D3E4F5');

/** CREATE_DISK (24 bytes): PartitionStyle@0, Gpt.DiskId@4, Gpt.MaxPartitionCount@20. */
export function createDiskGpt(): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(PARTITION_STYLE_GPT, 0);
  DISK_ID.copy(b, 4);
  b.writeUInt32LE(128, 20);
  return b;
}

/** DRIVE_LAYOUT_INFORMATION_EX (48-byte header) with one GPT basic-data PARTITION_INFORMATION_EX (144 bytes). */
export function gptLayout(): Buffer {
  const b = Buffer.alloc(48 + 144);
  b.writeUInt32LE(PARTITION_STYLE_GPT, 0);
  b.writeUInt32LE(1, 4);
  DISK_ID.copy(b, 8);
  b.writeBigUInt64LE(34n * 512n, 24); // StartingUsableOffset
  b.writeBigUInt64LE(BigInt(DISK_SIZE) - 67n * 512n, 32); // UsableLength
  b.writeUInt32LE(128, 40);
  const e = 48;
  b.writeUInt32LE(PARTITION_STYLE_GPT, e);
  b.writeBigUInt64LE(BigInt(PARTITION_OFFSET), e + 8);
  b.writeBigUInt64LE(BigInt(PARTITION_LENGTH), e + 16);
  b.writeUInt32LE(1, e + 24); // PartitionNumber
  b.writeUInt8(1, e + 28); // RewritePartition
  guidBytes(BASIC_DATA).copy(b, e + 32);
  PARTITION_ID.copy(b, e + 48);
  b.writeBigUInt64LE(0n, e + 64); // Attributes
  b.write('fakedisk spec', e + 72, 'utf16le');
  return b;
}

export interface Ioctl { ok: boolean; error: number; bytes: number; out: Buffer }

export const k32 = () => bindings().kernel32;

export function open(path: string, access = GENERIC_READ | GENERIC_WRITE): { handle?: bigint; error: number } {
  const h = k32().CreateFileW(path, access, FILE_SHARE_READ_WRITE, null, OPEN_EXISTING, 0, null);
  const error = k32().GetLastError();
  if (typeof h !== 'bigint' || h === 0n || BigInt.asUintN(64, h) === INVALID_HANDLE_VALUE) return { error };
  return { handle: h, error: 0 };
}

export function ioctl(handle: bigint, code: number, input: Buffer | null, outSize: number): Ioctl {
  const out = Buffer.alloc(outSize);
  const bytes: [number] = [0];
  const ok = k32().DeviceIoControl(handle, code, input, input ? input.length : 0, outSize ? out : null, outSize, bytes, null) !== 0;
  const error = ok ? 0 : k32().GetLastError();
  return { ok, error, bytes: bytes[0], out };
}

/** Runs `use` on the device at `path` (opened read/write), closing it afterwards. */
export function withDevice<T>(path: string, use: (handle: bigint) => T): T {
  const { handle, error } = open(path);
  if (handle === undefined) throw new Error(`${path} does not open (error ${error})`);
  try {
    return use(handle);
  } finally {
    k32().CloseHandle(handle);
  }
}

export interface FakeDiskInfo { diskNumber: number; flags: number; attributes: bigint; volumeState: number; driveLetter: string; volumeName: string }

/** IOCTL_FAKEDISK_QUERY through a control handle of the spec's own: every fakedisk.sys disk of the session. */
export function fakeDisks(): FakeDiskInfo[] {
  return withDevice('\\\\.\\FakeDiskControl', (h) => {
    const r = ioctl(h, IOCTL_FAKEDISK_QUERY, null, 16 + 64 * 184);
    if (!r.ok) throw new Error(`IOCTL_FAKEDISK_QUERY: ${r.error}`);
    const count = Math.min(r.out.readUInt32LE(4), 64);
    const disks: FakeDiskInfo[] = [];
    for (let i = 0; i < count; i++) {
      const at = 16 + 184 * i;
      const letter = r.out.readUInt16LE(at + 44);
      disks.push({
        diskNumber: r.out.readUInt32LE(at),
        flags: r.out.readUInt32LE(at + 4),
        attributes: r.out.readBigUInt64LE(at + 32),
        volumeState: r.out.readUInt32LE(at + 40),
        driveLetter: letter ? String.fromCharCode(letter) : '',
        volumeName: r.out.toString('utf16le', at + 56, at + 56 + 128).split('\0')[0]!,
      });
    }
    return disks;
  });
}

export function diskNumberOf(physicalPath: string): number {
  return Number(/PhysicalDrive(\d+)$/i.exec(physicalPath)![1]);
}

/** The volumes FindFirstVolumeW lists whose IOCTL_STORAGE_GET_DEVICE_NUMBER names disk `n`, with their mount points. */
export function volumesOfDisk(n: number): { name: string; paths: string[] }[] {
  const name = Buffer.alloc(2 * 260);
  const find = k32().FindFirstVolumeW(name, 260);
  if (typeof find !== 'bigint' || BigInt.asUintN(64, find) === INVALID_HANDLE_VALUE) return [];
  const found: { name: string; paths: string[] }[] = [];
  try {
    for (;;) {
      const volume = name.toString('utf16le').split('\0')[0]!;
      const { handle } = open(volume.replace(/\\$/, ''), 0);
      if (handle !== undefined) {
        const r = ioctl(handle, IOCTL_STORAGE_GET_DEVICE_NUMBER, null, 12);
        k32().CloseHandle(handle);
        if (r.ok && r.out.readUInt32LE(0) === FILE_DEVICE_DISK && r.out.readUInt32LE(4) === n) {
          const paths = Buffer.alloc(2 * 512);
          const length: [number] = [0];
          const ok = k32().GetVolumePathNamesForVolumeNameW(volume, paths, 512, length);
          found.push({ name: volume, paths: ok ? paths.toString('utf16le', 0, 2 * length[0]).split('\0').filter(Boolean) : [] });
        }
      }
      name.fill(0);
      if (!k32().FindNextVolumeW(find, name, 260)) {
        expect(k32().GetLastError()).to.equal(ERROR_NO_MORE_FILES);
        break;
      }
    }
  } finally {
    k32().FindVolumeClose(find);
  }
  return found;
}

/** CREATE_DISK (GPT) + SET_DRIVE_LAYOUT_EX (one basic-data partition) + ARE_VOLUMES_READY on the disk. */
export function partition(physicalPath: string): void {
  withDevice(physicalPath, (h) => {
    const create = ioctl(h, IOCTL_DISK_CREATE_DISK, createDiskGpt(), 0);
    expect(create, 'IOCTL_DISK_CREATE_DISK').to.include({ ok: true });
    const set = ioctl(h, IOCTL_DISK_SET_DRIVE_LAYOUT_EX, gptLayout(), 0);
    expect(set, 'IOCTL_DISK_SET_DRIVE_LAYOUT_EX').to.include({ ok: true });
    expect(ioctl(h, IOCTL_DISK_ARE_VOLUMES_READY, null, 0), 'IOCTL_DISK_ARE_VOLUMES_READY').to.include({ ok: true });
  });
}

