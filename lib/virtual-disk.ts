// An open virtual disk: one handle from OpenVirtualDisk and what can be done with it.
import type {
  AttachOptions, ByteCount, CallOptions, CompactOptions, InfoOptions, MergeOptions, ResizeOptions, StorageType, VirtualDiskInfo,
} from '../types/index.ts';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_SUCCESS } from './win32-errors.ts';
import { PreconditionError, throwIfAborted, VirtualDiskError } from './errors.ts';
import { closeDropped, otherHandlesOn, releaseHandle, trackHandle, type OpenHandle } from './handles.ts';
import { runLongOperation } from './long-operation.ts';
import { callAsync, rawLayer, win32Error, windows } from './native.ts';
import {
  CALL_OPTION_KINDS, CREATE_PARTITION_OPTION_KINDS, GET_VOLUMES_OPTION_KINDS, INITIALIZE_OPTION_KINDS, snapshotOptions,
} from './options.ts';
import type { CreatePartitionOptions, DiskLayout, InitializeOptions, Partition } from '../types/partitions.ts';
import { createPartition, getDiskLayout, initializeDisk, type DiskTarget } from './disk-layout.ts';
import { currentWindowsBuild } from './windows-build.ts';
import { withSecurityDescriptor } from './security-descriptor.ts';
import { attachRequestFromSnapshot, snapshotAttachOptions } from './rules/attach.ts';
import { handleRule, type HandleDescription } from './rules/common.ts';
import { detachRules } from './rules/detach.ts';
import {
  ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME, ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY, SET_VIRTUAL_DISK_INFO_IDENTIFIER,
  SET_VIRTUAL_DISK_INFO_PARENT_PATH, SET_VIRTUAL_DISK_INFO_PHYSICAL_SECTOR_SIZE,
} from '../types/constants.ts';
import type { SetVirtualDiskInfoValue } from '../ffi/types.ts';
import { readVirtualDiskInfo } from './disk-info.ts';
import * as operations from './disk-operations.ts';
import { parseGuid, randomGuid } from './guid.ts';
import {
  operationRules, readCompactRequest, readMergeRequest, readResizeRequest, type Operation,
} from './rules/operations.ts';
import { resolveImagePath } from './rules/open.ts';
import { InvalidArgumentError } from './errors.ts';
import { INFO_OPTION_KINDS } from './options.ts';
import type { GetVolumesOptions, Volume } from '../types/volumes.ts';
import { diagnose } from './diagnose.ts';
import { checkMountPoint, mountAttachedDisk, removeMountPoint } from './mount-point.ts';
import { volumesOfAttachedDisk } from './disk-volumes.ts';

// A VirtualDisk dropped without close() has its handle closed here: one that never attached, and one whose
// attach is permanent (the attach outlives the handle). A non-permanent attach lasts as long as its handle,
// so attached disks are held in `attachedDisks`: an attach never ends by garbage collection.
const dropped = new FinalizationRegistry<OpenHandle>(closeDropped);
const attachedDisks = new Set<VirtualDisk>();

const constructing = Symbol('VirtualDisk');

export interface VirtualDiskInit {
  description: HandleDescription;
  handle: bigint;
  windowsBuild: number | undefined;
  /** The image's file identity (imageIdentity). */
  identity: string;
  /** Opened by the library for its own use. */
  internal: boolean;
}


export class VirtualDisk {
  /** The image's absolute path, as it went to Windows. */
  readonly path: string;
  readonly storageType: StorageType;
  readonly #entry: OpenHandle;
  readonly #windowsBuild: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;
  /** The ATTACH_VIRTUAL_DISK_FLAG bits of this handle's attach (for getVolumes: was it noDriveLetter?). */
  #attachFlags = 0;
  /** The mount point this handle's attach set (mountPoint option): removed again before the disk goes. */
  #mountPoint: string | undefined;

