// A dry run of the promise API: the same functions and VirtualDisk methods, checked with the same rules, which
// record the native calls they would make (NativeCall: function, arguments, flags by name, structs as bytes at
// their SDK offsets) instead of making them. Nothing native is loaded: it works on every OS. A call the real
// API would refuse before Windows throws the same error here. The unit specs run the real API on a stand-in
// for the DLLs and compare what it called with what this records.
import type {
  AttachOptions, AttachVirtualDiskOptions, ByteCount, CallOptions, CompactOptions, CompactVirtualDiskOptions,
  CreateVirtualDiskOptions, DetachOptions, GetVirtualDiskInfoOptions, InfoOptions, MergeOptions, OpenOptions,
  ResizeOptions,
} from '../types/index.ts';
import type { FormatTarget, FormatVolumeOptions } from '../types/format.ts';
import type { ProvisionOptions } from '../types/provision.ts';
import * as sdk from '../types/constants.ts';
import { VirtualDiskError } from './errors.ts';
import { readProvisionPlan } from './provision.ts';
import { readFormatRequest, type FormatCall } from './rules/format.ts';
import { readVolumeTarget } from './volume-target.ts';
import type { EncodedStruct } from './struct-encoding.ts';
import {
  flagsArgument, nullArgument, numberArgument, refArgument, structArgument, textArgument, type NativeArgument,
  type NativeCall, type NativeLibraryName,
} from './native-call.ts';
import {
  ATTACH_VIRTUAL_DISK_OPTION_KINDS, CALL_OPTION_KINDS, INFO_OPTION_KINDS, snapshotOptions, withoutUndefined,
} from './options.ts';
import { attachRequestFromSnapshot, snapshotAttachOptions, type AttachCall } from './rules/attach.ts';
import { buildOf, handleRule, type HandleDescription } from './rules/common.ts';
import { readCreateRequest } from './rules/create.ts';
import { detachRules } from './rules/detach.ts';
import { describeOpenedHandle, readOpenRequest, resolveImagePath, type OpenRequest } from './rules/open.ts';
import {
  operationRules, readCompactRequest, readCompactVirtualDiskRequest, readMergeRequest, readResizeRequest, type Operation,
} from './rules/operations.ts';
import {
  encodeAttachVirtualDiskParameters, encodeCompactVirtualDiskParameters, encodeCreateVirtualDiskParameters,
  encodeGetVirtualDiskInfoRequest, encodeMergeVirtualDiskParameters, encodeOpenVirtualDiskParameters,
  encodeResizeVirtualDiskParameters, encodeVirtualStorageType,
} from './struct-encoding.ts';
import { INFO_VERSION_FIRST_BUILDS } from './windows-build.ts';

/** The calls getInfo() makes, in its order; `when`: only then. */
const INFO_QUERIES: ReadonlyArray<{ version: number; when?: string }> = [
  { version: sdk.GET_VIRTUAL_DISK_INFO_PROVIDER_SUBTYPE },
  { version: sdk.GET_VIRTUAL_DISK_INFO_SIZE },
  { version: sdk.GET_VIRTUAL_DISK_INFO_PHYSICAL_DISK },
  { version: sdk.GET_VIRTUAL_DISK_INFO_IDENTIFIER },
  { version: sdk.GET_VIRTUAL_DISK_INFO_VIRTUAL_DISK_ID },
  { version: sdk.GET_VIRTUAL_DISK_INFO_PARENT_LOCATION, when: 'only for a differencing disk (or one whose subtype Windows did not give)' },
  { version: sdk.GET_VIRTUAL_DISK_INFO_PARENT_IDENTIFIER, when: 'only when Windows gave a parent location' },
  { version: sdk.GET_VIRTUAL_DISK_INFO_PARENT_TIMESTAMP, when: 'only when Windows gave a parent location' },
  { version: sdk.GET_VIRTUAL_DISK_INFO_SMALLEST_SAFE_VIRTUAL_SIZE },
  { version: sdk.GET_VIRTUAL_DISK_INFO_FRAGMENTATION },
  { version: sdk.GET_VIRTUAL_DISK_INFO_IS_4K_ALIGNED },
  { version: sdk.GET_VIRTUAL_DISK_INFO_IS_LOADED },
  { version: sdk.GET_VIRTUAL_DISK_INFO_CHANGE_TRACKING_STATE },
];

const PHYSICAL_PATH_BUFFER = 2 * 261;

/** Records the native calls of the promise API's functions, checked with the same rules. */
export class DryRun {
  /** Every call so far, in order. */
  readonly calls: NativeCall[] = [];

  /** openVirtualDisk(path, options): OpenVirtualDisk. */
  openVirtualDisk(path: string, options?: OpenOptions): DryRunDisk {
    return this.#open(readOpenRequest(path, options, 'attach'));
  }

