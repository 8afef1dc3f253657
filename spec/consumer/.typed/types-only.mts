// Uses the package's types and nothing of Node's: type-checked with and without @types/node installed, to
// see whether the package's declarations need Node's types.
import { checkOpen, type AttachVirtualDiskOptions, type VirtualDisk } from 'virtdisk';
import type { Bindings } from 'virtdisk/ffi';
import type { StorageType } from 'virtdisk/types';

export const options: AttachVirtualDiskOptions = { readOnly: true, permanent: true };
export const kind: StorageType = 'vhdset';
export type Attach = Bindings['virtdisk']['AttachVirtualDisk'];
export async function physical(disk: VirtualDisk): Promise<string> {
  return disk.getPhysicalPath();
}
export const iso: boolean = checkOpen('D:\\x.iso').ok;
