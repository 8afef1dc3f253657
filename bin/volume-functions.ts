// CAPABILITY CHECK, to go once the library has them (issue 8): `list`, `volumes`, attach's --mount and --wait,
// and detach --if-attached need the library's volume functions: listAttachedVirtualDisks(), disk.getVolumes(),
// and the attach/detach options mountPoint, wait and ifAttached. This build of the library may not have them
// yet; then those commands and options exit 2 with ERR_NOT_AVAILABLE, and everything else works. The CLI calls
// only these names of the library's public API; it implements none of them itself.
import * as virtdisk from '../lib/index.ts';
import { UsageError } from './usage-error.ts';

/** A volume of an attached disk (the library's Volume). */
export interface Volume {
  name: string;
  mountPoints: string[];
  diskNumber: number;
  partitionNumber?: number;
}

/** A disk Windows has attached from an image file (the library's AttachedVirtualDisk). */
export interface AttachedVirtualDisk {
  path: string;
  storageType: string;
  physicalPath: string;
  diskNumber: number;
  readOnly?: boolean;
  permanent?: boolean;
  volumes: Volume[];
}

interface VolumeApi {
  listAttachedVirtualDisks(options?: { signal?: AbortSignal }): Promise<AttachedVirtualDisk[]>;
  getVolumes(disk: virtdisk.VirtualDisk, options: { wait?: number; signal?: AbortSignal }): Promise<Volume[]>;
}

export class NotAvailableError extends UsageError {
  override readonly code: string = 'ERR_NOT_AVAILABLE';
}

/** Whether this library has the volume functions. */
export function hasVolumeFunctions(): boolean {
  const list = (virtdisk as Record<string, unknown>).listAttachedVirtualDisks;
  const getVolumes = (virtdisk.VirtualDisk.prototype as unknown as Record<string, unknown>).getVolumes;
  return typeof list === 'function' && typeof getVolumes === 'function';
}

/** The volume functions, or ERR_NOT_AVAILABLE (exit 2) naming what needed them. */
export function volumeFunctions(feature: string): VolumeApi {
  if (!hasVolumeFunctions()) {
    throw new NotAvailableError(`${feature} needs virtdisk's volume functions (listAttachedVirtualDisks, disk.getVolumes), which this version of the library does not have yet.`, feature);
  }
  const api = virtdisk as unknown as { listAttachedVirtualDisks: VolumeApi['listAttachedVirtualDisks'] };
  return {
    listAttachedVirtualDisks: (options) => api.listAttachedVirtualDisks(options),
    getVolumes: (disk, options) => (disk as unknown as { getVolumes(options: unknown): Promise<Volume[]> }).getVolumes(options),
  };
}
