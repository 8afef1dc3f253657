// GUIDs as users write them ('2C3E4F5A-0B1C-4D2E-8F90-A1B2C3D4E5F6', braces or not) and as the SDK's GUID
// struct holds them (Data1..Data4, little-endian fields; the string's last two groups are Data4's bytes).
import type { GuidValue } from '../ffi/types.ts';

const PATTERN = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/** The GUID a string names; undefined when it names none (or has unbalanced braces). */
export function parseGuid(text: string): GuidValue | undefined {
  const match = PATTERN.exec(text);
  if (!match || text.startsWith('{') !== text.endsWith('}')) return undefined;
  const [, d1, d2, d3, d4a, d4b] = match as unknown as [string, string, string, string, string, string];
  return {
    Data1: Number.parseInt(d1, 16),
    Data2: Number.parseInt(d2, 16),
    Data3: Number.parseInt(d3, 16),
    Data4: Array.from(Buffer.from(d4a + d4b, 'hex')),
  };
}

/** Lower-case, without braces: '2c3e4f5a-0b1c-4d2e-8f90-a1b2c3d4e5f6'. */
export function formatGuid(guid: GuidValue): string {
  const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');
  const data4 = Buffer.from(guid.Data4).toString('hex');
  return `${hex(guid.Data1, 8)}-${hex(guid.Data2, 4)}-${hex(guid.Data3, 4)}-${data4.slice(0, 4)}-${data4.slice(4)}`;
}

/** The GUID in 16 bytes as Windows lays it out in memory. */
export function guidFromBytes(bytes: Buffer): string {
  return formatGuid({ Data1: bytes.readUInt32LE(0), Data2: bytes.readUInt16LE(4), Data3: bytes.readUInt16LE(6), Data4: Array.from(bytes.subarray(8, 16)) });
}

export const ZERO_GUID: GuidValue = { Data1: 0, Data2: 0, Data3: 0, Data4: [0, 0, 0, 0, 0, 0, 0, 0] };

/** A random (version 4) GUID; the Web Crypto global, so importing the package does not load node:crypto. */
export function randomGuid(): string {
  return globalThis.crypto.randomUUID();
}
