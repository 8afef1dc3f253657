// A TypeScript consumer of the installed package, ESM. Type-checked by the consumer's own tsc under
// nodenext and bundler (strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess, skipLibCheck: false),
// then run with tsx (off Windows: the pure checks, and ERR_UNSUPPORTED_PLATFORM from every call into Windows).
// This directory's name starts with a dot so that the repository's own tsc skips it: 'virtdisk' resolves
// only where the tarball is installed.
import {
  attachVirtualDisk, checkAttach, checkOpen, describeOpenedHandle, detachVirtualDisk, InvalidParameterError,
  openVirtualDisk, VirtualDisk, VirtualDiskError,
  type AttachCall, type AttachOptions, type AttachVirtualDiskOptions, type OpenOptions, type StorageType, type Verdict,
} from 'virtdisk';
import { ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, type Bindings, type NativeFunction } from 'virtdisk/ffi';
import type { DetachOptions, RestrictedRange } from 'virtdisk/types';

const range: RestrictedRange = { offset: 0n, length: 1n << 20n };
const attachOptions: AttachVirtualDiskOptions = { noDriveLetter: true, restrictedRange: range, windowsBuild: 19045 };
const openOptions: OpenOptions = { readOnly: true, storageType: 'vhdx' satisfies StorageType };
const detachOptions: DetachOptions = { signal: AbortSignal.timeout(10_000) };

/** The README's quick start, as a typed function (not called off Windows). */
export async function quickStart(image: string): Promise<string> {
  const disk: VirtualDisk = await openVirtualDisk(image, openOptions);
  await disk.attach({ noDriveLetter: true } satisfies AttachOptions);
  const physical = await disk.getPhysicalPath();
  await disk.detach();
  await disk.close();
  await using iso = await attachVirtualDisk('D:\\images\\win.iso');
  await detachVirtualDisk('D:\\images\\tools.vhdx', detachOptions);
  return `${physical} ${await iso.getPhysicalPath()}`;
}

/** The flags a handle-bound attach would use, or the documented rule it breaks. */
export function flagsFor(path: string, options: AttachOptions): number | string {
  const opening = checkOpen(path);
  if (!opening.ok) return opening.error.rule;
  const verdict: Verdict<AttachCall> = checkAttach(describeOpenedHandle(opening.call), options, { windowsBuild: 19045 });
  return verdict.ok ? verdict.call.Flags : `${verdict.error.parameter}: ${verdict.error.rule}`;
}

/** What a refused call rejects with. */
export type Refusal = InvalidParameterError | VirtualDiskError;

type Detach = Bindings['virtdisk']['DetachVirtualDisk'];
export const detachArity: Detach extends NativeFunction<infer Args, number> ? Args['length'] : never = 3;

async function main(): Promise<void> {
  if (flagsFor('D:\\a.vhdx', { noDriveLetter: true }) !== ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER) throw new Error('flags');
  if (typeof flagsFor('D:\\a.vhdx', { atBoot: true }) !== 'string') throw new Error('atBoot on 19045 must be refused');
  const iso = checkOpen('D:\\images\\win.iso', { windowsBuild: 7601 });
  if (iso.ok || !(iso.error instanceof VirtualDiskError)) throw new Error('ISO before Windows 8 must be refused');
  if (process.platform === 'win32') return;
  for (const call of [() => openVirtualDisk('C:\\a.vhdx'), () => attachVirtualDisk('C:\\a.vhdx', attachOptions)]) {
    const error: unknown = await call().then(() => undefined, (e: unknown) => e);
    if (!(error instanceof VirtualDiskError) || error.code !== 'ERR_UNSUPPORTED_PLATFORM') {
      throw new Error(`expected ERR_UNSUPPORTED_PLATFORM, got ${String(error)}`);
    }
  }
}

main().then(() => console.log('ok tsx: app.mts'), (error: unknown) => {
  console.log(`FAIL tsx: app.mts: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
});
