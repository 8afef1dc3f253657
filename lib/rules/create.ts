// CreateVirtualDisk: options → SDK-level arguments, and the documented rules. Pure: no DLL, works on every OS.
// Sources: the CreateVirtualDisk page (its ERROR_INVALID_PARAMETER list is Windows 7-era: what it lists keeps
// errno 87, the rest gets codes of its own), the CREATE_VIRTUAL_DISK_PARAMETERS page, and Microsoft's sample
// (shared/reference/virtdisk-api.md §3.1).
import path from 'node:path';
import type { CreateVirtualDiskOptions, StorageType } from '../../types/index.ts';
import {
  CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION, CREATE_VIRTUAL_DISK_FLAG_NONE,
  CREATE_VIRTUAL_DISK_FLAG_PREVENT_WRITES_TO_SOURCE_DISK, CREATE_VIRTUAL_DISK_VERSION_2,
  VIRTUAL_DISK_ACCESS_NONE, VIRTUAL_STORAGE_TYPE_DEVICE_UNKNOWN, VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT,
  VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN,
} from '../../types/constants.ts';
import type { GuidValue, VirtualStorageTypeValue } from '../../ffi/types.ts';
import { InvalidArgumentError, InvalidParameterError, PreconditionError } from '../errors.ts';
import { parseGuid, ZERO_GUID } from '../guid.ts';
import { CREATE_OPTION_KINDS, snapshotOptions, type OptionsSnapshot, type Snapshot } from '../options.ts';
import { DEVICE_IDS, storageTypeFromPath } from '../storage-type.ts';
import { CREATE_VERSION_2, describeThreshold } from '../windows-build.ts';
import { buildOf, fail, type Verdict } from './common.ts';
import { resolveImagePath } from './open.ts';

const SYSCALL = 'CreateVirtualDisk';
const CREATE_PAGE = 'CreateVirtualDisk';
const PARAMETERS_PAGE = 'CREATE_VIRTUAL_DISK_PARAMETERS';
const MiB = 1024n * 1024n;
/** "MaximumSize … less than 3 MB" is refused (the CreateVirtualDisk page). */
export const MINIMUM_SIZE = 3n * MiB;

export type CreateOptionsSnapshot = OptionsSnapshot<typeof CREATE_OPTION_KINDS>;

/** CreateVirtualDisk's arguments, with the paths as strings (the library copies them to native memory for the call). */
export interface CreateCall {
  storageType: 'vhd' | 'vhdx';
  VirtualStorageType: VirtualStorageTypeValue;
  Path: string;
  VirtualDiskAccessMask: number;
  /** SDDL; converted to a SECURITY_DESCRIPTOR for the call. */
  SecurityDescriptor: string | undefined;
  Flags: number;
  ProviderSpecificFlags: number;
  Parameters: {
    Version: 2;
    Version2: {
      UniqueId: GuidValue;
      MaximumSize: bigint;
      BlockSizeInBytes: number;
      SectorSizeInBytes: number;
      PhysicalSectorSizeInBytes: number;
      ParentPath: string | null;
      SourcePath: string | null;
      OpenFlags: number;
      ParentVirtualStorageType: VirtualStorageTypeValue;
      SourceVirtualStorageType: VirtualStorageTypeValue;
      ResiliencyGuid: GuidValue;
    };
  };
}

export interface CreateRequest {
  call: CreateCall;
  options: CreateOptionsSnapshot;
}

/**
 * Would creating this image be accepted? The arguments, or the refusal: ERR_INVALID_ARG_* for arguments;
 * ERROR_INVALID_PARAMETER (errno 87) for what the CreateVirtualDisk page lists (size under 3 MiB or not a
 * multiple of the sector size, a VHD block size other than 512 KiB or 2 MiB, version 2 parameters before
 * Windows 8); ERR_CONFLICTING_OPTIONS, ERR_INVALID_BLOCK_SIZE, ERR_INVALID_SECTOR_SIZE, ERR_UNSUPPORTED_STORAGE_TYPE
 * for the parameters page's other rules. Whether the file exists is checked by createVirtualDisk().
 */
export function checkCreate(imagePath: unknown, options?: CreateVirtualDiskOptions): Verdict<CreateCall> {
  const request = readCreateRequest(imagePath, options);
  return request.ok ? { ok: true, call: request.value.call } : request;
}

export function readCreateRequest(imagePath: unknown, options: unknown): Snapshot<CreateRequest> {
  const fullPath = resolveImagePath(SYSCALL, imagePath);
  if (!fullPath.ok) return fullPath;
  const read = snapshotOptions(SYSCALL, options, CREATE_OPTION_KINDS, fullPath.value);
  if (!read.ok) return read;
  return createRequest(fullPath.value, read.value);
}

