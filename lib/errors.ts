// Errors carry what Node's fs errors carry (code, errno, syscall, path), plus a hint in plain words.

export interface VirtualDiskErrorDetails {
  /** The symbolic Win32 name (ERROR_FILE_NOT_FOUND) or one of this library's own (ERR_…). */
  code: string;
  /** The Win32 error number, when Windows gave one. */
  errno?: number;
  /** The Windows function that failed or would have failed. */
  syscall?: string;
  path?: string;
  /** The documented causes of this failure, in plain words. */
  hint?: string;
  cause?: unknown;
}

export class VirtualDiskError extends Error {
  override name = 'VirtualDiskError';
  readonly code: string;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;
  readonly path: string | undefined;
  readonly hint: string | undefined;

  constructor(message: string, details: VirtualDiskErrorDetails) {
    super(details.hint ? `${message}\n  hint: ${details.hint}` : message, { cause: details.cause });
    this.code = details.code;
    this.errno = details.errno;
    this.syscall = details.syscall;
    this.path = details.path;
    this.hint = details.hint;
  }
}

export interface InvalidParameterDetails {
  syscall: string;
  /** The SDK's name of the argument (Flags, Parameters, VirtualDiskHandle…) or the option's name. */
  parameter: string;
  /** What is wrong with this call. */
  problem: string;
  /** The documented rule, quoted. */
  rule: string;
  /** How to fix it. */
  fix: string;
  path?: string;
}

/** A documented ERROR_INVALID_PARAMETER rule, found broken before Windows saw the call. */
export class InvalidParameterError extends VirtualDiskError {
  override name = 'InvalidParameterError';
  readonly parameter: string;
  readonly rule: string;

  constructor(details: InvalidParameterDetails) {
    super(`${details.syscall}: ${details.problem} The rule: "${details.rule}" ${details.fix}`, {
      code: 'ERROR_INVALID_PARAMETER',
      errno: 87,
      syscall: details.syscall,
      ...(details.path !== undefined && { path: details.path }),
    });
    this.parameter = details.parameter;
    this.rule = details.rule;
  }
}