  /** attachVirtualDisk(path, options): OpenVirtualDisk, then attach(); both sets of rules first, as the real one. */
  attachVirtualDisk(path: string, options?: AttachVirtualDiskOptions): DryRunDisk {
    const fullPath = resolveImagePath('OpenVirtualDisk', path);
    if (!fullPath.ok) throw fullPath.error;
    const read = snapshotOptions('AttachVirtualDisk', options, ATTACH_VIRTUAL_DISK_OPTION_KINDS, fullPath.value);
    if (!read.ok) throw read.error;
    const { storageType, ...attachOptions } = read.value;
    const { signal, windowsBuild, readOnly } = read.value;
    const opening = readOpenRequest(fullPath.value, { signal, windowsBuild, readOnly, storageType }, 'attach');
    if (!opening.ok) throw opening.error;
    const attaching = attachRequestFromSnapshot(describeOpenedHandle(opening.value.call), attachOptions, undefined);
    if (!attaching.ok) throw attaching.error;
    const disk = this.#open(opening);
    disk.attach(attachOptions);
    return disk;
  }

  /** detachVirtualDisk(path, options): OpenVirtualDisk for detaching, DetachVirtualDisk, CloseHandle. */
  detachVirtualDisk(path: string, options?: DetachOptions): void {
    const request = readOpenRequest(path, options, 'detach');
    if (!request.ok) throw request.error;
    const refusal = detachRules(describeOpenedHandle(request.value.call), { Flags: 0, ProviderSpecificFlags: 0 }, {
      windowsBuild: request.value.options.windowsBuild, otherOpenHandles: [],
    });
    if (refusal) throw refusal;
    const disk = this.#open(request);
    disk.detach();
    disk.close();
  }

  /** getVirtualDiskInfo(path, options): OpenVirtualDisk for information, GetVirtualDiskInformation version by version, CloseHandle. */
  getVirtualDiskInfo(path: string, options?: GetVirtualDiskInfoOptions): void {
    const request = readOpenRequest(path, options, 'info');
    if (!request.ok) throw request.error;
    const { windowsBuild } = request.value.options;
    const disk = this.#open(request);
    disk.getInfo(windowsBuild === undefined ? undefined : { windowsBuild });
    disk.close();
  }

  /** compactVirtualDisk(path, options): OpenVirtualDisk, compact(), CloseHandle. */
  compactVirtualDisk(path: string, options?: CompactVirtualDiskOptions): void {
    const request = readCompactVirtualDiskRequest(path, options);
    if (!request.ok) throw request.error;
    const disk = this.#open({ ok: true, value: request.value.opening });
    disk.compact(request.value.compactOptions);
    disk.close();
  }

  /** createVirtualDisk(path, options): CreateVirtualDisk with an OVERLAPPED and its progress; the open disk it returns. */
  createVirtualDisk(path: string, options: CreateVirtualDiskOptions): DryRunDisk {
    const request = readCreateRequest(path, options);
    if (!request.ok) throw request.error;
    const { call, options: snapshot } = request.value;
    const handleCall = this.calls.length + (call.SecurityDescriptor === undefined ? 2 : 4);
    const handle = `the handle CreateVirtualDisk returns (call ${handleCall})`;
    this.withSecurityDescriptor(call.SecurityDescriptor, (descriptor) => this.longOperation(handle, 'CreateVirtualDisk', (overlapped) => [
        structArgument('VirtualStorageType', 'PVIRTUAL_STORAGE_TYPE', encodeVirtualStorageType(call.VirtualStorageType)),
        textArgument('Path', 'PCWSTR', call.Path),
        flagsArgument('VirtualDiskAccessMask', 'VIRTUAL_DISK_ACCESS_MASK', call.VirtualDiskAccessMask, 'VIRTUAL_DISK_ACCESS_'),
        descriptor ?? nullArgument('SecurityDescriptor', 'PSECURITY_DESCRIPTOR'),
        flagsArgument('Flags', 'CREATE_VIRTUAL_DISK_FLAG', call.Flags, 'CREATE_VIRTUAL_DISK_FLAG_'),
        numberArgument('ProviderSpecificFlags', 'ULONG', call.ProviderSpecificFlags),
        structArgument('Parameters', 'PCREATE_VIRTUAL_DISK_PARAMETERS', encodeCreateVirtualDiskParameters(call.Parameters)),
        overlapped,
        refArgument('Handle', 'PHANDLE', 'out: receives the new disk\'s handle'),
    ]));
    return new DryRunDisk(this, handle, {
      createdByOpenVirtualDisk: true, open: true, path: call.Path, storageType: call.storageType,
      openVersion: sdk.OPEN_VIRTUAL_DISK_VERSION_2, access: sdk.VIRTUAL_DISK_ACCESS_NONE, readOnly: false, getInfoOnly: false,
    }, snapshot.windowsBuild);
  }

