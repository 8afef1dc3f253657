// A native call described as data: the function, each argument with its SDK name and type, flags by name and
// value, structs as bytes at their SDK offsets. What a dry run (lib/dry-run.ts) answers. Pure.
import * as sdk from '../types/constants.ts';
import type { EncodedStruct } from './struct-encoding.ts';

export type NativeLibraryName = 'virtdisk.dll' | 'kernel32.dll' | 'advapi32.dll' | 'fmifs.dll';

export interface NativeArgument {
  /** The SDK's parameter name: 'VirtualDiskAccessMask'. */
  name: string;
  /** The SDK's parameter type: 'VIRTUAL_DISK_ACCESS_MASK', 'PCWSTR', 'POPEN_VIRTUAL_DISK_PARAMETERS'. */
  type: string;
  /**
   * Numbers (flags, masks, sizes): the value. PCWSTR: the text it points to. null: NULL, or a value that exists
   * only in a real run (a handle, an out-parameter's address, a buffer): `refers` says which.
   */
  value: number | string | null;
  /** Flags, masks and enumerations: the SDK names the value is made of (the _NONE name for 0, where one exists). */
  names?: string[];
  /** A pointer to an SDK struct: the struct's bytes and members. */
  struct?: EncodedStruct;
  /** Handles, out-parameters and buffers: what is passed, in words. */
  refers?: string;
}

export interface NativeCall {
  library: NativeLibraryName;
  function: string;
  arguments: NativeArgument[];
  /** When or how often the library makes this call, where it is not simply once, in words. */
  note?: string;
}

/** A number argument. */
export function numberArgument(name: string, type: string, value: number, names?: string[]): NativeArgument {
  return names === undefined ? { name, type, value } : { name, type, value, names };
}

/** A flags / mask / enumeration argument, named from the SDK constants with `prefix`. */
export function flagsArgument(name: string, type: string, value: number, prefix: string): NativeArgument {
  return { name, type, value: value >>> 0, names: flagNames(prefix, value) };
}

/** A pointer to a struct. */
export function structArgument(name: string, type: string, struct: EncodedStruct): NativeArgument {
  return { name, type, value: null, struct };
}

/** A value that exists only in a real run (a handle, an out-parameter, a buffer). */
export function refArgument(name: string, type: string, refers: string): NativeArgument {
  return { name, type, value: null, refers };
}

export function nullArgument(name: string, type: string): NativeArgument {
  return { name, type, value: null, names: ['NULL'] };
}

export function textArgument(name: string, type: string, text: string): NativeArgument {
  return { name, type, value: text };
}

/**
 * The SDK names of `value`'s bits among the constants starting with `prefix`: a constant equal to the whole
 * value first (VIRTUAL_DISK_ACCESS_READ for 0xd0000), else one name per single-bit constant set, and the
 * remaining bits in hex; for 0 the prefix's _NONE constant (or nothing).
 */
export function flagNames(prefix: string, value: number): string[] {
  const named = (Object.entries(sdk) as Array<[string, unknown]>)
    .filter((entry): entry is [string, number] => entry[0].startsWith(prefix) && typeof entry[1] === 'number');
  const bits = value >>> 0;
  if (bits === 0) {
    const none = named.find(([name, constant]) => constant === 0 && name.endsWith('_NONE'));
    return none ? [none[0]] : [];
  }
  const whole = named.find(([, constant]) => constant === bits);
  if (whole) return [whole[0]];
  const names: string[] = [];
  let rest = bits;
  for (const [name, constant] of named.filter(([, constant]) => constant > 0 && (constant & (constant - 1)) === 0).sort((a, b) => a[1] - b[1])) {
    if ((bits & constant) !== 0) {
      names.push(name);
      rest &= ~constant;
    }
  }
  if (rest !== 0) names.push(`0x${(rest >>> 0).toString(16)}`);
  return names;
}
