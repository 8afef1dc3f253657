// Arguments are read exactly once into a plain snapshot, then checked, then used: the native call is built
// from the snapshot alone. A getter that answers differently on its second read, a prototype property, a
// Proxy or a Map can therefore never slip a value past the checks (koffi aborts the whole process when a
// uint64 struct field gets null or a string).
import { InvalidArgumentError, type CheckError } from './errors.ts';
import { formatGuid, parseGuid } from './guid.ts';
import { isStorageType } from './storage-type.ts';
import { normalizeMountPoint } from './mount-point-name.ts';

export type Kind =
  | 'boolean' | 'uint32' | 'build' | 'signal' | 'storageType' | 'sddl' | 'restrictedRange'
  | 'size' | 'sectorSize' | 'guid' | 'diskType' | 'path' | 'callback' | 'ms' | 'depth'
  | 'mountPoint' | 'ifAttached' | 'partitionStyle' | 'partitionType' | 'text' | 'fileSystem';

export type Snapshot<T> = { ok: true; value: T } | { ok: false; error: CheckError };

/** A restricted range as the snapshot holds it: bigints, checked against the uint64 fields they fill. */
export interface RangeSnapshot {
  offset: bigint;
  length: bigint;
}

export const OPEN_OPTION_KINDS = {
  signal: 'signal',
  windowsBuild: 'build',
  readOnly: 'boolean',
  storageType: 'storageType',
} as const satisfies Record<string, Kind>;

export const ATTACH_OPTION_KINDS = {
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
  mountPoint: 'mountPoint',
  wait: 'ms',
} as const satisfies Record<string, Kind>;

export const ATTACH_VIRTUAL_DISK_OPTION_KINDS = { ...OPEN_OPTION_KINDS, ...ATTACH_OPTION_KINDS, ifAttached: 'ifAttached' } as const;

export const DETACH_OPTION_KINDS = {
  signal: 'signal',
  windowsBuild: 'build',
  storageType: 'storageType',
  ifAttached: 'boolean',
} as const satisfies Record<string, Kind>;

export const GET_VOLUMES_OPTION_KINDS = { signal: 'signal', wait: 'ms' } as const satisfies Record<string, Kind>;

export const CALL_OPTION_KINDS = { signal: 'signal' } as const satisfies Record<string, Kind>;

export const INFO_OPTION_KINDS = { signal: 'signal', windowsBuild: 'build' } as const satisfies Record<string, Kind>;

export const LONG_OPERATION_KINDS = {
  signal: 'signal', windowsBuild: 'build', onProgress: 'callback', progressInterval: 'ms',
} as const satisfies Record<string, Kind>;

export const CREATE_OPTION_KINDS = {
  ...LONG_OPERATION_KINDS,
  size: 'size', type: 'diskType', parent: 'path', source: 'path', blockSize: 'size', logicalSectorSize: 'sectorSize',
  physicalSectorSize: 'sectorSize', uniqueId: 'guid', securityDescriptor: 'sddl', storageType: 'storageType',
} as const satisfies Record<string, Kind>;

export const COMPACT_OPTION_KINDS = { ...LONG_OPERATION_KINDS, noZeroScan: 'boolean', noBlockMoves: 'boolean' } as const satisfies Record<string, Kind>;

export const COMPACT_VIRTUAL_DISK_OPTION_KINDS = { ...COMPACT_OPTION_KINDS, storageType: 'storageType' } as const satisfies Record<string, Kind>;

export const RESIZE_OPTION_KINDS = {
  ...LONG_OPERATION_KINDS, toSmallestSafeSize: 'boolean', allowUnsafeVirtualSize: 'boolean',
} as const satisfies Record<string, Kind>;

export const MERGE_OPTION_KINDS = {
  ...LONG_OPERATION_KINDS, depth: 'depth', sourceDepth: 'depth', targetDepth: 'depth',
} as const satisfies Record<string, Kind>;

export const INITIALIZE_OPTION_KINDS = { signal: 'signal', partitionStyle: 'partitionStyle', force: 'boolean' } as const satisfies Record<string, Kind>;

export const CREATE_PARTITION_OPTION_KINDS = { signal: 'signal', size: 'size', type: 'partitionType', name: 'text' } as const satisfies Record<string, Kind>;