  /**
   * provisionVirtualDisk(path, options): checked up front as provisionVirtualDisk checks (every option,
   * createVirtualDisk's rules, ISO, the attach flags against the build, formatVolume's rules, the mount point's
   * spelling), then CreateVirtualDisk (or OpenVirtualDisk with existing), AttachVirtualDisk, and the disk, volume,
   * FormatEx and mount point calls, with what is known only at run time in words. The open disk it returns (the
   * CLI closes it). Not checked here, as they ask the machine: whether the image exists (existing) or not (a new
   * one: ERROR_FILE_EXISTS), and whether a drive letter is free or a folder empty.
   */
  provisionVirtualDisk(path: string, options: ProvisionOptions): DryRunDisk {
    const plan = readProvisionPlan(path, options);
    const { snapshot } = plan;
    const disk = plan.create
      ? this.createVirtualDisk(plan.imagePath, plan.create)
      : this.openVirtualDisk(plan.imagePath, withoutUndefined({ storageType: snapshot.storageType, windowsBuild: snapshot.windowsBuild }));
    disk.attach(withoutUndefined({ permanent: plan.permanent, atBoot: snapshot.atBoot, noDriveLetter: snapshot.noDriveLetter, windowsBuild: snapshot.windowsBuild }));
    const physical = `the disk's physical path ('\\\\.\\PhysicalDriveN', from GetVirtualDiskPhysicalPath)`;
    const overlappedNote = 'each disk request runs with an OVERLAPPED and an event of its own (CreateEventW … CloseHandle, not listed), like the long operations above';

    // initialize(): the disk opened for writing, made usable, its table read, CREATE_DISK, the cache updated
    disk.getPhysicalPath();
    const writeHandle = this.#openDevice(physical, true, 'the disk');
    this.#ioctl(writeHandle, 'IOCTL_DISK_GET_DISK_ATTRIBUTES', null, 16, `${overlappedNote}; then IOCTL_DISK_SET_DISK_ATTRIBUTES (Persist, clearing DISK_ATTRIBUTE_OFFLINE | DISK_ATTRIBUTE_READ_ONLY) only when the disk is offline or read-only`);
    this.#ioctl(writeHandle, 'IOCTL_DISK_GET_DRIVE_GEOMETRY_EX', null, 32, 'the logical sector size and the disk size');
    this.#ioctl(writeHandle, 'IOCTL_DISK_GET_DRIVE_LAYOUT_EX', null, LAYOUT_OUT, `the disk must be RAW: a disk with a partition table is refused (ERR_DISK_NOT_RAW${snapshot.existing ? ', an existing image that was initialized already' : ''}); again with 4 times the buffer while it answers ERROR_INSUFFICIENT_BUFFER (122) or ERROR_MORE_DATA (234)`);
    this.#ioctl(writeHandle, 'IOCTL_DISK_CREATE_DISK', createDiskStruct(plan.partitionStyle), undefined,
      plan.partitionStyle === 'gpt' ? 'Gpt.DiskId is a new random GUID in the real run (zeros here)' : 'Mbr.Signature is a new random non-zero number in the real run (0 here)');
    this.#ioctl(writeHandle, 'IOCTL_DISK_UPDATE_PROPERTIES', null, 0);
    this.record('kernel32.dll', 'CloseHandle', [refArgument('hObject', 'HANDLE', writeHandle)]);

    // createPartition(): one partition of all the space, 1 MiB aligned
    disk.getPhysicalPath();
    const layoutHandle = this.#openDevice(physical, true, 'the disk');
    this.#ioctl(layoutHandle, 'IOCTL_DISK_GET_DRIVE_GEOMETRY_EX', null, 32);
    this.#ioctl(layoutHandle, 'IOCTL_DISK_GET_DRIVE_LAYOUT_EX', null, LAYOUT_OUT);
    this.record('kernel32.dll', 'DeviceIoControl', [
      refArgument('hDevice', 'HANDLE', layoutHandle),
      numberArgument('dwIoControlCode', 'DWORD', sdk.IOCTL_DISK_SET_DRIVE_LAYOUT_EX, ['IOCTL_DISK_SET_DRIVE_LAYOUT_EX']),
      refArgument('lpInBuffer', 'LPVOID', `a DRIVE_LAYOUT_INFORMATION_EX: depends on IOCTL_DISK_GET_DRIVE_LAYOUT_EX's answer (the disk's usable area, its ${plan.partitionStyle.toUpperCase()} header), with one ${plan.partitionType} partition added`),
      refArgument('nInBufferSize', 'DWORD', 'its size: 48 + 144 bytes per entry'),
      nullArgument('lpOutBuffer', 'LPVOID'), numberArgument('nOutBufferSize', 'DWORD', 0),
      nullArgument('lpBytesReturned', 'LPDWORD'), refArgument('lpOverlapped', 'LPOVERLAPPED', 'an OVERLAPPED with its own event'),
    ], `the new partition: ${plan.partitionStyle === 'gpt' ? `type ${plan.partitionType} (PARTITION_BASIC_DATA_GUID), a new random partition GUID` : `type ${plan.partitionType === 'fat32' ? 'PARTITION_FAT32_XINT13 (0x0c)' : 'PARTITION_IFS (0x07)'}`}, from the first MiB to the end of the usable area (1 MiB aligned); the bytes exist only once Windows has answered the layout request`);
    this.#ioctl(layoutHandle, 'IOCTL_DISK_UPDATE_PROPERTIES', null, 0);
    this.#ioctl(layoutHandle, 'IOCTL_DISK_GET_DRIVE_LAYOUT_EX', null, LAYOUT_OUT, 'after IOCTL_DISK_GET_DRIVE_GEOMETRY_EX again: the partition as Windows numbered it');
    this.record('kernel32.dll', 'CloseHandle', [refArgument('hObject', 'HANDLE', layoutHandle)]);

