// A disk with one RAW volume at a drive letter, from the fakedisk driver of the Wine tier
// (shared/wine/fakedisk/README.md): IOCTL_FAKEDISK_ADD_DISK on \\.\FakeDiskControl (with a backing folder for the
// volume's files), then a GPT layout with one basic-data partition written as Windows tools write it
// (IOCTL_DISK_CREATE_DISK, IOCTL_DISK_SET_DRIVE_LAYOUT_EX: hand-built SDK structures), then a wait for the volume's
// drive letter (IOCTL_FAKEDISK_QUERY). remove() takes the disk away (closing the control handle would too).
// Everything here is synchronous koffi on the spec's thread: a spec helper, not library code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import koffi from 'koffi';

const GENERIC_READ = 0x80000000;
const GENERIC_WRITE = 0x40000000;
const FILE_SHARE_READ_WRITE = 0x3;
const OPEN_EXISTING = 3;
const IOCTL_FAKEDISK_ADD_DISK = 0x8fd0e000;
const IOCTL_FAKEDISK_REMOVE_DISK = 0x8fd0e004;
const IOCTL_FAKEDISK_QUERY = 0x8fd0600c;
const IOCTL_DISK_CREATE_DISK = 0x0007c058; // CTL_CODE(IOCTL_DISK_BASE, 0x0016, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
const IOCTL_DISK_SET_DRIVE_LAYOUT_EX = 0x0007c054; // CTL_CODE(IOCTL_DISK_BASE, 0x0015, …)
const ERROR_ALREADY_EXISTS = 183;
const PARTITION_STYLE_GPT = 1;
const MiB = 1024 * 1024;
const GPT_BASIC_DATA_ATTRIBUTE_READ_ONLY = 0x1000000000000000n;
/** PARTITION_BASIC_DATA_GUID {EBD0A0A2-B9E5-4433-87C0-68B6B72699C7}, as GUID bytes (Data1-3 little-endian). */
const BASIC_DATA = Buffer.from([0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7]);

/** FAKEDISK_DISK_INFO.VolumeState */
export const VOLUME_STATE = { none: 0, arriving: 1, raw: 2, formatted: 3, changing: 4 } as const;

interface Kernel32 {
  CreateFileW(name: string, access: number, share: number, security: null, disposition: number, flags: number, template: null): unknown;
  DeviceIoControl(handle: unknown, code: number, input: Buffer | null, inputLength: number, output: Buffer | null, outputLength: number, returned: [number], overlapped: null): number;
  CloseHandle(handle: unknown): number;
  GetLastError(): number;
  GetVolumeInformationW(root: string, label: Buffer, labelSize: number, serial: null, maxComponent: null, flags: null, fsName: Buffer, fsNameSize: number): number;
}

let k32: Kernel32 | undefined;
function kernel32(): Kernel32 {
  if (k32) return k32;
  const dll = koffi.load('kernel32.dll');
  const HANDLE = 'void *'; // koffi 3: a bigint
  k32 = {
    CreateFileW: dll.func('__stdcall', 'CreateFileW', HANDLE, ['str16', 'uint32', 'uint32', 'void *', 'uint32', 'uint32', 'void *']),
    DeviceIoControl: dll.func('__stdcall', 'DeviceIoControl', 'int32', [HANDLE, 'uint32', 'void *', 'uint32', 'void *', 'uint32', koffi.out(koffi.pointer('uint32')), 'void *']),
    CloseHandle: dll.func('__stdcall', 'CloseHandle', 'int32', [HANDLE]),
    GetLastError: dll.func('__stdcall', 'GetLastError', 'uint32', []),
    GetVolumeInformationW: dll.func('__stdcall', 'GetVolumeInformationW', 'int32', ['str16', 'void *', 'uint32', 'void *', 'void *', 'void *', 'void *', 'uint32']),
  } as unknown as Kernel32;
  return k32;
}

