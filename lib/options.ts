// Shape checks for option objects: unknown keys (typos) and wrong types are caught before anything else.
import { InvalidParameterError } from './errors.ts';
import { isStorageType } from './storage-type.ts';

type Kind = 'boolean' | 'uint32' | 'build' | 'signal' | 'storageType' | 'sddl' | 'restrictedRange';

export const OPEN_OPTION_KINDS: Readonly<Record<string, Kind>> = {
  signal: 'signal',
  windowsBuild: 'build',
  readOnly: 'boolean',
  storageType: 'storageType',
};

export const ATTACH_OPTION_KINDS: Readonly<Record<string, Kind>> = {
  signal: 'signal',
  windowsBuild: 'build',
  readOnly: 'boolean',
  noDriveLetter: 'boolean',
  permanent: 'boolean',
  noLocalHost: 'boolean',
  noSecurityDescriptor: 'boolean',
  bypassDefaultEncryptionPolicy: 'boolean',
  nonPnp: 'boolean',
  singlePartition: 'boolean',
  registerVolume: 'boolean',
  atBoot: 'boolean',
  restrictedRange: 'restrictedRange',
  securityDescriptor: 'sddl',
  providerSpecificFlags: 'uint32',
};

export const DETACH_OPTION_KINDS: Readonly<Record<string, Kind>> = {
  signal: 'signal',
  windowsBuild: 'build',
  storageType: 'storageType',
};

const EXPECTED: Readonly<Record<Kind, string>> = {
  boolean: 'true or false',
  uint32: 'an integer from 0 to 0xFFFFFFFF',
  build: 'a positive integer Windows build number, e.g. 19045',
  signal: 'an AbortSignal',
  storageType: "'iso', 'vhd', 'vhdx' or 'vhdset'",
  sddl: "a non-empty SDDL string without NUL characters, e.g. 'O:BAG:BAD:(A;;GA;;;WD)'",
  restrictedRange: '{ offset: bigint, length: bigint } with 0 <= offset, 0 < length and offset + length < 2^64',
};

const UINT64_LIMIT = 1n << 64n;

function fits(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'boolean': return typeof value === 'boolean';
    case 'uint32': return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffffffff;
    case 'build': return Number.isInteger(value) && (value as number) > 0;
    case 'signal': return value instanceof AbortSignal;
    case 'storageType': return isStorageType(value);
    case 'sddl': return typeof value === 'string' && value.length > 0 && !value.includes('\0');
    case 'restrictedRange': {
      if (typeof value !== 'object' || value === null) return false;
      const { offset, length } = value as { offset?: unknown; length?: unknown };
      return typeof offset === 'bigint' && typeof length === 'bigint'
        && offset >= 0n && length > 0n && offset + length < UINT64_LIMIT;
    }
  }
}

/** The first problem with an options argument, as an InvalidParameterError; undefined when it is fine. */
export function checkOptionShapes(
  syscall: string,
  options: unknown,
  kinds: Readonly<Record<string, Kind>>,
): InvalidParameterError | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    return new InvalidParameterError({
      syscall, parameter: 'options', problem: `options must be an object, not ${describe(options)}.`,
      rule: 'Every option is a named property of one options object.', fix: 'Pass an object such as { readOnly: true }, or nothing.',
    });
  }
  for (const [key, value] of Object.entries(options)) {
    const kind = kinds[key];
    if (kind === undefined) {
      const near = Object.keys(kinds).find((known) => known.toLowerCase() === key.toLowerCase());
      return new InvalidParameterError({
        syscall, parameter: key, problem: `'${key}' is not an option here.`,
        rule: `The options are: ${Object.keys(kinds).join(', ')}.`,
        fix: near ? `Did you mean '${near}'?` : 'Remove it.',
      });
    }
    if (value !== undefined && !fits(kind, value)) {
      return new InvalidParameterError({
        syscall, parameter: key, problem: `option '${key}' is ${describe(value)}.`,
        rule: `'${key}' must be ${EXPECTED[kind]}.`, fix: `Pass ${EXPECTED[kind]}, or leave it out.`,
      });
    }
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'bigint') return `the bigint ${value}`;
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object of another shape';
  return `${typeof value} ${String(value)}`;
}
