// The lifecycle entry points that take a path: create, read information, compact.
import { rm, stat } from 'node:fs/promises';
import type {
  CompactVirtualDiskOptions, CreateVirtualDiskOptions, GetVirtualDiskInfoOptions, VirtualDiskInfo,
} from '../types/index.ts';
import { OPEN_VIRTUAL_DISK_VERSION_2, VIRTUAL_DISK_ACCESS_NONE } from '../types/constants.ts';
import { throwIfAborted, VirtualDiskError } from './errors.ts';
import { diagnose } from './diagnose.ts';
import { imageIdentity } from './image-identity.ts';
import { runLongOperation } from './long-operation.ts';
import { callAsync, rawLayer, windows } from './native.ts';
import { readCreateRequest } from './rules/create.ts';
import { readCompactVirtualDiskRequest } from './rules/operations.ts';
import { readOpenRequest } from './rules/open.ts';
import { withSecurityDescriptor } from './security-descriptor.ts';
import { openRequest } from './api.ts';
import { createVirtualDisk as wrapHandle, type VirtualDisk } from './virtual-disk.ts';

/**
 * Creates a VHD or VHDX image (CreateVirtualDisk, version 2 parameters, Windows 8+) and returns an open
 * VirtualDisk on it, ready to attach. `size` in bytes (number or bigint), `type` 'dynamic' (default) or
 * 'fixed', `parent` for a differencing disk, `source` to copy an image or a disk; see CreateVirtualDiskOptions.
 * Rejects before anything native with checkCreate()'s errors, or ERROR_FILE_EXISTS (errno 80) when the file
 * exists; then with Windows' errors. A long operation: onProgress, and signal cancels the Windows operation
 * (AbortError). A creation that fails or is cancelled leaves no file behind that it made.
 */
export async function createVirtualDisk(path: string, options: CreateVirtualDiskOptions): Promise<VirtualDisk> {
  const syscall = 'CreateVirtualDisk';
  const request = readCreateRequest(path, options);
  if (!request.ok) throw request.error;
  const { call, options: snapshot } = request.value;
  throwIfAborted(snapshot.signal);
  if (await stat(call.Path).then(() => true, () => false)) {
    throw new VirtualDiskError(`${syscall} '${call.Path}': the file exists. (ERROR_FILE_EXISTS, 80)`, {
      code: 'ERROR_FILE_EXISTS', errno: 80, syscall, path: call.Path,
      hint: 'createVirtualDisk makes a new file: pick another path, or delete the old image first. To use the existing image, openVirtualDisk(path).',
    });
  }

  const { virtdisk, kernel32 } = await windows();
  const raw = await rawLayer();
  let handle: bigint | undefined;
  let madeFile: string | undefined;
  try {
    await withSecurityDescriptor(call.SecurityDescriptor, call.Path, (descriptor) => runLongOperation({
      syscall, path: call.Path, options: snapshot, handle: () => handle!,
      start: async (arena, overlapped) => {
        const { ParentPath, SourcePath, ...fixed } = call.Parameters.Version2;
        const parameters = arena.struct(raw.CREATE_VIRTUAL_DISK_PARAMETERS, {
          Version: call.Parameters.Version,
          u: { Version2: { ...fixed, ParentPath: ParentPath === null ? null : arena.wideString(ParentPath), SourcePath: SourcePath === null ? null : arena.wideString(SourcePath) } },
        });
        const created: [bigint | null] = [null];
        const code = await callAsync(undefined, virtdisk.CreateVirtualDisk, call.VirtualStorageType, arena.wideString(call.Path),
          call.VirtualDiskAccessMask, descriptor, call.Flags, call.ProviderSpecificFlags, parameters, overlapped, created);
        if (code === 0 || code === 997) {
          madeFile = await imageIdentity(call.Path); // what to remove, and only that, if this fails later
          handle = created[0] ?? undefined;
          if (handle === undefined) {
            throw new VirtualDiskError(`${syscall} '${call.Path}' answered ${code} without a handle.`, { code: 'ERR_NO_HANDLE', syscall, path: call.Path });
          }
        }
        return code;
      },
    }));
  } catch (error) {
    if (handle !== undefined) await callAsync(undefined, kernel32.CloseHandle, handle).catch(() => {});
    if (madeFile !== undefined && (await imageIdentity(call.Path)) === madeFile) await rm(call.Path, { force: true }).catch(() => {});
    // A sharing violation or access denial: who holds the parent or source (the new file is the library's own).
    const { ParentPath, SourcePath } = call.Parameters.Version2;
    throw await diagnose(error, 'create', ParentPath ?? SourcePath ?? call.Path);
  }
  return wrapHandle({
    description: {
      // A CreateVirtualDisk handle serves like a version 2 OpenVirtualDisk handle (Microsoft's samples attach through it).
      createdByOpenVirtualDisk: true, open: true, path: call.Path, storageType: call.storageType,
      openVersion: OPEN_VIRTUAL_DISK_VERSION_2, access: VIRTUAL_DISK_ACCESS_NONE, readOnly: false, getInfoOnly: false,
    },
    handle: handle!,
    windowsBuild: snapshot.windowsBuild,
    identity: madeFile ?? await imageIdentity(call.Path),
    internal: false,
  });
}

/**
 * Opens an image for information only (version 2 with GetInfoOnly; an ISO: version 1 with
 * VIRTUAL_DISK_ACCESS_GET_INFO), reads every field Windows gives (as disk.getInfo()), and closes it.
 * Options: storageType, windowsBuild, signal.
 */
export async function getVirtualDiskInfo(path: string, options?: GetVirtualDiskInfoOptions): Promise<VirtualDiskInfo> {
  const request = readOpenRequest(path, options, 'info');
  if (!request.ok) throw request.error;
  const { signal, windowsBuild } = request.value.options;
  const disk = await openRequest(request.value);
  try {
    return await disk.getInfo({ signal, windowsBuild });
  } finally {
    await disk.close();
  }
}

/**
 * Open → compact → close: the one call that shrinks a WSL, Docker or Podman .vhdx (detached) without Hyper-V.
 * Options: noZeroScan, noBlockMoves, onProgress, progressInterval, signal (cancels the Windows operation),
 * storageType, windowsBuild.
 */
export async function compactVirtualDisk(path: string, options?: CompactVirtualDiskOptions): Promise<void> {
  const request = readCompactVirtualDiskRequest(path, options);
  if (!request.ok) throw request.error;
  const disk = await openRequest(request.value.opening);
  try {
    await disk.compact(request.value.compactOptions);
  } finally {
    await disk.close();
  }
}
