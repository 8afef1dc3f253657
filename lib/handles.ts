// Every virtual disk handle this process holds open through the library, by image: for the rule that other
// handles on an image must be closed before it is detached, and for closing handles whose VirtualDisk was
// dropped.
import { callAsync, windows } from './native.ts';
import type { HandleDescription } from './rules/common.ts';

export interface OpenHandle {
  readonly id: number;
  readonly description: HandleDescription;
  /** The image's file identity (imageIdentity), read once when the handle was opened. */
  readonly identity: string;
  /** Opened by the library for its own use (detachVirtualDisk): never named to the caller as "another handle". */
  readonly internal: boolean;
  /** undefined once closed. */
  handle: bigint | undefined;
  attached: boolean;
  /** The attach is read-only (ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY). */
  attachedReadOnly: boolean;
  permanent: boolean;
}

const byImage = new Map<string, Set<OpenHandle>>();
let nextId = 1;

export function trackHandle(description: HandleDescription, handle: bigint, identity: string, internal = false): OpenHandle {
  const entry: OpenHandle = { id: nextId++, description, identity, internal, handle, attached: false, attachedReadOnly: false, permanent: false };
  let entries = byImage.get(identity);
  if (!entries) byImage.set(identity, (entries = new Set()));
  entries.add(entry);
  return entry;
}

/** The caller's other open handles on the same image (by file identity), described for an error message. */
export function otherHandlesOn(identity: string, except?: OpenHandle): string[] {
  const others: string[] = [];
  for (const entry of byImage.get(identity) ?? []) {
    if (entry === except || entry.internal) continue;
    const state = entry.attached ? (entry.permanent ? 'attached, permanent' : 'attached') : 'not attached';
    others.push(`VirtualDisk #${entry.id} (${state}, opened as '${entry.description.path}')`);
  }
  return others;
}

/** Takes the handle out of the entry (so it is closed exactly once) and returns it. */
export function releaseHandle(entry: OpenHandle): bigint | undefined {
  const handle = entry.handle;
  entry.handle = undefined;
  const entries = byImage.get(entry.identity);
  entries?.delete(entry);
  if (entries?.size === 0) byImage.delete(entry.identity);
  if (!entry.permanent) entry.attached = false; // Windows detaches with the last handle
  return handle;
}

/** CloseHandle for a VirtualDisk that was dropped without close(); never throws. */
export function closeDropped(entry: OpenHandle): void {
  const handle = releaseHandle(entry);
  if (handle === undefined) return;
  // Nothing to report a failure to: the owner is gone.
  windows().then(({ kernel32 }) => callAsync(undefined, kernel32.CloseHandle, handle)).catch(() => {});
}

const imageLocks = new Map<string, Promise<unknown>>();

/** Runs `operation` after every earlier operation on the same image (by identity) has settled. */
export function withImageLock<T>(identity: string, operation: () => Promise<T>): Promise<T> {
  const previous = imageLocks.get(identity) ?? Promise.resolve();
  const run = previous.then(operation, operation);
  const settled = run.catch(() => {});
  imageLocks.set(identity, settled);
  void settled.then(() => {
    if (imageLocks.get(identity) === settled) imageLocks.delete(identity);
  });
  return run;
}