  /** Use openVirtualDisk() or attachVirtualDisk(). */
  constructor(token: typeof constructing, init: VirtualDiskInit) {
    if (token !== constructing) throw new TypeError('Use openVirtualDisk() to get a VirtualDisk.');
    this.path = init.description.path;
    this.storageType = init.description.storageType;
    this.#entry = trackHandle(init.description, init.handle, init.identity, init.internal);
    this.#windowsBuild = init.windowsBuild;
    dropped.register(this, this.#entry, this);
  }

  /** Whether this handle attached the image (and, unless permanent, keeps it attached). */
  get attached(): boolean {
    return this.#entry.attached;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Attaches the image (AttachVirtualDisk). Without `permanent`, the attach lasts as long as this handle:
   * until detach() or close(), and this object stays reachable meanwhile. With `permanent`, it outlives
   * close() and the process. Options are read once, when attach() is called. Rejects with the errors of
   * checkAttach(), ERR_ALREADY_ATTACHED when this VirtualDisk attached already, an AbortError, or Windows' own
   * (a sharing violation or "already attached" code with `reason` decided from Windows' list of attached
   * disks: 'ALREADY_ATTACHED' with `physicalPath`, or 'FILE_IN_USE' with `holders`). With `mountPoint`: also
   * ERR_MOUNT_POINT_IN_USE / _NOT_FOUND / _NOT_DIRECTORY / _NOT_EMPTY before attaching, and after it
   * ERR_NO_VOLUME, ERR_AMBIGUOUS_VOLUME or SetVolumeMountPointW's code, the disk detached again first.
   */
  attach(options?: AttachOptions): Promise<void> {
    const read = snapshotAttachOptions(options, this.path);
    if (!read.ok) return Promise.reject(read.error);
    const snapshot = read.value;
    return this.#serialize(async (open) => {
      const request = attachRequestFromSnapshot(this.#describe(open), snapshot, this.#windowsBuild);
      if (!request.ok) throw request.error;
      if (this.#entry.attached) {
        throw new VirtualDiskError(`AttachVirtualDisk '${this.path}': this VirtualDisk already attached the image.`, {
          code: 'ERR_ALREADY_ATTACHED', syscall: 'AttachVirtualDisk', path: this.path,
          hint: 'Detach it first, or keep using it as it is.',
        });
      }
      if (snapshot.mountPoint !== undefined) {
        const refusal = await checkMountPoint(snapshot.mountPoint, this.path);
        if (refusal) throw refusal;
      }
      throwIfAborted(snapshot.signal);
      const { Flags, ProviderSpecificFlags, Parameters, SecurityDescriptor } = request.value.call;
      const { virtdisk } = await windows();
      const handle = this.#handle();
      // With an OVERLAPPED, so a slow attach holds no thread (the attach's parameters in stable memory).
      const raw = await rawLayer();
      await withSecurityDescriptor(SecurityDescriptor, this.path, (descriptor) => runLongOperation({
        syscall: 'AttachVirtualDisk', path: this.path, options: { signal: snapshot.signal }, handle: () => handle,
        start: (arena, overlapped) => callAsync(snapshot.signal, virtdisk.AttachVirtualDisk, handle, descriptor, Flags, ProviderSpecificFlags,
          arena.struct(raw.ATTACH_VIRTUAL_DISK_PARAMETERS, Parameters), overlapped),
      })).catch(async (error: unknown) => { throw await diagnose(error, 'attach', this.path); });
      this.#entry.attached = true;
      this.#entry.attachedReadOnly = (Flags & ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY) !== 0;
      this.#entry.permanent = (Flags & ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME) !== 0;
      this.#attachFlags = Flags;
      // A permanent attach no longer needs this handle: if the VirtualDisk is dropped, its handle is closed.
      if (!this.#entry.permanent) attachedDisks.add(this);
      if (snapshot.mountPoint !== undefined) {
        const mountPoint = snapshot.mountPoint;
        try {
          await mountAttachedDisk({ handle, imagePath: this.path, mountPoint, wait: snapshot.wait, signal: snapshot.signal });
          this.#mountPoint = mountPoint;
        } catch (error) {
          throw await this.#undoAttach(error);
        }
      }
    });
  }

  /**
   * Detaches the image (DetachVirtualDisk). Every other handle this process holds open on it must be closed
   * first (PreconditionError ERR_OTHER_HANDLES_OPEN, naming them).
   */
  detach(options?: CallOptions): Promise<void> {
    const read = this.#callOptions('DetachVirtualDisk', options);
    if (!read.ok) return Promise.reject(read.error);
    const { signal } = read.value;
    return this.#serialize(async (open) => {
      const call = { Flags: 0, ProviderSpecificFlags: 0 };
      const refusal = detachRules(this.#describe(open), call, {
        windowsBuild: this.#windowsBuild, otherOpenHandles: otherHandlesOn(this.#entry.identity, this.#entry),
      });
      if (refusal) throw refusal;
      throwIfAborted(signal);
      await this.#removeMountPoint();
      const { virtdisk } = await windows();
      const result = await callAsync(signal, virtdisk.DetachVirtualDisk, this.#handle(), call.Flags, call.ProviderSpecificFlags);
      if (result !== ERROR_SUCCESS) throw await diagnose(win32Error(result, 'DetachVirtualDisk', this.path), 'detach', this.path);
      this.#detached();
    });
  }