export const PROVISION_OPTION_KINDS = {
  ...LONG_OPERATION_KINDS,
  existing: 'boolean', size: 'size', type: 'diskType', blockSize: 'size', logicalSectorSize: 'sectorSize',
  physicalSectorSize: 'sectorSize', storageType: 'storageType', partitionStyle: 'partitionStyle', fileSystem: 'fileSystem',
  label: 'text', clusterSize: 'uint32', quick: 'boolean', devDrive: 'boolean', mountPoint: 'mountPoint',
  noDriveLetter: 'boolean', permanent: 'boolean', atBoot: 'boolean', wait: 'ms',
} as const satisfies Record<string, Kind>;

export const CHECK_CONTEXT_KINDS = { windowsBuild: 'build' } as const satisfies Record<string, Kind>;

interface KindValue {
  boolean: boolean;
  uint32: number;
  build: number;
  signal: AbortSignal;
  storageType: import('../types/index.ts').StorageType;
  sddl: string;
  restrictedRange: RangeSnapshot;
  size: bigint;
  sectorSize: 512 | 4096;
  guid: string;
  diskType: 'dynamic' | 'fixed';
  path: string;
  callback: (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked as a function only
  ms: number;
  depth: number;
  /** Normalised: 'Z:\\' or a full folder path ending in a backslash. */
  mountPoint: string;
  ifAttached: 'reuse' | 'fail';
  partitionStyle: 'gpt' | 'mbr';
  partitionType: string | number;
  text: string;
  fileSystem: 'ntfs' | 'refs' | 'exfat' | 'fat32';
}

/** The snapshot of an options object with these kinds: every option optional, each of its checked type. */
export type OptionsSnapshot<Kinds extends Record<string, Kind>> = { readonly [K in keyof Kinds]?: KindValue[Kinds[K]] };

const EXPECTED: Readonly<Record<Kind, string>> = {
  boolean: 'true or false',
  uint32: 'an integer from 0 to 0xFFFFFFFF',
  build: 'a positive integer Windows build number, e.g. 19045',
  signal: 'an AbortSignal',
  storageType: "'iso', 'vhd', 'vhdx' or 'vhdset'",
  sddl: "a non-empty SDDL string without NUL characters, e.g. 'O:BAG:BAD:(A;;GA;;;WD)'",
  restrictedRange: '{ offset, length } (bigints or safe integers) with 0 <= offset, 0 < length and offset + length <= 2^64 - 1',
  size: 'a number of bytes: a bigint or a safe integer from 0 to 2^64 - 1',
  sectorSize: '512 or 4096',
  guid: "a GUID string such as '2c3e4f5a-0b1c-4d2e-8f90-a1b2c3d4e5f6' (any case, braces or not)",
  diskType: "'dynamic' or 'fixed'",
  path: 'a non-empty string without NUL characters',
  callback: 'a function',
  ms: 'a finite number of milliseconds, 0 or more',
  depth: 'an integer from 1 to 0xFFFFFFFF',
  mountPoint: "a drive letter ('Z:' or 'Z:\\\\') or the path of an empty folder on a local NTFS volume ('C:\\\\mnt\\\\data')",
  ifAttached: "'reuse' (resolve to the existing attach) or 'fail' (the default)",
  partitionStyle: "'gpt' or 'mbr'",
  partitionType: "a partition type name ('basic-data', …), a GPT type GUID string, or an MBR type byte (1..255)",
  text: 'a string without NUL characters',
  fileSystem: "'ntfs', 'refs', 'exfat' or 'fat32'",
};

const UINT64_MAX = (1n << 64n) - 1n;

/** Whether `value` is an object literal (or Object.create(null)): no class instance, array, Map or function. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Own enumerable string-keyed properties, each read exactly once (a getter is called once). */
export function ownEntries(value: object): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string') continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(value, key);
    if (!descriptor?.enumerable) continue;
    entries.push([key, descriptor.get ? Reflect.apply(descriptor.get, value, []) : descriptor.value]);
  }
  return entries;
}

/**
 * Reads an options argument once into a fresh plain object holding only known options of the right type
 * (undefined values left out). `undefined` reads as `{}`; anything but a plain object is refused.
 */
