// Every virtual disk handle this process holds open through the library: for the rule that other handles
// on an image must be closed before it is detached, and for closing handles whose VirtualDisk was dropped.
import { windows, callAsync } from './native.ts';
import type { HandleDescription } from './validate.ts';

export interface OpenHandle {
  readonly id: number;
  readonly description: HandleDescription;
  /** undefined once closed. */
  handle: bigint | undefined;
  attached: boolean;
  permanent: boolean;
}

const openHandles = new Set<OpenHandle>();
let nextId = 1;

const imageKey = (imagePath: string) => imagePath.toLowerCase(); // Windows paths ignore case

export function trackHandle(description: HandleDescription, handle: bigint): OpenHandle {
  const entry: OpenHandle = { id: nextId++, description, handle, attached: false, permanent: false };
  openHandles.add(entry);
  return entry;
}

/** The other open handles on the same image, described for an error message. */
export function otherHandlesOn(imagePath: string, except?: OpenHandle): string[] {
  const key = imageKey(imagePath);
  const others: string[] = [];
  for (const entry of openHandles) {
    if (entry === except || imageKey(entry.description.path) !== key) continue;
    const state = entry.attached ? (entry.permanent ? 'attached, permanent' : 'attached') : 'not attached';
    others.push(`VirtualDisk #${entry.id} (${state})`);
  }
  return others;
}

/** Takes the handle out of the entry (so it is closed exactly once) and returns it. */
export function releaseHandle(entry: OpenHandle): bigint | undefined {
  const handle = entry.handle;
  entry.handle = undefined;
  openHandles.delete(entry);
  if (!entry.permanent) entry.attached = false; // Windows detaches with the last handle
  return handle;
}

/** CloseHandle for a VirtualDisk that was dropped without close(); never throws. */
export function closeDropped(entry: OpenHandle): void {
  const handle = releaseHandle(entry);
  if (handle === undefined) return;
  // Nothing to report a failure to: the owner is gone.
  windows().then(({ kernel32 }) => callAsync(kernel32.CloseHandle, handle)).catch(() => {});
}