  /**
   * The attached disk's volumes: their GUID paths, drive letters and mounted folders, with kernel32 only (no
   * WMI, no PowerShell). Options: `wait` (ms, default 0: answer at once, possibly []) polls until at least
   * one volume is there and, unless the disk was attached with noDriveLetter, one has a mount point;
   * `signal`. Rejects with ERR_NO_VOLUME when `wait` runs out first, with GetVirtualDiskPhysicalPath's code
   * when the image is not attached, or with an AbortError.
   */
  getVolumes(options?: GetVolumesOptions): Promise<Volume[]> {
    const read = snapshotOptions('getVolumes', options, GET_VOLUMES_OPTION_KINDS, this.path);
    if (!read.ok) return Promise.reject(read.error);
    const { signal, wait = 0 } = read.value;
    return this.getPhysicalPath(signal ? { signal } : undefined).then((physicalPath) => volumesOfAttachedDisk({
      imagePath: this.path, physicalPath, wait, signal,
      // Known when this handle attached it; otherwise Windows' dependency information says.
      noDriveLetter: this.#entry.attached ? (this.#attachFlags & ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER) !== 0 : undefined,
    }));
  }

  /**
   * Writes a new, empty partition table on the attached disk (IOCTL_DISK_CREATE_DISK): `partitionStyle`
   * 'gpt' (default) or 'mbr'. Brings the disk online and writable first when a SAN policy left it otherwise
   * (IOCTL_DISK_SET_DISK_ATTRIBUTES). Only a RAW disk, unless `force: true`: otherwise rejects with
   * ERR_DISK_NOT_RAW, listing the partitions that would be lost. Other errors: `syscall` the IOCTL's name,
   * `errno` Windows' code (ERROR_ACCESS_DENIED: not elevated; ERROR_WRITE_PROTECT: attached read-only).
   */
  initialize(options?: InitializeOptions): Promise<void> {
    const read = snapshotOptions('IOCTL_DISK_CREATE_DISK', options, INITIALIZE_OPTION_KINDS, this.path);
    if (!read.ok) return Promise.reject(read.error);
    const { signal, partitionStyle = 'gpt', force = false } = read.value;
    return this.#diskTarget('IOCTL_DISK_CREATE_DISK', signal).then((target) => initializeDisk(target, { partitionStyle, force }));
  }

  /** The attached disk's partitions, in disk order (IOCTL_DISK_GET_DRIVE_LAYOUT_EX); [] on a RAW disk. */
  getPartitions(options?: CallOptions): Promise<Partition[]> {
    return this.getLayout(options).then((layout) => layout.partitions);
  }