function open(name: string): unknown {
  const handle = kernel32().CreateFileW(name, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ_WRITE, null, OPEN_EXISTING, 0, null);
  const value = typeof handle === 'bigint' ? BigInt.asUintN(64, handle) : 0n;
  if (value === 0n || value === 0xffffffffffffffffn) {
    throw new Error(`cannot open ${name}: error ${kernel32().GetLastError()}`);
  }
  return handle;
}

function ioctl(handle: unknown, code: number, input: Buffer | null, output: Buffer | null = null): { ok: boolean; error: number; returned: number } {
  const returned: [number] = [0];
  const ok = kernel32().DeviceIoControl(handle, code, input, input?.length ?? 0, output, output?.length ?? 0, returned, null) !== 0;
  return { ok, error: ok ? 0 : kernel32().GetLastError(), returned: returned[0] };
}

export interface FakeDiskEntry {
  diskNumber: number;
  volumeState: number;
  driveLetter: string;
  volumeName: string;
}

export interface FakeDiskVolume {
  diskNumber: number;
  /** The backing folder of the volume's files (a Windows path). */
  folder: string;
  /** 'Q:\' */
  letter: string;
  /** '\\?\Volume{…}\' */
  volumeName: string;
  /** The driver's entry for this disk now. */
  query(): FakeDiskEntry | undefined;
  /** GetVolumeInformationW on the GUID path: the file system and label, or the Win32 error (1005: RAW). */
  volumeInformation(): { fileSystem: string; label: string } | { error: number };
  remove(): void;
}

/** Adds a disk of `sizeMiB` MiB, writes its GPT layout, and waits (up to 10 s) for its volume's drive letter. */
export function addFakeDiskVolume(options: { sizeMiB?: number; firstLetter?: string; readOnlyPartition?: boolean } = {}): FakeDiskVolume {
  const size = (options.sizeMiB ?? 64) * MiB;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-format-'));
  const folder = path.win32.join(path.win32.resolve(dir), 'volume');
  const control = open('\\\\.\\FakeDiskControl');
  let diskNumber = 0;
  try {
    const folderBytes = Buffer.from(folder, 'utf16le');
    for (let candidate = 40; candidate < 99 && diskNumber === 0; candidate++) {
      const input = Buffer.alloc(56 + folderBytes.length);
      input.writeUInt32LE(1, 0); // Version
      input.writeUInt32LE(candidate, 4);
      input.writeBigUInt64LE(BigInt(size), 8);
      input.writeUInt32LE(512, 16);
      input.writeUInt32LE(512, 20);
      input.writeUInt16LE((options.firstLetter ?? 'Q').charCodeAt(0), 28);
      input.writeUInt32LE(56, 44); // BackingFolderOffset
      input.writeUInt32LE(folderBytes.length, 48);
      folderBytes.copy(input, 56);
      const added = ioctl(control, IOCTL_FAKEDISK_ADD_DISK, input);
      if (added.ok) diskNumber = candidate;
      else if (added.error !== ERROR_ALREADY_EXISTS) throw new Error(`IOCTL_FAKEDISK_ADD_DISK: error ${added.error}`);
    }
    if (diskNumber === 0) throw new Error('no free fake disk number');
    writeGptLayout(`\\\\.\\PhysicalDrive${diskNumber}`, size, options.readOnlyPartition ? GPT_BASIC_DATA_ATTRIBUTE_READ_ONLY : 0n);
  } catch (error) {
    kernel32().CloseHandle(control);
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const query = (): FakeDiskEntry | undefined => {
    const out = Buffer.alloc(16 + 184 * 16);
    const answered = ioctl(control, IOCTL_FAKEDISK_QUERY, null, out);
    if (!answered.ok) throw new Error(`IOCTL_FAKEDISK_QUERY: error ${answered.error}`);
    const count = Math.min(out.readUInt32LE(4), 16);
    for (let i = 0; i < count; i++) {
      const at = 16 + 184 * i;
      if (out.readUInt32LE(at) !== diskNumber) continue;
      const letter = out.readUInt16LE(at + 44);
      return {
        diskNumber,
        volumeState: out.readUInt32LE(at + 40),
        driveLetter: letter === 0 ? '' : `${String.fromCharCode(letter)}:\\`,
        volumeName: out.toString('utf16le', at + 56, at + 56 + 128).split('\0')[0]!,
      };
    }
    return undefined;
  };
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    const number = Buffer.alloc(4);
    number.writeUInt32LE(diskNumber, 0);
    ioctl(control, IOCTL_FAKEDISK_REMOVE_DISK, number);
    kernel32().CloseHandle(control);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  let entry = query();
  while (!(entry && entry.driveLetter && entry.volumeName && entry.volumeState === VOLUME_STATE.raw) && Date.now() < deadline) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    entry = query();
  }
  if (!entry?.driveLetter || !entry.volumeName) {
    remove();
    throw new Error(`the fake disk ${diskNumber}'s volume did not arrive: ${JSON.stringify(entry)}`);
  }
  const { driveLetter, volumeName } = entry;
  return {
    diskNumber, folder, letter: driveLetter, volumeName, query, remove,
    volumeInformation() {
      const label = Buffer.alloc(2 * 261);
      const fileSystem = Buffer.alloc(2 * 261);
      if (!kernel32().GetVolumeInformationW(volumeName, label, 261, null, null, null, fileSystem, 261)) return { error: kernel32().GetLastError() };
      const text = (buffer: Buffer) => buffer.toString('utf16le').split('\0')[0]!;
      return { fileSystem: text(fileSystem), label: text(label) };
    },
  };
}