    // the new volume: Windows' "the volumes are there", then the volume list by disk number
    disk.getPhysicalPath();
    const readHandle = this.#openDevice(physical, false, 'the disk');
    this.#ioctl(readHandle, 'IOCTL_DISK_ARE_VOLUMES_READY', null, 0, `pends until Windows has made the partition's volume; cancelled after the wait (${plan.wait} ms), which is no error`);
    this.record('kernel32.dll', 'CloseHandle', [refArgument('hObject', 'HANDLE', readHandle)]);
    this.record('kernel32.dll', 'FindFirstVolumeW', [
      refArgument('lpszVolumeName', 'LPWSTR', "out: a 522-byte buffer for '\\\\?\\Volume{…}\\'"), numberArgument('cchBufferLength', 'DWORD', 261),
    ], `then FindNextVolumeW … FindVolumeClose; each volume opened (CreateFileW) for IOCTL_STORAGE_GET_DEVICE_NUMBER and GetVolumePathNamesForVolumeNameW, the disk's own number from IOCTL_STORAGE_GET_DEVICE_NUMBER on the physical path; again until the new partition's volume is there${snapshot.mountPoint === undefined && !snapshot.noDriveLetter ? ' with a drive letter' : ''}, or ERR_NO_VOLUME after ${plan.wait} ms`);