  /** The attached disk's partition table: style, disk ID, usable area, sector size, size and partitions. */
  getLayout(options?: CallOptions): Promise<DiskLayout> {
    const read = this.#callOptions('IOCTL_DISK_GET_DRIVE_LAYOUT_EX', options);
    if (!read.ok) return Promise.reject(read.error);
    return this.#diskTarget('IOCTL_DISK_GET_DRIVE_LAYOUT_EX', read.value.signal).then(getDiskLayout);
  }

  /**
   * Adds a partition after the last one, its start at a whole MiB: `size` bytes rounded up to whole MiB
   * (default: all the free space), `type` 'basic-data' by default (see CreatePartitionOptions), and resolves
   * with it as Windows numbered it. Rejects with ERR_DISK_NOT_INITIALIZED on a RAW disk, ERR_NO_SPACE when it
   * does not fit, ERR_PARTITION_TYPE for a type the disk's style cannot hold.
   */
  createPartition(options?: CreatePartitionOptions): Promise<Partition> {
    const read = snapshotOptions('IOCTL_DISK_SET_DRIVE_LAYOUT_EX', options, CREATE_PARTITION_OPTION_KINDS, this.path);
    if (!read.ok) return Promise.reject(read.error);
    const { signal, size, type, name } = read.value;
    if (size !== undefined && (size === 0n || size > BigInt(Number.MAX_SAFE_INTEGER))) {
      return Promise.reject(new InvalidArgumentError('ERR_INVALID_ARG_VALUE', {
        syscall: 'IOCTL_DISK_SET_DRIVE_LAYOUT_EX', parameter: 'size', path: this.path, problem: `'size' is ${size} bytes.`,
        expected: 'a number of bytes from 1 to 2^53 - 1, or nothing for all the free space',
      }));
    }
    if (name !== undefined && name.length > 36) {
      return Promise.reject(new InvalidArgumentError('ERR_INVALID_ARG_VALUE', {
        syscall: 'IOCTL_DISK_SET_DRIVE_LAYOUT_EX', parameter: 'name', path: this.path, problem: `'name' has ${name.length} characters.`,
        expected: 'at most 36 UTF-16 characters (PARTITION_INFORMATION_GPT.Name is WCHAR[36])',
      }));
    }
    return this.#diskTarget('IOCTL_DISK_SET_DRIVE_LAYOUT_EX', signal)
      .then((target) => createPartition(target, { size: size === undefined ? undefined : Number(size), type, name }));
  }