/** IOCTL_DISK_CREATE_DISK (GPT) then IOCTL_DISK_SET_DRIVE_LAYOUT_EX with one basic-data partition from 1 MiB to 1 MiB before the end. */
function writeGptLayout(disk: string, size: number, attributes: bigint): void {
  const handle = open(disk);
  try {
    const create = Buffer.alloc(24); // CREATE_DISK: PartitionStyle, then CREATE_DISK_GPT { GUID DiskId (0: the driver picks one); MaxPartitionCount }
    create.writeUInt32LE(PARTITION_STYLE_GPT, 0);
    create.writeUInt32LE(128, 20);
    const created = ioctl(handle, IOCTL_DISK_CREATE_DISK, create);
    if (!created.ok) throw new Error(`IOCTL_DISK_CREATE_DISK: error ${created.error}`);

    const layout = Buffer.alloc(48 + 144); // DRIVE_LAYOUT_INFORMATION_EX with one PARTITION_INFORMATION_EX
    layout.writeUInt32LE(PARTITION_STYLE_GPT, 0);
    layout.writeUInt32LE(1, 4); // PartitionCount
    // DRIVE_LAYOUT_INFORMATION_GPT at 8: DiskId (zero: keep), StartingUsableOffset, UsableLength, MaxPartitionCount
    layout.writeBigInt64LE(34n * 512n, 24);
    layout.writeBigInt64LE(BigInt(size) - 67n * 512n, 32);
    layout.writeUInt32LE(128, 40);
    const entry = 48;
    layout.writeUInt32LE(PARTITION_STYLE_GPT, entry);
    layout.writeBigInt64LE(BigInt(MiB), entry + 8); // StartingOffset
    layout.writeBigInt64LE(BigInt(size - 2 * MiB), entry + 16); // PartitionLength
    layout.writeUInt32LE(1, entry + 24); // PartitionNumber
    layout.writeUInt8(1, entry + 28); // RewritePartition
    BASIC_DATA.copy(layout, entry + 32); // PARTITION_INFORMATION_GPT.PartitionType; PartitionId zero: the driver picks one
    layout.writeBigUInt64LE(attributes, entry + 64);
    Buffer.from('Basic data partition', 'utf16le').copy(layout, entry + 72);
    const set = ioctl(handle, IOCTL_DISK_SET_DRIVE_LAYOUT_EX, layout);
    if (!set.ok) throw new Error(`IOCTL_DISK_SET_DRIVE_LAYOUT_EX: error ${set.error}`);
  } finally {
    kernel32().CloseHandle(handle);
  }
}