    // FormatEx on the new volume
    const volume = "the new volume's GUID path, without its trailing backslash ('\\\\?\\Volume{…}'), known at run time";
    this.#formatEx(volume, plan.formatCall, plan.formatCall.fileSystem === 'fat32' ? 'the volume' : undefined);
    this.record('kernel32.dll', 'GetVolumePathNamesForVolumeNameW', [
      refArgument('lpszVolumeName', 'LPCWSTR', "the new volume's GUID path"),
      refArgument('lpszVolumePathNames', 'LPWCH', 'out: its mount points, MULTI_SZ'),
      numberArgument('cchBufferLength', 'DWORD', 261), refArgument('lpcchReturnLength', 'PDWORD', 'out: the length needed'),
    ], 'the mount points after the format (again, larger, on ERROR_MORE_DATA)');
    if (snapshot.mountPoint !== undefined) {
      this.record('kernel32.dll', 'DeleteVolumeMountPointW', [refArgument('lpszVolumeMountPoint', 'LPCWSTR', 'each drive letter Windows gave the new volume meanwhile')],
        'only for mount points the volume got by automount: it goes where --mount says only');
      this.record('kernel32.dll', 'SetVolumeMountPointW', [
        textArgument('lpszVolumeMountPoint', 'LPCWSTR', snapshot.mountPoint),
        refArgument('lpszVolumeName', 'LPCWSTR', "the new volume's GUID path ('\\\\?\\Volume{…}\\')"),
      ], /^[A-Z]:\\$/.test(snapshot.mountPoint)
        ? 'after GetLogicalDrives: a drive letter in use is refused (ERR_MOUNT_POINT_IN_USE)'
        : 'after checking the folder exists and is empty (ERR_MOUNT_POINT_NOT_FOUND, _NOT_EMPTY)');
    }
    return disk;
  }

  /**
   * formatVolume(volume, options): formatVolume's checks, GetVolumeNameForVolumeMountPointW for a drive letter
   * or folder, IOCTL_DISK_GET_LENGTH_INFO on the volume for FAT32 (the 32 GiB rule), then fmifs.dll's FormatEx.
   */
  formatVolume(volume: FormatTarget, options?: FormatVolumeOptions): void {
    const target = readVolumeTarget(volume, 'FormatEx');
    if (target instanceof Error) throw target;
    const read = readFormatRequest(options, target.text);
    if (!read.ok) throw read.error;
    let root: string;
    if (target.volumeName !== undefined) {
      root = target.volumeName.slice(0, -1);
    } else {
      this.record('kernel32.dll', 'GetVolumeNameForVolumeMountPointW', [
        textArgument('lpszVolumeMountPoint', 'LPCWSTR', target.mountPoint!),
        refArgument('lpszVolumeName', 'LPWSTR', "out: a 522-byte buffer for the volume's GUID path '\\\\?\\Volume{…}\\'"),
        numberArgument('cchBufferLength', 'DWORD', 261),
      ], 'a path that is no volume\'s mount point is refused (ERR_NOT_A_VOLUME)');
      root = `the volume GUID path GetVolumeNameForVolumeMountPointW answers (call ${this.calls.length}), without its trailing backslash`;
    }
    this.#formatEx(target.volumeName === undefined ? root : undefined, read.value.call, read.value.call.fileSystem === 'fat32' ? 'the volume' : undefined, target.volumeName === undefined ? undefined : root);
  }

  /** Appends a call. */
  record(library: NativeLibraryName, fn: string, args: NativeArgument[], note?: string): void {
    this.calls.push(note === undefined ? { library, function: fn, arguments: args } : { library, function: fn, arguments: args, note });
  }

  /**
   * A long operation as runLongOperation makes it: a manual-reset event, the call with an OVERLAPPED, Windows'
   * thread pool waiting on the event (operation-watcher.ts), progress read while it runs and once at the end,
   * the wait unregistered and the event closed.
   */
  longOperation(handle: string, fn: string, args: (overlapped: NativeArgument) => NativeArgument[]): void {
    const eventCall = this.calls.length + 1;
    const event = `the event CreateEventW returned (call ${eventCall})`;
    this.record('kernel32.dll', 'CreateEventW', [
      nullArgument('lpEventAttributes', 'LPSECURITY_ATTRIBUTES'), numberArgument('bManualReset', 'BOOL', 1, ['TRUE']),
      numberArgument('bInitialState', 'BOOL', 0, ['FALSE']), nullArgument('lpName', 'LPCWSTR'),
    ]);
    const overlapped = refArgument('Overlapped', 'LPOVERLAPPED', `an OVERLAPPED (32 bytes, zeroed) with hEvent = ${event}`);
    this.record('virtdisk.dll', fn, args(overlapped),
      'ERROR_SUCCESS: done at once; ERROR_IO_PENDING (997): Windows works on, and a signal (Ctrl-C) cancels it with CancelIoEx(handle, that OVERLAPPED)');
    const waitCall = this.calls.length + 1;
    const pending = 'if the call answered ERROR_IO_PENDING (997)';
    this.record('kernel32.dll', 'RegisterWaitForSingleObject', [
      refArgument('phNewWaitObject', 'PHANDLE', 'out: the wait'),
      refArgument('hObject', 'HANDLE', event),
      refArgument('Callback', 'WAITORTIMERCALLBACK', 'a koffi callback, run on the main thread when the event is signalled'),
      nullArgument('Context', 'PVOID'),
      numberArgument('dwMilliseconds', 'ULONG', sdk.INFINITE, ['INFINITE']),
      flagsArgument('dwFlags', 'ULONG_FLAGS', sdk.WT_EXECUTEONLYONCE, 'WT_'),
    ], `${pending}: Windows' thread pool waits for the event`);
    this.record('virtdisk.dll', 'GetVirtualDiskOperationProgress', [
      refArgument('VirtualDiskHandle', 'HANDLE', handle),
      refArgument('Overlapped', 'LPOVERLAPPED', 'the same OVERLAPPED'),
      refArgument('Progress', 'PVIRTUAL_DISK_PROGRESS', 'out: OperationStatus, CurrentValue, CompletionValue'),
    ], `${pending}: from a timer while Windows works, at the progress interval (100 ms when progress is shown, else 1 s); once more when the event is signalled, for the final OperationStatus`);
    this.record('kernel32.dll', 'UnregisterWaitEx', [
      refArgument('WaitHandle', 'HANDLE', `the wait RegisterWaitForSingleObject made (call ${waitCall})`),
      nullArgument('CompletionEvent', 'HANDLE'),
    ], `${pending}: when the event is signalled (or the operation ends without it)`);
    this.record('kernel32.dll', 'CloseHandle', [refArgument('hObject', 'HANDLE', event)]);
  }

  /** Runs `use` between a descriptor's conversion and its LocalFree, as withSecurityDescriptor does (directly without one). */
  withSecurityDescriptor(sddl: string | undefined, use: (descriptor?: NativeArgument) => void): void {
    if (sddl === undefined) return use();
    const converted = this.calls.length + 1;
    const descriptor = `the SECURITY_DESCRIPTOR ConvertStringSecurityDescriptorToSecurityDescriptorW made (call ${converted})`;
    this.record('advapi32.dll', 'ConvertStringSecurityDescriptorToSecurityDescriptorW', [
      textArgument('StringSecurityDescriptor', 'LPCWSTR', sddl),
      numberArgument('StringSDRevision', 'DWORD', sdk.SDDL_REVISION_1, ['SDDL_REVISION_1']),
      refArgument('SecurityDescriptor', 'PSECURITY_DESCRIPTOR *', 'out: the descriptor'),
      refArgument('SecurityDescriptorSize', 'PULONG', 'out: its size'),
    ]);
    this.record('advapi32.dll', 'IsValidSecurityDescriptor', [refArgument('pSecurityDescriptor', 'PSECURITY_DESCRIPTOR', descriptor)]);
    use(refArgument('SecurityDescriptor', 'PSECURITY_DESCRIPTOR', descriptor));
    this.record('kernel32.dll', 'LocalFree', [refArgument('hMem', 'HLOCAL', descriptor)], 'after the call, whatever it answered');
  }

  /** CreateFileW on a device for overlapped requests; the handle's words. */
  #openDevice(path: string, write: boolean, what: string): string {
    const handle = `the handle CreateFileW returns (call ${this.calls.length + 1})`;
    this.record('kernel32.dll', 'CreateFileW', [
      refArgument('lpFileName', 'LPCWSTR', path),
      flagsArgument('dwDesiredAccess', 'ACCESS_MASK', write ? (sdk.GENERIC_READ | sdk.GENERIC_WRITE) : sdk.GENERIC_READ, 'GENERIC_'),
      flagsArgument('dwShareMode', 'SHARE_MASK', sdk.FILE_SHARE_READ | sdk.FILE_SHARE_WRITE, 'FILE_SHARE_'),
      nullArgument('lpSecurityAttributes', 'LPSECURITY_ATTRIBUTES'),
      numberArgument('dwCreationDisposition', 'DWORD', sdk.OPEN_EXISTING, ['OPEN_EXISTING']),
      flagsArgument('dwFlagsAndAttributes', 'FLAGS_AND_ATTRIBUTES', sdk.FILE_FLAG_OVERLAPPED, 'FILE_FLAG_'),
      nullArgument('hTemplateFile', 'HANDLE'),
    ], `${what}, ${write ? 'for reading and writing' : 'for reading'}: ERROR_ACCESS_DENIED (5) when vdisk is not elevated`);
    return handle;
  }

  /** One DeviceIoControl with an OVERLAPPED: the input struct's bytes, or NULL. */
  #ioctl(handle: string, name: string, input: EncodedStruct | null, outSize: number | undefined, note?: string): void {
    const code = (sdk as unknown as Record<string, number>)[name]!;
    this.record('kernel32.dll', 'DeviceIoControl', [
      refArgument('hDevice', 'HANDLE', handle),
      numberArgument('dwIoControlCode', 'DWORD', code, [name]),
      input === null ? nullArgument('lpInBuffer', 'LPVOID') : structArgument('lpInBuffer', 'LPVOID', input),
      numberArgument('nInBufferSize', 'DWORD', input === null ? 0 : input.size),
      outSize ? refArgument('lpOutBuffer', 'LPVOID', `out: a ${outSize}-byte buffer`) : nullArgument('lpOutBuffer', 'LPVOID'),
      numberArgument('nOutBufferSize', 'DWORD', outSize ?? 0),
      nullArgument('lpBytesReturned', 'LPDWORD'),
      refArgument('lpOverlapped', 'LPOVERLAPPED', 'an OVERLAPPED with its own event'),
    ], note);
  }

  /** FormatEx (after IOCTL_DISK_GET_LENGTH_INFO for FAT32); `root`: the DriveRoot in words, or `rootText` when known. */
  #formatEx(root: string | undefined, call: FormatCall, lengthOf: string | undefined, rootText?: string): void {
    if (lengthOf !== undefined) {
      const handle = this.#openDevice(rootText ?? "the volume's GUID path, without its trailing backslash", false, lengthOf);
      this.#ioctl(handle, 'IOCTL_DISK_GET_LENGTH_INFO', null, 8, 'FAT32: a volume over 32 GiB is refused (ERR_VOLUME_TOO_BIG)');
      this.record('kernel32.dll', 'CloseHandle', [refArgument('hObject', 'HANDLE', handle)]);
    }
    this.record('fmifs.dll', 'FormatEx', [
      rootText !== undefined ? textArgument('DriveRoot', 'PWCHAR', rootText) : refArgument('DriveRoot', 'PWCHAR', root!),
      numberArgument('MediaType', 'FMIFS_MEDIA_TYPE', 12, ['FmMediaFixed']),
      textArgument('FileSystemName', 'PWCHAR', call.FileSystemName),
      textArgument('Label', 'PWCHAR', call.Label),
      numberArgument('QuickFormat', 'BOOL', call.QuickFormat ? 1 : 0, [call.QuickFormat ? 'TRUE' : 'FALSE']),
      numberArgument('ClusterSize', 'ULONG', call.ClusterSize),
      refArgument('Callback', 'PFMIFSCALLBACK', 'a koffi callback on the format thread: progress (FmIfsPercentCompleted), refusals, FmIfsFinished; it answers FALSE to cancel'),
    ], `${call.ClusterSize === 0 ? 'ClusterSize 0: the file system chooses; ' : ''}in a worker thread of its own (FormatEx returns when the format ends); fmifs reports failures through the callback, mapped to ERR_FORMAT_FAILED with a reason`);
  }

  #open(request: { ok: true; value: OpenRequest } | { ok: false; error: Error }): DryRunDisk {
    if (!request.ok) throw request.error;
    const { call, options } = request.value;
    const handle = `the handle OpenVirtualDisk returns (call ${this.calls.length + 1})`;
    this.record('virtdisk.dll', 'OpenVirtualDisk', [
      structArgument('VirtualStorageType', 'PVIRTUAL_STORAGE_TYPE', encodeVirtualStorageType(call.VirtualStorageType)),
      textArgument('Path', 'PCWSTR', call.Path),
      flagsArgument('VirtualDiskAccessMask', 'VIRTUAL_DISK_ACCESS_MASK', call.VirtualDiskAccessMask, 'VIRTUAL_DISK_ACCESS_'),
      flagsArgument('Flags', 'OPEN_VIRTUAL_DISK_FLAG', call.Flags, 'OPEN_VIRTUAL_DISK_FLAG_'),
      structArgument('Parameters', 'POPEN_VIRTUAL_DISK_PARAMETERS', encodeOpenVirtualDiskParameters(call.Parameters)),
      refArgument('Handle', 'PHANDLE', 'out: receives the handle'),
    ]);
    return new DryRunDisk(this, handle, describeOpenedHandle(call), options.windowsBuild);
  }
}

