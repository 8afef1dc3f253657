// An open virtual disk: one handle from OpenVirtualDisk and what can be done with it.
import type { AttachOptions, CallOptions, StorageType } from '../types/index.ts';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_SUCCESS } from './win32-errors.ts';
import { VirtualDiskError } from './errors.ts';
import { closeDropped, otherHandlesOn, releaseHandle, trackHandle, type OpenHandle } from './handles.ts';
import { callAsync, win32Error, windows } from './native.ts';
import { withSecurityDescriptor } from './security-descriptor.ts';
import { checkAttach, checkDetach, checkHandle, type HandleDescription } from './validate.ts';
import { ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME } from '../types/constants.ts';

// A handle that was never attached and whose VirtualDisk is dropped without close() is closed here.
// Attached disks are held in `attachedDisks`, so an attach never ends by garbage collection.
const dropped = new FinalizationRegistry<OpenHandle>(closeDropped);
const attachedDisks = new Set<VirtualDisk>();

const constructing = Symbol('VirtualDisk');

export interface VirtualDiskInit {
  description: HandleDescription;
  handle: bigint;
  windowsBuild: number | undefined;
}

export class VirtualDisk {
  /** The image's absolute path. */
  readonly path: string;
  readonly storageType: StorageType;
  readonly #entry: OpenHandle;
  readonly #windowsBuild: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closing: Promise<void> | undefined;

  /** Use openVirtualDisk() or attachVirtualDisk(). */
  constructor(token: typeof constructing, init: VirtualDiskInit) {
    if (token !== constructing) throw new TypeError('Use openVirtualDisk() to get a VirtualDisk.');
    this.path = init.description.path;
    this.storageType = init.description.storageType;
    this.#entry = trackHandle(init.description, init.handle);
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
   * Attaches the image. Without `permanent`, the attach lasts as long as this handle: until detach() or
   * close(), and this object stays reachable meanwhile. With `permanent`, it outlives close() and the process.
   */
  attach(options?: AttachOptions): Promise<void> {
    return this.#serialize(async (open) => {
      const verdict = checkAttach(this.#describe(open), options, { windowsBuild: options?.windowsBuild ?? this.#windowsBuild });
      if (!verdict.ok) throw verdict.error;
      if (this.#entry.attached) {
        throw new VirtualDiskError(`AttachVirtualDisk '${this.path}': this VirtualDisk already attached the image.`, {
          code: 'ERR_ALREADY_ATTACHED', syscall: 'AttachVirtualDisk', path: this.path,
          hint: 'Detach it first, or keep using it as it is.',
        });
      }
      options?.signal?.throwIfAborted();
      const { Flags, ProviderSpecificFlags, Parameters, SecurityDescriptor } = verdict.call;
      const { virtdisk } = await windows();
      const handle = this.#handle();
      const result = await withSecurityDescriptor(SecurityDescriptor, (descriptor) =>
        callAsync(virtdisk.AttachVirtualDisk, handle, descriptor, Flags, ProviderSpecificFlags, Parameters, null));
      if (result !== ERROR_SUCCESS) throw win32Error(result, 'AttachVirtualDisk', this.path);
      this.#entry.attached = true;
      this.#entry.permanent = (Flags & ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME) !== 0;
      attachedDisks.add(this);
    });
  }

  /** Detaches the image. Every other handle this process holds open on it must be closed first. */
  detach(options?: CallOptions): Promise<void> {
    return this.#serialize(async (open) => {
      const verdict = checkDetach(this.#describe(open), {
        ...(this.#windowsBuild !== undefined && { windowsBuild: this.#windowsBuild }),
        otherOpenHandles: otherHandlesOn(this.path, this.#entry),
      });
      if (!verdict.ok) throw verdict.error;
      options?.signal?.throwIfAborted();
      const { virtdisk } = await windows();
      const { Flags, ProviderSpecificFlags } = verdict.call;
      const result = await callAsync(virtdisk.DetachVirtualDisk, this.#handle(), Flags, ProviderSpecificFlags);
      if (result !== ERROR_SUCCESS) throw win32Error(result, 'DetachVirtualDisk', this.path);
      this.#entry.attached = false;
      this.#entry.permanent = false;
      attachedDisks.delete(this);
    });
  }

  /** The attached disk's device path: '\\.\PhysicalDrive3', or '\\.\CDROM1' for an ISO. */
  getPhysicalPath(options?: CallOptions): Promise<string> {
    return this.#serialize(async (open) => {
      const syscall = 'GetVirtualDiskPhysicalPath';
      const handleError = checkHandle(syscall, this.#describe(open));
      if (handleError) throw handleError;
      const { virtdisk } = await windows();
      let size = 2 * 261;
      for (let attempt = 0; attempt < 4; attempt++) {
        options?.signal?.throwIfAborted();
        const buffer = Buffer.alloc(size);
        const sizeInOut: [number] = [size];
        const result = await callAsync(virtdisk.GetVirtualDiskPhysicalPath, this.#handle(), sizeInOut, buffer);
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
    const handle = releaseHandle(this.#entry);
    if (handle === undefined) return;
    const { kernel32 } = await windows();
    const closed = await callAsync(kernel32.CloseHandle, handle);
    if (!closed) {
      // The last error stays on the worker thread that made the call, so it cannot be reported.
      throw new VirtualDiskError(`CloseHandle failed for '${this.path}'.`, { code: 'ERR_CLOSE_HANDLE', syscall: 'CloseHandle', path: this.path });
    }
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
