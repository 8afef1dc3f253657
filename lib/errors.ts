// Errors carry what Node's fs errors carry (code, errno, syscall, path), plus a hint in plain words.
// Fields a failure does not have are left off the object (not set to undefined), so util.inspect and
// JSON.stringify show only what is known.
import type { VirtualDiskErrorReason } from './hints.ts';

/** A process that holds a file open, as the Restart Manager names it. */
export interface Holder {
  pid: number;
  /** The program's file name ('MsMpEng.exe'), or the Restart Manager's name for it when that cannot be read. */
  name: string;
}

export interface VirtualDiskErrorDetails {
  /** The symbolic Win32 name (ERROR_FILE_NOT_FOUND) or one of this library's own (ERR_…). */
  code: string;
  /** The Win32 error number, when Windows gave one (or, for ERROR_INVALID_PARAMETER, would give it). */
  errno?: number | undefined;
  /** The Windows function that failed or would have failed. */
  syscall?: string | undefined;
  /** The image (or the folder or volume) the call was about. */
  path?: string | undefined;
  /** The causes of this failure, in plain words. */
  hint?: string | undefined;
  /** What happened, machine-readable, where the code alone settles it (lib/hints.ts: VirtualDiskErrorReason). */
  reason?: VirtualDiskErrorReason | undefined;
  /** On sharing violations and access denials: the processes holding the image file (Restart Manager). */
  holders?: readonly Holder[] | undefined;
  /** The attached disk: with reason 'ALREADY_ATTACHED' the existing attach's, and on a disk IOCTL's error the disk it was made on ('\\.\PhysicalDrive3'). */
  physicalPath?: string | undefined;
  cause?: unknown;
}

export class VirtualDiskError extends Error {
  declare readonly code: string;
  declare readonly errno?: number;
  declare readonly syscall?: string;
  declare readonly path?: string;
  declare readonly hint?: string;
  declare readonly reason?: VirtualDiskErrorReason;
  declare readonly holders?: readonly Holder[];
  declare readonly physicalPath?: string;

  constructor(message: string, details: VirtualDiskErrorDetails) {
    super(details.hint ? `${message}\n  hint: ${details.hint}` : message, details.cause === undefined ? undefined : { cause: details.cause });
    assignDefined(this, {
      name: new.target.name, code: details.code, errno: details.errno, syscall: details.syscall, path: details.path,
      hint: details.hint, reason: details.reason, holders: details.holders, physicalPath: details.physicalPath,
    });
  }
}

export interface RuleDetails {
  syscall: string;
  /** The SDK's name of the argument (Flags, Parameters, VirtualDiskHandle…) or the option's name. */
  parameter: string;
  /** What is wrong with this call. */
  problem: string;
  /** The rule, quoted from its source. */
  rule: string;
  /** How to fix it. */
  fix: string;
  path?: string | undefined;
}

/** @deprecated the old name of RuleDetails. */
export type InvalidParameterDetails = RuleDetails;

/**
 * A cause the documentation lists for ERROR_INVALID_PARAMETER, found before Windows saw the call:
 * `code: 'ERROR_INVALID_PARAMETER'`, `errno: 87` (what Windows would have answered), `parameter`, `rule`.
 */
export class InvalidParameterError extends VirtualDiskError {
  declare readonly parameter: string;
  declare readonly rule: string;

  constructor(details: RuleDetails) {
    super(ruleMessage(details), { code: 'ERROR_INVALID_PARAMETER', errno: 87, syscall: details.syscall, path: details.path });
    assignDefined(this, { parameter: details.parameter, rule: details.rule });
  }
}

/**
 * Another documented precondition (or this library's policy), checked before Windows saw the call. Windows
 * would answer it with a code of its own, or not at all, so it has no `errno`; `code` names the condition
 * (`ERR_OTHER_HANDLES_OPEN`, `ERR_HANDLE_READ_ONLY`, `ERR_ISO_UNSUPPORTED`…) and `rule` quotes its source.
 */
export class PreconditionError extends VirtualDiskError {
  declare readonly parameter: string;
  declare readonly rule: string;

  constructor(code: string, details: RuleDetails) {
    super(ruleMessage(details), { code, syscall: details.syscall, path: details.path });
    assignDefined(this, { parameter: details.parameter, rule: details.rule });
  }
}

/**
 * An argument of the wrong type or value, as Node reports them: `code` `ERR_INVALID_ARG_TYPE` or
 * `ERR_INVALID_ARG_VALUE`, `parameter` (the option's name, dotted for nested ones: `restrictedRange.offset`)
 * and `expected`. Nothing native ran.
 */
export class InvalidArgumentError extends VirtualDiskError {
  declare readonly parameter: string;
  declare readonly expected: string;
  /** "'<parameter>' must be <expected>." */
  declare readonly rule: string;

  constructor(code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE', details: {
    syscall: string; parameter: string; problem: string; expected: string; fix?: string | undefined; path?: string | undefined; cause?: unknown;
  }) {
    super(`${details.syscall}: ${details.problem} '${details.parameter}' must be ${details.expected}. ${details.fix ?? `Pass ${details.expected}, or leave it out.`}`, {
      code, syscall: details.syscall, path: details.path, cause: details.cause,
    });
    assignDefined(this, { parameter: details.parameter, expected: details.expected, rule: `'${details.parameter}' must be ${details.expected}.` });
  }
}

/** What a check refuses a call with, before anything native runs: each has `parameter` and `rule`. */
export type CheckError = InvalidParameterError | PreconditionError | InvalidArgumentError;

/** How Node's own APIs reject an aborted call: `name: 'AbortError'`, `code: 'ABORT_ERR'`, the reason as `cause`. */
export class AbortError extends Error {
  declare readonly code: 'ABORT_ERR';

  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    assignDefined(this, { name: 'AbortError', code: 'ABORT_ERR' });
  }
}

/** Throws an AbortError (with the signal's reason as cause) if the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
}

function ruleMessage(details: RuleDetails): string {
  return `${details.syscall}: ${details.problem} The rule: "${details.rule}" ${details.fix}`;
}

function assignDefined(target: object, fields: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) Object.defineProperty(target, key, { value, enumerable: key !== 'name', writable: true, configurable: true });
  }
}
