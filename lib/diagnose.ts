// What an error means, decided from the state of Windows, not from its code alone.
//
// A sharing violation or an "already attached"-style code from OpenVirtualDisk or AttachVirtualDisk has
// several causes: the image is attached already, or another program holds its file. A "not ready"-style code
// from DetachVirtualDisk means "not attached" only if it is not. So, for those codes, the library asks
// Windows: its list of attached virtual disks (lib/attached.ts, images compared by imageIdentity), and the
// Restart Manager (lib/holders.ts) for the processes holding the file. Then:
//   - attached                         → reason 'ALREADY_ATTACHED', error.physicalPath of that attach
//   - not attached, holders found      → reason 'FILE_IN_USE', error.holders, named in the hint
//   - detach, not attached             → reason 'NOT_ATTACHED'
// and the hint never names a cause that was checked and found false. A lookup that fails changes nothing:
// the original error is kept, with its own hint.
import { VirtualDiskError, type Holder } from './errors.ts';
import { attachmentOf, type Attachment } from './attached.ts';
import { describeHolders, holdersOf } from './holders.ts';

/** The operation that failed. create and compact are here for the lifecycle functions: they ask only for holders. */
export type DiagnosedOperation = 'open' | 'attach' | 'detach' | 'create' | 'compact';

/** Codes that, from open or attach, may mean "already attached". */
const ATTACHED_CODES = new Set([
  'ERROR_SHARING_VIOLATION', 'ERROR_ALREADY_EXISTS', 'ERROR_VHD_INVALID_STATE', 'ERROR_VIRTDISK_DISK_ALREADY_OWNED',
  'ERROR_DEVICE_ALREADY_ATTACHED',
]);
/** Codes that, from detach, may mean "not attached". */
const NOT_ATTACHED_CODES = new Set(['ERROR_NOT_READY', 'ERROR_NOT_FOUND', 'ERROR_DEV_NOT_EXIST', 'ERROR_VHD_INVALID_STATE']);
/** Codes after which the Restart Manager is asked who holds the file. */
const HOLDER_CODES = new Set(['ERROR_SHARING_VIOLATION', 'ERROR_ACCESS_DENIED']);

export interface Lookups {
  /** Ask Windows' list of attached virtual disks. */
  attachment: boolean;
  /** Ask the Restart Manager. */
  holders: boolean;
}

/** Which lookups an error code from an operation calls for (none: the error stays as it is). */
export function lookupsFor(operation: DiagnosedOperation, code: string): Lookups {
  const attachment = operation === 'open' || operation === 'attach' ? ATTACHED_CODES.has(code)
    : operation === 'detach' ? NOT_ATTACHED_CODES.has(code) : false;
  return { attachment, holders: HOLDER_CODES.has(code) };
}

/** What the lookups found; undefined: not asked, or Windows could not say. */
export interface Findings {
  attachment?: Attachment | undefined;
  holders?: readonly Holder[] | undefined;
}

const OTHER_PROGRAMS = 'a backup or antivirus scanner (often only for a moment: retry after a short wait), another virtualization tool or virtual machine (Hyper-V, VirtualBox, VMware, WSL), or Explorer, which mounts an .iso or .vhdx on double-click';
const LIST = "Windows' list of attached virtual disks";

/** The attach-side hints, when the list says the image is NOT attached: each code's other causes. */
const NOT_ATTACHED_AFTER_ALL: Readonly<Record<string, string>> = {
  ERROR_SHARING_VIOLATION: `The image file is in use, and the image is not attached (${LIST} does not have it): another program holds the file open, such as ${OTHER_PROGRAMS}.`,
  ERROR_ALREADY_EXISTS: `Windows answered that the image is attached already, yet ${LIST} does not have it: it was probably detached in between. Try again.`,
  ERROR_DEVICE_ALREADY_ATTACHED: `Windows answered that the device is attached already, yet ${LIST} does not have the image: it was probably detached in between. Try again.`,
  ERROR_VHD_INVALID_STATE: `The virtual disk cannot be attached in its current state, and it is not attached (${LIST} does not have it): another operation (merge, mirror, resize, compact) is still running on it. Wait for it to finish.`,
  ERROR_VIRTDISK_DISK_ALREADY_OWNED: `The virtual disk already has another owner, and it is not attached on this machine (${LIST} does not have it): a virtual machine uses it (Hyper-V, or WSL for its own disks). Shut the virtual machine down or remove the disk from it.`,
};

function holdersHint(holders: readonly Holder[]): string {
  const many = holders.length > 1;
  return `The image file is in use: held by ${describeHolders(holders)}. Close ${many ? 'those programs' : 'that program'}, or wait for ${many ? 'them' : 'it'} to let go of the file (a scanner often holds a file only for a moment), then try again.`;
}