export function snapshotOptions<Kinds extends Record<string, Kind>>(
  syscall: string,
  options: unknown,
  kinds: Kinds,
  path?: string,
  parameter = 'options',
): Snapshot<OptionsSnapshot<Kinds>> {
  const refuse = (code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE', name: string, problem: string, expected: string, fix?: string, cause?: unknown) =>
    ({ ok: false, error: new InvalidArgumentError(code, { syscall, parameter: name, problem, expected, fix, path, cause }) }) as const;
  if (options === undefined) return { ok: true, value: {} };
  let entries: Array<[string, unknown]>;
  try {
    if (!isPlainObject(options)) {
      return refuse('ERR_INVALID_ARG_TYPE', parameter, `${parameter} is ${describe(options)}.`, 'a plain object such as { readOnly: true }, or undefined',
        'Pass an object literal with the options as its own properties, or nothing.');
    }
    entries = ownEntries(options);
  } catch (error) {
    return refuse('ERR_INVALID_ARG_VALUE', parameter, `reading ${parameter} threw (${(error as Error)?.message ?? String(error)}).`,
      'an object whose properties can be read', 'Pass an object literal.', error);
  }

  const snapshot: Record<string, unknown> = {};
  for (const [key, raw] of entries) {
    if (!Object.hasOwn(kinds, key)) {
      const near = Object.keys(kinds).find((known) => known.toLowerCase() === key.toLowerCase());
      return refuse('ERR_INVALID_ARG_VALUE', key, `'${key}' is not an option of ${syscall}.`, `one of: ${Object.keys(kinds).join(', ')}`,
        near ? `Did you mean '${near}'?` : 'Remove it.');
    }
    if (raw === undefined) continue;
    const kind = kinds[key] as Kind;
    const value = read(kind, raw);
    if (value instanceof Problem) {
      const name = value.field ? `${key}.${value.field}` : key;
      return refuse(value.code, name, `option '${name}' is ${describe(value.value)}.`, value.field ? value.expected : EXPECTED[kind]);
    }
    snapshot[key] = value;
  }
  return { ok: true, value: snapshot as OptionsSnapshot<Kinds> };
}

/** A path argument: a non-empty primitive string without NUL characters (Windows would cut it at the NUL). */
export function snapshotPath(syscall: string, value: unknown, parameter = 'path'): Snapshot<string> {
  if (typeof value === 'string' && value.length > 0 && !value.includes('\0')) return { ok: true, value };
  const problem = typeof value === 'string'
    ? `the ${parameter} ${value.length === 0 ? 'is empty' : 'contains a NUL character'}.`
    : `the ${parameter} is ${describe(value)}, not a string.`;
  return {
    ok: false,
    error: new InvalidArgumentError(typeof value === 'string' ? 'ERR_INVALID_ARG_VALUE' : 'ERR_INVALID_ARG_TYPE', {
      syscall, parameter, problem, expected: 'a non-empty string without NUL characters naming the image file',
      fix: "Pass the image's file path, e.g. 'D:\\\\images\\\\data.vhdx'.",
    }),
  };
}

class Problem {
  readonly value: unknown;
  readonly code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE';
  readonly field: string | undefined;
  readonly expected: string;

  constructor(value: unknown, code: Problem['code'], field?: string, expected = '') {
    this.value = value;
    this.code = code;
    this.field = field;
    this.expected = expected;
  }
}

const abortedGetter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')?.get;

/** A real AbortSignal (a brand check: a look-alike object or a Proxy of one fails it). */
export function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof value !== 'object' || value === null || abortedGetter === undefined) return false;
  try {
    abortedGetter.call(value);
    return true;
  } catch {
    return false;
  }
}