  /** The attached disk, for the disk layer: an ISO's CD-ROM has no partition table. */
  async #diskTarget(syscall: string, signal: AbortSignal | undefined): Promise<DiskTarget> {
    if (this.storageType === 'iso') {
      throw new PreconditionError('ERR_ISO_UNSUPPORTED', {
        syscall, parameter: 'path', path: this.path, problem: `'${this.path}' is an ISO: it attaches as a read-only CD-ROM, which has no partition table.`,
        rule: 'Partition tables are on disks (VHD, VHDX, VHD Set).', fix: 'Use a VHD or VHDX image.',
      });
    }
    const physicalPath = await this.getPhysicalPath(signal ? { signal } : undefined);
    return { imagePath: this.path, physicalPath, signal };
  }

  /** After the attach itself succeeded and the mount failed: detach again, and report the mount's error. */
  async #undoAttach(error: unknown): Promise<unknown> {
    const { virtdisk } = await windows();
    const result = await callAsync(undefined, virtdisk.DetachVirtualDisk, this.#handle(), 0, 0).catch((thrown: unknown) => thrown);
    if (result === ERROR_SUCCESS) {
      this.#detached();
      return error;
    }
    // Still attached: say so, with the mount's error first (closing the handle ends a non-permanent attach).
    const undo = typeof result === 'number' ? win32Error(result, 'DetachVirtualDisk', this.path) : result;
    const reason = error instanceof Error ? error.message : String(error);
    return new VirtualDiskError(`${reason}\n  and detaching '${this.path}' again failed: ${(undo as Error)?.message ?? String(undo)}`, {
      code: error instanceof VirtualDiskError ? error.code : 'ERR_MOUNT', path: this.path, cause: error,
      hint: this.#entry.permanent
        ? 'The disk stays attached (permanently): detach it with detachVirtualDisk(path).'
        : 'The disk stays attached until this VirtualDisk is closed (close() ends the attach) or detached.',
    });
  }

  #detached(): void {
    this.#entry.attached = false;
    this.#entry.attachedReadOnly = false;
    this.#entry.permanent = false;
    this.#attachFlags = 0;
    attachedDisks.delete(this);
  }

  async #removeMountPoint(): Promise<void> {
    const mountPoint = this.#mountPoint;
    this.#mountPoint = undefined;
    if (mountPoint !== undefined) await removeMountPoint(mountPoint);
  }

  /**
   * What Windows tells of the image (GetVirtualDiskInformation, version by version): a plain VirtualDiskInfo.
   * A field Windows refuses for this disk or build is left out; any other refusal rejects.
   */
  getInfo(options?: InfoOptions): Promise<VirtualDiskInfo> {
    const read = snapshotOptions('GetVirtualDiskInformation', options, INFO_OPTION_KINDS, this.path);
    if (!read.ok) return Promise.reject(read.error);
    const { signal, windowsBuild } = read.value;
    return this.#operation('getInfo', windowsBuild, () =>
      readVirtualDiskInfo(this.#handle(), this.path, this.storageType, windowsBuild ?? this.#buildOrCurrent(), signal));
  }

  /**
   * Grows or shrinks the virtual size to `size` bytes (ResizeVirtualDisk, Windows 8+; a multiple of 512), or to
   * the smallest safe size with resize(0, { toSmallestSafeSize: true }). Shrinking below the last partition is
   * refused by Windows unless `allowUnsafeVirtualSize` (which "can cause unrecoverable data loss"). The image
   * must not be attached through this VirtualDisk (ERR_ATTACHED). Long operation: onProgress, signal (cancels
   * the Windows operation; AbortError).
   */
  resize(size: ByteCount, options?: ResizeOptions): Promise<void> {
    const request = readResizeRequest(size, options, this.path);
    if (!request.ok) return Promise.reject(request.error);
    const { NewSize, Flags, options: snapshot } = request.value;
    return this.#operation('resize', snapshot.windowsBuild, () => operations.resize(this.#onHandle(snapshot), NewSize, Flags));
  }

  /**
   * Compacts a dynamic or differencing image (CompactVirtualDisk): file-system-agnostic when detached, file-system
   * aware while attached read-only through this VirtualDisk. Options `noZeroScan`, `noBlockMoves`, and the long
   * operation's onProgress and signal. Refused while attached read/write here (ERR_ATTACHED).
   */
  compact(options?: CompactOptions): Promise<void> {
    const request = readCompactRequest(options, this.path);
    if (!request.ok) return Promise.reject(request.error);
    const { Flags, options: snapshot } = request.value;
    return this.#operation('compact', snapshot.windowsBuild, () => operations.compact(this.#onHandle(snapshot), Flags)
      .catch(async (error: unknown) => { throw await diagnose(error, 'compact', this.path); }));
  }

  /**
   * Merges this differencing image into its parent(s) (MergeVirtualDisk, version 2 parameters, Windows 8+):
   * `depth` levels (default 1: into the direct parent), or `sourceDepth`/`targetDepth`. The merged children
   * stay on disk and become invalid; other children of the parent become invalid too (the MergeVirtualDisk page).
   */
  merge(options?: MergeOptions): Promise<void> {
    const request = readMergeRequest(options, this.path);
    if (!request.ok) return Promise.reject(request.error);
    const { MergeSourceDepth, MergeTargetDepth, options: snapshot } = request.value;
    return this.#operation('merge', snapshot.windowsBuild, () => operations.merge(this.#onHandle(snapshot), MergeSourceDepth, MergeTargetDepth));
  }

  /** Re-links a differencing image to its parent at `parentPath` (SET_VIRTUAL_DISK_INFO_PARENT_PATH). */
  setParentPath(parentPath: string, options?: InfoOptions): Promise<void> {
    const resolved = resolveImagePath('SetVirtualDiskInformation', parentPath);
    if (!resolved.ok) return Promise.reject(resolved.error);
    return this.#setInformation('setParentPath', options, { Version: SET_VIRTUAL_DISK_INFO_PARENT_PATH, u: { ParentFilePath: resolved.value } });
  }

  /**
   * Gives the image a new identifier (SET_VIRTUAL_DISK_INFO_IDENTIFIER): `guid` (any case, braces or not), or a
   * random one. The documentation warns this "will break any existing differencing chains on the VHD".
   */
  setIdentifier(guid?: string, options?: InfoOptions): Promise<void> {
    const text = guid === undefined ? randomGuid() : guid;
    const value = typeof text === 'string' ? parseGuid(text) : undefined;
    if (!value) {
      return Promise.reject(new InvalidArgumentError('ERR_INVALID_ARG_VALUE', {
        syscall: 'SetVirtualDiskInformation', parameter: 'guid', path: this.path, problem: "'guid' is not a GUID.",
        expected: "a GUID string such as '2c3e4f5a-0b1c-4d2e-8f90-a1b2c3d4e5f6', or undefined for a random one",
      }));
    }
    return this.#setInformation('setIdentifier', options, { Version: SET_VIRTUAL_DISK_INFO_IDENTIFIER, u: { UniqueIdentifier: value } });
  }

  /** Sets a VHDX's physical sector size to 512 or 4096 bytes (SET_VIRTUAL_DISK_INFO_PHYSICAL_SECTOR_SIZE, Windows 8+). */
  setPhysicalSectorSize(size: 512 | 4096, options?: InfoOptions): Promise<void> {
    if (size !== 512 && size !== 4096) {
      return Promise.reject(new InvalidArgumentError('ERR_INVALID_ARG_VALUE', {
        syscall: 'SetVirtualDiskInformation', parameter: 'size', path: this.path, problem: "'size' is not a sector size.", expected: '512 or 4096',
      }));
    }
    return this.#setInformation('setPhysicalSectorSize', options, { Version: SET_VIRTUAL_DISK_INFO_PHYSICAL_SECTOR_SIZE, u: { VhdPhysicalSectorSize: size } });
  }

  /** The attached disk's device path: '\\.\PhysicalDrive3', or '\\.\CDROM1' for an ISO. */
  getPhysicalPath(options?: CallOptions): Promise<string> {
    const syscall = 'GetVirtualDiskPhysicalPath';
    const read = this.#callOptions(syscall, options);
    if (!read.ok) return Promise.reject(read.error);
    const { signal } = read.value;
    return this.#serialize(async (open) => {
      const handleError = handleRule(syscall, this.#describe(open));
      if (handleError) throw handleError;
      const { virtdisk } = await windows();
      let size = 2 * 261;
      for (let attempt = 0; attempt < 4; attempt++) {
        const buffer = Buffer.alloc(size);
        const sizeInOut: [number] = [size];
        const result = await callAsync(signal, virtdisk.GetVirtualDiskPhysicalPath, this.#handle(), sizeInOut, buffer);
        if (result === ERROR_SUCCESS) {
          const text = buffer.toString('utf16le');
          const end = text.indexOf('\0');
          return end === -1 ? text : text.slice(0, end);
        }
        if (result !== ERROR_INSUFFICIENT_BUFFER || sizeInOut[0] <= size) throw win32Error(result, syscall, this.path);
        size = sizeInOut[0];
      }
      throw win32Error(ERROR_INSUFFICIENT_BUFFER, syscall, this.path);
    });
  }

  /**
   * Closes the handle; idempotent. A non-permanent attach ends here (Windows detaches the disk when its
   * last handle closes); a permanent one stays until detachVirtualDisk(path). Waits for calls under way.
   */
  close(): Promise<void> {
    this.#closing ??= this.#queue.then(() => this.#closeHandle(), () => this.#closeHandle());
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #closeHandle(): Promise<void> {
    dropped.unregister(this);
    attachedDisks.delete(this);
    // Closing ends a non-permanent attach: its mount point goes first. A permanent one keeps it.
    if (!this.#entry.permanent) await this.#removeMountPoint();
    const handle = releaseHandle(this.#entry);
    if (handle === undefined) return;
    const { kernel32 } = await windows();
    const closed = await callAsync(undefined, kernel32.CloseHandle, handle);
    if (!closed) {
      // The last error stays on the worker thread that made the call, so it cannot be reported.
      throw new VirtualDiskError(`CloseHandle failed for '${this.path}'.`, { code: 'ERR_CLOSE_HANDLE', syscall: 'CloseHandle', path: this.path });
    }
  }

  #setInformation(operation: Operation, options: unknown, value: SetVirtualDiskInfoValue): Promise<void> {
    const read = snapshotOptions('SetVirtualDiskInformation', options, INFO_OPTION_KINDS, this.path);
    if (!read.ok) return Promise.reject(read.error);
    const { signal, windowsBuild } = read.value;
    return this.#operation(operation, windowsBuild, async () => {
      throwIfAborted(signal);
      const { virtdisk } = await windows();
      const result = await callAsync(signal, virtdisk.SetVirtualDiskInformation, this.#handle(), value);
      if (result !== ERROR_SUCCESS) throw win32Error(result, 'SetVirtualDiskInformation', this.path);
    });
  }

  /** Runs `run` in this VirtualDisk's order, once the operation's rules pass on the handle as it is then. */
  #operation<T>(operation: Operation, windowsBuild: number | undefined, run: () => Promise<T>): Promise<T> {
    return this.#serialize(async (open) => {
      const refusal = operationRules(operation, this.#describe(open), {
        attached: this.#entry.attached && this.#entry.handle !== undefined, attachedReadOnly: this.#entry.attachedReadOnly,
      }, windowsBuild ?? this.#buildOrCurrent());
      if (refusal) throw refusal;
      return run();
    });
  }

  #onHandle(options: operations.OnHandle['options']): operations.OnHandle {
    return { handle: this.#handle(), path: this.path, options };
  }

  #buildOrCurrent(): number | undefined {
    return this.#windowsBuild ?? currentWindowsBuild();
  }

  #callOptions(syscall: string, options: unknown): ReturnType<typeof snapshotOptions<typeof CALL_OPTION_KINDS>> {
    return snapshotOptions(syscall, options, CALL_OPTION_KINDS, this.path);
  }

  #handle(): bigint {
    const handle = this.#entry.handle;
    if (handle === undefined) throw new Error('unreachable: the handle is checked open before use');
    return handle;
  }

  #describe(open: boolean): HandleDescription {
    return { ...this.#entry.description, open: open && this.#entry.handle !== undefined };
  }

  /**
   * One call at a time per handle, in the order they were made. `open` is whether the call came before
   * close(): a call made before it still runs, one made after it is refused.
   */
  #serialize<T>(operation: (open: boolean) => Promise<T>): Promise<T> {
    const open = this.#closing === undefined;
    const run = this.#queue.then(() => operation(open), () => operation(open));
    this.#queue = run.catch(() => {});
    return run;
  }
}

export function createVirtualDisk(init: VirtualDiskInit): VirtualDisk {
  return new VirtualDisk(constructing, init);
}