/**
 * The error with what the lookups found (pure): reason, physicalPath, holders and a hint; the error itself
 * when nothing was found that changes it.
 */
export function decide(error: VirtualDiskError, operation: DiagnosedOperation, findings: Findings): VirtualDiskError {
  const { code } = error;
  const { attachment } = findings;
  const holders = findings.holders && findings.holders.length > 0 ? findings.holders : undefined;
  const nobodyFound = findings.holders !== undefined && findings.holders.length === 0;
  const attachSide = operation === 'open' || operation === 'attach';

  if (attachSide && ATTACHED_CODES.has(code) && attachment?.attached === true) {
    const as = attachment.physicalPath ? `, as ${attachment.physicalPath}` : '';
    return rebuilt(error, {
      reason: 'ALREADY_ATTACHED', physicalPath: attachment.physicalPath, holders,
      hint: `The image is already attached${as}, by this or another process (${LIST} has it). Detach it first (detachVirtualDisk(path)), or use that attach: attachVirtualDisk(path, { ifAttached: 'reuse' }).`,
    });
  }
  if (operation === 'detach' && NOT_ATTACHED_CODES.has(code) && attachment) {
    if (!attachment.attached) {
      return rebuilt(error, {
        reason: 'NOT_ATTACHED',
        hint: `The image is not attached (${LIST} does not have it). detachVirtualDisk(path, { ifAttached: true }) counts that as done.`,
      });
    }
    const as = attachment.physicalPath ? `, as ${attachment.physicalPath}` : '';
    return rebuilt(error, {
      physicalPath: attachment.physicalPath,
      hint: `Windows answered ${code}, yet ${LIST} has the image${as}: it is being attached or detached at this moment, or another operation (merge, mirror, resize, compact) is running on it. Retry.`,
    });
  }
  if (holders && code === 'ERROR_SHARING_VIOLATION') {
    const unchecked = attachSide && attachment === undefined ? ' Whether the image is also attached already could not be checked.' : '';
    const detachNote = operation === 'detach' ? ' Every other handle to the virtual disk, in any process, must be closed before it can be detached.' : '';
    return rebuilt(error, { reason: 'FILE_IN_USE', holders, hint: `${holdersHint(holders)}${detachNote}${unchecked}` });
  }
  if (attachSide && ATTACHED_CODES.has(code) && attachment?.attached === false) {
    const base = NOT_ATTACHED_AFTER_ALL[code] ?? error.hint;
    const nobody = code === 'ERROR_SHARING_VIOLATION' && nobodyFound
      ? ' The Restart Manager names no process holding it: the hold may have been brief (retry after a short wait), or be the system\'s own.'
      : '';
    return rebuilt(error, { holders, hint: `${base ?? ''}${nobody}` });
  }
  if (holders) {
    // ERROR_ACCESS_DENIED has other causes (permissions, elevation): the holders are named, no reason is set.
    return rebuilt(error, { holders, hint: `${error.hint ? `${error.hint} ` : ''}Programs holding the image file open: ${describeHolders(holders)}.` });
  }
  return error;
}

function rebuilt(error: VirtualDiskError, change: { reason?: VirtualDiskError['reason']; physicalPath?: string | undefined; holders?: readonly Holder[] | undefined; hint: string }): VirtualDiskError {
  const suffix = error.hint ? `\n  hint: ${error.hint}` : '';
  const base = suffix && error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
  const next = new VirtualDiskError(base, {
    code: error.code, errno: error.errno, syscall: error.syscall, path: error.path, hint: change.hint,
    reason: change.reason ?? error.reason, holders: change.holders, physicalPath: change.physicalPath,
    cause: (error as { cause?: unknown }).cause,
  });
  const frames = error.stack?.indexOf('\n    at ') ?? -1;
  if (frames >= 0) next.stack = `${next.name}: ${next.message}${error.stack!.slice(frames)}`;
  return next;
}

/**
 * `error` as decide() reads it after asking Windows what the lookups for its code call for; `error` itself
 * for any other error, and whenever a lookup or the decision fails.
 */
export async function diagnose<E>(error: E, operation: DiagnosedOperation, imagePath: string): Promise<E | VirtualDiskError> {
  if (!(error instanceof VirtualDiskError) || error.errno === undefined) return error;
  const lookups = lookupsFor(operation, error.code);
  if (!lookups.attachment && !lookups.holders) return error;
  try {
    const [attachment, holders] = await Promise.all([
      lookups.attachment ? attachmentOf(imagePath).catch(() => undefined) : undefined,
      lookups.holders ? holdersOf(imagePath) : undefined,
    ]);
    return decide(error, operation, { attachment, holders });
  } catch {
    return error;
  }
}