/** A VirtualDisk in a dry run: the same methods and rules, recording their calls in its DryRun. */
export class DryRunDisk {
  readonly path: string;
  readonly #run: DryRun;
  readonly #handle: string;
  readonly #description: HandleDescription;
  readonly #windowsBuild: number | undefined;
  #attached = false;
  #attachedReadOnly = false;
  #permanent = false;
  #closed = false;

  constructor(run: DryRun, handle: string, description: HandleDescription, windowsBuild: number | undefined) {
    this.#run = run;
    this.#handle = handle;
    this.#description = description;
    this.#windowsBuild = windowsBuild;
    this.path = description.path;
  }

  /** attach(options): [ConvertStringSecurityDescriptorToSecurityDescriptorW, IsValidSecurityDescriptor,] AttachVirtualDisk as a long operation[, LocalFree]. */
  attach(options?: AttachOptions): void {
    const read = snapshotAttachOptions(options, this.path);
    if (!read.ok) throw read.error;
    const request = attachRequestFromSnapshot(this.#describe(), read.value, this.#windowsBuild);
    if (!request.ok) throw request.error;
    if (this.#attached) {
      throw new VirtualDiskError(`AttachVirtualDisk '${this.path}': this VirtualDisk already attached the image.`, {
        code: 'ERR_ALREADY_ATTACHED', syscall: 'AttachVirtualDisk', path: this.path, hint: 'Detach it first, or keep using it as it is.',
      });
    }
    const call: AttachCall = request.value.call;
    // As the real attach: with an OVERLAPPED, as a long operation, so a slow attach holds no thread.
    this.#run.withSecurityDescriptor(call.SecurityDescriptor, (descriptor) => this.#run.longOperation(this.#handle, 'AttachVirtualDisk', (overlapped) => [
      this.#handleArgument(),
      descriptor ?? nullArgument('SecurityDescriptor', 'PSECURITY_DESCRIPTOR'),
      flagsArgument('Flags', 'ATTACH_VIRTUAL_DISK_FLAG', call.Flags, 'ATTACH_VIRTUAL_DISK_FLAG_'),
      numberArgument('ProviderSpecificFlags', 'ULONG', call.ProviderSpecificFlags),
      structArgument('Parameters', 'PATTACH_VIRTUAL_DISK_PARAMETERS', encodeAttachVirtualDiskParameters(call.Parameters)),
      overlapped,
    ]));
    this.#attached = true;
    this.#attachedReadOnly = (call.Flags & sdk.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY) !== 0;
    this.#permanent = (call.Flags & sdk.ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME) !== 0;
  }

  /** detach(): DetachVirtualDisk(handle, DETACH_VIRTUAL_DISK_FLAG_NONE, 0). */
  detach(options?: CallOptions): void {
    const read = snapshotOptions('DetachVirtualDisk', options, CALL_OPTION_KINDS, this.path);
    if (!read.ok) throw read.error;
    const call = { Flags: sdk.DETACH_VIRTUAL_DISK_FLAG_NONE, ProviderSpecificFlags: 0 };
    const refusal = detachRules(this.#describe(), call, { windowsBuild: this.#windowsBuild, otherOpenHandles: [] });
    if (refusal) throw refusal;
    this.#run.record('virtdisk.dll', 'DetachVirtualDisk', [
      this.#handleArgument(),
      flagsArgument('Flags', 'DETACH_VIRTUAL_DISK_FLAG', call.Flags, 'DETACH_VIRTUAL_DISK_FLAG_'),
      numberArgument('ProviderSpecificFlags', 'ULONG', call.ProviderSpecificFlags),
    ]);
    this.#attached = false;
    this.#permanent = false;
  }

  /** getPhysicalPath(): GetVirtualDiskPhysicalPath with a 522-byte buffer (again, larger, on ERROR_INSUFFICIENT_BUFFER). */
  getPhysicalPath(options?: CallOptions): void {
    const read = snapshotOptions('GetVirtualDiskPhysicalPath', options, CALL_OPTION_KINDS, this.path);
    if (!read.ok) throw read.error;
    const refusal = handleRule('GetVirtualDiskPhysicalPath', this.#describe());
    if (refusal) throw refusal;
    this.#run.record('virtdisk.dll', 'GetVirtualDiskPhysicalPath', [
      this.#handleArgument(),
      numberArgument('DiskPathSizeInBytes', 'PULONG', PHYSICAL_PATH_BUFFER),
      refArgument('DiskPath', 'PWSTR', `out: a ${PHYSICAL_PATH_BUFFER}-byte buffer for '\\\\.\\PhysicalDriveN' (or '\\\\.\\CDROMn')`),
    ], 'again with the size Windows asks for while it answers ERROR_INSUFFICIENT_BUFFER (122)');
  }

  /** getInfo(): GetVirtualDiskInformation, one call per GET_VIRTUAL_DISK_INFO version the build knows. */
  getInfo(options?: InfoOptions): void {
    const read = snapshotOptions('GetVirtualDiskInformation', options, INFO_OPTION_KINDS, this.path);
    if (!read.ok) throw read.error;
    const build = buildOf(read.value.windowsBuild, this.#windowsBuild);
    this.#rules('getInfo', build);
    for (const { version, when } of INFO_QUERIES) {
      if (build !== undefined && build < (INFO_VERSION_FIRST_BUILDS[version] ?? Infinity)) continue;
      const notes = [when, 'again, larger, while Windows answers ERROR_INSUFFICIENT_BUFFER (122); a field Windows refuses for this disk is left out'];
      this.#run.record('virtdisk.dll', 'GetVirtualDiskInformation', [
        this.#handleArgument(),
        numberArgument('VirtualDiskInfoSize', 'PULONG', 32),
        structArgument('VirtualDiskInfo', 'PGET_VIRTUAL_DISK_INFO', encodeGetVirtualDiskInfoRequest(version)),
        nullArgument('SizeUsed', 'PULONG'),
      ], notes.filter((note) => note !== undefined).join('; '));
    }
  }

  /** resize(size, options): ResizeVirtualDisk with RESIZE_VIRTUAL_DISK_PARAMETERS version 1, as a long operation. */
  resize(size: ByteCount, options?: ResizeOptions): void {
    const request = readResizeRequest(size, options, this.path);
    if (!request.ok) throw request.error;
    const { NewSize, Flags, options: snapshot } = request.value;
    this.#rules('resize', buildOf(snapshot.windowsBuild, this.#windowsBuild));
    this.#run.longOperation(this.#handle, 'ResizeVirtualDisk', (overlapped) => [
        this.#handleArgument(),
        flagsArgument('Flags', 'RESIZE_VIRTUAL_DISK_FLAG', Flags, 'RESIZE_VIRTUAL_DISK_FLAG_'),
        structArgument('Parameters', 'PRESIZE_VIRTUAL_DISK_PARAMETERS', encodeResizeVirtualDiskParameters({ Version: sdk.RESIZE_VIRTUAL_DISK_VERSION_1, u: { Version1: { NewSize } } })),
      overlapped,
    ]);
  }

  /** compact(options): CompactVirtualDisk with COMPACT_VIRTUAL_DISK_PARAMETERS version 1, as a long operation. */
  compact(options?: CompactOptions): void {
    const request = readCompactRequest(options, this.path);
    if (!request.ok) throw request.error;
    const { Flags, options: snapshot } = request.value;
    this.#rules('compact', buildOf(snapshot.windowsBuild, this.#windowsBuild));
    this.#run.longOperation(this.#handle, 'CompactVirtualDisk', (overlapped) => [
        this.#handleArgument(),
        flagsArgument('Flags', 'COMPACT_VIRTUAL_DISK_FLAG', Flags, 'COMPACT_VIRTUAL_DISK_FLAG_'),
        structArgument('Parameters', 'PCOMPACT_VIRTUAL_DISK_PARAMETERS', encodeCompactVirtualDiskParameters({ Version: sdk.COMPACT_VIRTUAL_DISK_VERSION_1, u: { Version1: { Reserved: 0 } } })),
      overlapped,
    ]);
  }

  /** merge(options): MergeVirtualDisk with MERGE_VIRTUAL_DISK_PARAMETERS version 2, as a long operation. */
  merge(options?: MergeOptions): void {
    const request = readMergeRequest(options, this.path);
    if (!request.ok) throw request.error;
    const { MergeSourceDepth, MergeTargetDepth, options: snapshot } = request.value;
    this.#rules('merge', buildOf(snapshot.windowsBuild, this.#windowsBuild));
    this.#run.longOperation(this.#handle, 'MergeVirtualDisk', (overlapped) => [
        this.#handleArgument(),
        flagsArgument('Flags', 'MERGE_VIRTUAL_DISK_FLAG', sdk.MERGE_VIRTUAL_DISK_FLAG_NONE, 'MERGE_VIRTUAL_DISK_FLAG_'),
        structArgument('Parameters', 'PMERGE_VIRTUAL_DISK_PARAMETERS', encodeMergeVirtualDiskParameters({ Version: sdk.MERGE_VIRTUAL_DISK_VERSION_2, u: { Version2: { MergeSourceDepth, MergeTargetDepth } } })),
      overlapped,
    ]);
  }

  /** close(): CloseHandle; idempotent, as the real one. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#run.record('kernel32.dll', 'CloseHandle', [refArgument('hObject', 'HANDLE', this.#handle)],
      this.#attached && !this.#permanent ? 'a non-permanent attach ends here (Windows detaches when the last handle closes)' : undefined);
  }

  #rules(operation: Operation, build: number | undefined): void {
    const refusal = operationRules(operation, this.#describe(), { attached: this.#attached, attachedReadOnly: this.#attachedReadOnly }, build);
    if (refusal) throw refusal;
  }

  #handleArgument(): NativeArgument {
    return refArgument('VirtualDiskHandle', 'HANDLE', this.#handle);
  }

  #describe(): HandleDescription {
    return { ...this.#description, open: !this.#closed };
  }
}

const LAYOUT_OUT = 48 + 144 * 128;

/** CREATE_DISK (winioctl.h, 24 bytes): the style, then Gpt { DiskId, MaxPartitionCount } or Mbr { Signature }; the random parts 0. */
function createDiskStruct(style: 'gpt' | 'mbr'): EncodedStruct {
  const bytes = Buffer.alloc(24);
  if (style === 'gpt') {
    bytes.writeUInt32LE(sdk.PARTITION_STYLE_GPT, 0);
    bytes.writeUInt32LE(sdk.GPT_MAX_PARTITION_COUNT, 20);
    return {
      type: 'CREATE_DISK', size: 24, hex: bytes.toString('hex'), fields: [
        { name: 'PartitionStyle', offset: 0, size: 4, type: 'ULONG', value: sdk.PARTITION_STYLE_GPT, constant: 'PARTITION_STYLE_GPT' },
        { name: 'Gpt.DiskId', offset: 4, size: 16, type: 'GUID', value: '{00000000-0000-0000-0000-000000000000}' },
        { name: 'Gpt.MaxPartitionCount', offset: 20, size: 4, type: 'ULONG', value: sdk.GPT_MAX_PARTITION_COUNT },
      ],
    };
  }
  bytes.writeUInt32LE(sdk.PARTITION_STYLE_MBR, 0);
  return {
    type: 'CREATE_DISK', size: 24, hex: bytes.toString('hex'), fields: [
      { name: 'PartitionStyle', offset: 0, size: 4, type: 'ULONG', value: sdk.PARTITION_STYLE_MBR, constant: 'PARTITION_STYLE_MBR' },
      { name: 'Mbr.Signature', offset: 4, size: 4, type: 'ULONG', value: 0 },
    ],
  };
}