export function isUint32(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function read(kind: Kind, value: unknown): unknown {
  const wrongType = (expectedType: string) => (typeof value === expectedType ? 'ERR_INVALID_ARG_VALUE' : 'ERR_INVALID_ARG_TYPE');
  switch (kind) {
    case 'boolean': return typeof value === 'boolean' ? value : new Problem(value, 'ERR_INVALID_ARG_TYPE');
    case 'uint32': return isUint32(value) ? value : new Problem(value, wrongType('number'));
    case 'build': return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : new Problem(value, wrongType('number'));
    case 'signal': return isAbortSignal(value) ? value : new Problem(value, 'ERR_INVALID_ARG_TYPE');
    case 'storageType': return isStorageType(value) ? value : new Problem(value, wrongType('string'));
    case 'sddl': return typeof value === 'string' && value.length > 0 && !value.includes('\0') ? value : new Problem(value, wrongType('string'));
    case 'restrictedRange': return readRange(value);
    case 'size': {
      const size = toUint64(value);
      return size instanceof Problem ? new Problem(value, size.code) : size;
    }
    case 'sectorSize': return value === 512 || value === 4096 ? value : new Problem(value, wrongType('number'));
    case 'guid': return typeof value === 'string' && parseGuid(value) !== undefined ? formatGuid(parseGuid(value)!) : new Problem(value, wrongType('string'));
    case 'diskType': return value === 'dynamic' || value === 'fixed' ? value : new Problem(value, wrongType('string'));
    case 'path': return typeof value === 'string' && value.length > 0 && !value.includes('\0') ? value : new Problem(value, wrongType('string'));
    case 'callback': return typeof value === 'function' ? value : new Problem(value, 'ERR_INVALID_ARG_TYPE');
    case 'ms': return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : new Problem(value, wrongType('number'));
    case 'depth': return isUint32(value) && value >= 1 ? value : new Problem(value, wrongType('number'));
    case 'mountPoint': return (typeof value === 'string' ? normalizeMountPoint(value) : undefined) ?? new Problem(value, wrongType('string'));
    case 'ifAttached': return value === 'reuse' || value === 'fail' ? value : new Problem(value, wrongType('string'));
    case 'partitionStyle': return value === 'gpt' || value === 'mbr' ? value : new Problem(value, wrongType('string'));
    case 'partitionType': return (typeof value === 'string' && value.length > 0 && !value.includes('\0')) || (isUint32(value) && value >= 1 && value <= 255)
      ? value : new Problem(value, typeof value === 'string' || typeof value === 'number' ? 'ERR_INVALID_ARG_VALUE' : 'ERR_INVALID_ARG_TYPE');
    case 'fileSystem': return value === 'ntfs' || value === 'refs' || value === 'exfat' || value === 'fat32' ? value : new Problem(value, wrongType('string'));
    case 'text': return typeof value === 'string' && !value.includes('\0') ? value : new Problem(value, wrongType('string'));
  }
}

function readRange(value: unknown): RangeSnapshot | Problem {
  if (!isPlainObject(value)) return new Problem(value, 'ERR_INVALID_ARG_TYPE');
  const fields = new Map(ownEntries(value));
  for (const key of fields.keys()) {
    if (key !== 'offset' && key !== 'length') return new Problem(fields.get(key), 'ERR_INVALID_ARG_VALUE', key, 'absent: a range has only offset and length');
  }
  const offset = toUint64(fields.get('offset'));
  if (offset instanceof Problem) return new Problem(offset.value, offset.code, 'offset', 'a bigint or a safe integer from 0 to 2^64 - 1');
  const length = toUint64(fields.get('length'));
  if (length instanceof Problem || length === 0n) {
    return new Problem(fields.get('length'), length instanceof Problem ? length.code : 'ERR_INVALID_ARG_VALUE', 'length', 'a bigint or a safe integer from 1 to 2^64 - 1');
  }
  if (offset + length > UINT64_MAX) {
    return new Problem(length, 'ERR_INVALID_ARG_VALUE', 'length', `at most 2^64 - 1 - offset (${UINT64_MAX - offset}), so the range ends inside a uint64`);
  }
  return { offset, length };
}

function toUint64(value: unknown): bigint | Problem {
  if (typeof value === 'bigint') return value >= 0n && value <= UINT64_MAX ? value : new Problem(value, 'ERR_INVALID_ARG_VALUE');
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? BigInt(value) : new Problem(value, 'ERR_INVALID_ARG_VALUE');
  return new Problem(value, 'ERR_INVALID_ARG_TYPE');
}

/** A copy of `value` without its undefined properties (for exactOptionalPropertyTypes option objects). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** A value in a few words, for messages; never calls its toString (a Proxy's traps may still run). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'bigint') return `the bigint ${value}n`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'object') {
    if (Array.isArray(value)) return 'an array';
    try {
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype === Object.prototype || prototype === null) return 'an object';
      const name = (prototype as { constructor?: { name?: unknown } } | null)?.constructor?.name;
      return typeof name === 'string' && name ? `a ${name} instance` : 'an object that is not a plain object';
    } catch {
      return 'an object that cannot be inspected';
    }
  }
  return `${typeof value} ${String(value)}`;
}