function createRequest(Path: string, options: CreateOptionsSnapshot): Snapshot<CreateRequest> {
  const rule = (code: string, parameter: string, problem: string, ruleText: string, fix: string) =>
    fail(new PreconditionError(code, { syscall: SYSCALL, parameter, path: Path, problem, rule: ruleText, fix }));
  const invalid = (parameter: string, problem: string, ruleText: string, fix: string) =>
    fail(new InvalidParameterError({ syscall: SYSCALL, parameter, path: Path, problem, rule: ruleText, fix }));

  const storageType: StorageType | undefined = options.storageType ?? storageTypeFromPath(Path);
  if (storageType !== 'vhd' && storageType !== 'vhdx') {
    return fail(new InvalidArgumentError('ERR_INVALID_ARG_VALUE', {
      syscall: SYSCALL, parameter: 'storageType', path: Path,
      problem: storageType === undefined ? `the extension of '${Path}' names no virtual disk type.` : `createVirtualDisk makes VHD and VHDX images, not ${storageType === 'iso' ? 'ISO images' : 'VHD Sets'}.`,
      expected: "'vhd' or 'vhdx' (from a .vhd or .vhdx extension, or given)",
    }));
  }
  const build = buildOf(options.windowsBuild);
  if (build !== undefined && build < CREATE_VERSION_2.firstBuild) {
    return invalid('Parameters.Version', `Windows build ${build} predates CREATE_VIRTUAL_DISK_VERSION_2 (${describeThreshold(CREATE_VERSION_2)}).`,
      'The Version member of the Parameters parameter is not set to CREATE_VIRTUAL_DISK_VERSION_1 or CREATE_VIRTUAL_DISK_VERSION_2 (version 2: Windows 8 and later).',
      'Create images on Windows 8 / Server 2012 or later.');
  }

  const { parent, source, size } = options;
  const fixed = options.type === 'fixed';
  if (parent !== undefined && source !== undefined) {
    return rule('ERR_CONFLICTING_OPTIONS', 'source', 'parent makes a differencing disk and source copies an image; they exclude each other.',
      `${PARAMETERS_PAGE}: "ParentPath" and "SourcePath" are mutually exclusive (differencing: ParentPath set, no SourcePath).`, 'Pass one of parent and source.');
  }
  if (parent !== undefined && size !== undefined) {
    return rule('ERR_CONFLICTING_OPTIONS', 'size', 'a differencing disk takes its parent\'s size.',
      `${PARAMETERS_PAGE}: MaximumSize must be 0 when ParentPath is set.`, 'Leave size out with parent.');
  }
  if (parent !== undefined && fixed) {
    return rule('ERR_CONFLICTING_OPTIONS', 'type', 'a differencing disk cannot be fixed.',
      `${CREATE_PAGE}: differencing disks are created without CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION.`, "Leave type out (or 'dynamic') with parent.");
  }
  if (size === undefined && parent === undefined && source === undefined) {
    return fail(new InvalidArgumentError('ERR_INVALID_ARG_VALUE', {
      syscall: SYSCALL, parameter: 'size', path: Path, problem: 'no size was given.',
      expected: 'given (bytes, at least 3 MiB) unless parent or source is', fix: 'Pass size, e.g. size: 64n * 1024n ** 3n for 64 GiB.',
    }));
  }

  const logical = options.logicalSectorSize ?? 512;
  if (storageType === 'vhd' && (options.logicalSectorSize === 4096 || options.physicalSectorSize === 4096)) {
    const parameter = options.logicalSectorSize === 4096 ? 'logicalSectorSize' : 'physicalSectorSize';
    return rule('ERR_INVALID_SECTOR_SIZE', parameter, 'a VHD has 512-byte sectors only.',
      `${PARAMETERS_PAGE}: SectorSizeInBytes "for VHD … must be 512"; the sample's table: VHD PhysicalSectorSize 512.`, 'Use a .vhdx image for 4096-byte sectors.');
  }
  if (size !== undefined && size !== 0n) {
    if (size < MINIMUM_SIZE) {
      return invalid('Parameters.MaximumSize', `size ${size} bytes is under 3 MiB.`, 'The MaximumSize member of the Parameters parameter is less than 3 MB.', 'Pass at least 3 MiB (3145728 bytes).');
    }
    if (size % BigInt(logical) !== 0n) {
      return invalid('Parameters.MaximumSize', `size ${size} bytes is not a multiple of the ${logical}-byte sector.`,
        'The MaximumSize member of the Parameters parameter is not aligned with the SectorSizeInBytes member.', `Round size to a multiple of ${logical}.`);
    }
  }
  if (size === 0n && source === undefined) {
    return fail(new InvalidArgumentError('ERR_INVALID_ARG_VALUE', {
      syscall: SYSCALL, parameter: 'size', path: Path, problem: 'size is 0.', expected: 'at least 3 MiB (0 means "the source\'s size" only with source)',
    }));
  }

  const blockSize = options.blockSize;
  if (blockSize !== undefined) {
    if (fixed) {
      return rule('ERR_INVALID_BLOCK_SIZE', 'blockSize', 'a fixed disk has no blocks to size.',
        `${PARAMETERS_PAGE}: BlockSizeInBytes for a fixed VHD "must be 0"; the sample's table: fixed 0 for VHD and VHDX.`, 'Leave blockSize out with type: \'fixed\'.');
    }
    if (storageType === 'vhd' && blockSize !== 512n * 1024n && blockSize !== 2n * MiB) {
      return invalid('Parameters.BlockSizeInBytes', `blockSize ${blockSize} is not 512 KiB or 2 MiB.`,
        'The BlockSizeInBytes member of the Parameters parameter is not 0, CREATE_VIRTUAL_DISK_PARAMETERS_DEFAULT_BLOCK_SIZE, 0x80000 (512 KB) or 0x200000 (2 MB).',
        'Pass 524288 or 2097152, or leave blockSize out.');
    }
    if (storageType === 'vhdx' && (blockSize % MiB !== 0n || blockSize < MiB || blockSize > 256n * MiB)) {
      return rule('ERR_INVALID_BLOCK_SIZE', 'blockSize', `blockSize ${blockSize} is not a multiple of 1 MiB from 1 to 256 MiB.`,
        `${PARAMETERS_PAGE}: for VHDX, BlockSizeInBytes "must be a multiple of 1 MB between 1 and 256 MB".`, 'Pass e.g. 33554432 (32 MiB, the default), or leave blockSize out.');
    }
  }

  const storage = (DeviceId: number): VirtualStorageTypeValue => ({ DeviceId, VendorId: VIRTUAL_STORAGE_TYPE_VENDOR_MICROSOFT });
  const unknown: VirtualStorageTypeValue = { DeviceId: VIRTUAL_STORAGE_TYPE_DEVICE_UNKNOWN, VendorId: VIRTUAL_STORAGE_TYPE_VENDOR_UNKNOWN };
  const typeOf = (file: string | undefined) => {
    const type = file === undefined ? undefined : storageTypeFromPath(file);
    return type === undefined ? unknown : storage(DEVICE_IDS[type]);
  };
  const fullyQualified = (file: string | undefined) => (file === undefined || file.startsWith('\\\\') ? file ?? null : path.win32.resolve(file));
  const physicalSource = source !== undefined && /^\\\\[.?]\\PhysicalDrive\d+$/i.test(source);
  const Flags = (fixed ? CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION : CREATE_VIRTUAL_DISK_FLAG_NONE)
    // "highly recommended for creates from source disk" (the CREATE_VIRTUAL_DISK_FLAG page)
    | (physicalSource ? CREATE_VIRTUAL_DISK_FLAG_PREVENT_WRITES_TO_SOURCE_DISK : 0);

  return {
    ok: true,
    value: {
      options,
      call: {
        storageType,
        VirtualStorageType: storage(DEVICE_IDS[storageType]),
        Path,
        VirtualDiskAccessMask: VIRTUAL_DISK_ACCESS_NONE, // the only mask version 2 takes (the page)
        SecurityDescriptor: options.securityDescriptor,
        Flags,
        ProviderSpecificFlags: 0,
        Parameters: {
          Version: CREATE_VIRTUAL_DISK_VERSION_2,
          Version2: {
            UniqueId: options.uniqueId === undefined ? ZERO_GUID : parseGuid(options.uniqueId)!,
            MaximumSize: size ?? 0n,
            BlockSizeInBytes: Number(blockSize ?? 0n),
            SectorSizeInBytes: options.logicalSectorSize ?? 0,
            PhysicalSectorSizeInBytes: options.physicalSectorSize ?? 0,
            ParentPath: fullyQualified(parent),
            SourcePath: physicalSource ? source! : fullyQualified(source),
            OpenFlags: 0,
            ParentVirtualStorageType: typeOf(parent),
            SourceVirtualStorageType: physicalSource ? unknown : typeOf(source),
            ResiliencyGuid: ZERO_GUID,
          },
        },
      },
    },
  };
}
