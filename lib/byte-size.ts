// Byte counts as people write them: '64MB', '10GiB', '1.5TB', '512' (bytes). Decimal units (kB/KB, MB, GB,
// TB, PB) are powers of 1000 and binary units (KiB, MiB, GiB, TiB, PiB) powers of 1024, as IEC 80000-13
// names them; a bare K/M/G/T is refused, because diskpart means MiB where a disk label means MB. Pure.
import { InvalidArgumentError } from './errors.ts';

/** Bytes per unit, by the unit's lower-case name. */
export const BYTE_UNITS: Readonly<Record<string, bigint>> = {
  b: 1n,
  kb: 10n ** 3n, mb: 10n ** 6n, gb: 10n ** 9n, tb: 10n ** 12n, pb: 10n ** 15n,
  kib: 1n << 10n, mib: 1n << 20n, gib: 1n << 30n, tib: 1n << 40n, pib: 1n << 50n,
};

const UINT64_MAX = (1n << 64n) - 1n;
const PATTERN = /^\s*(\d+)(?:\.(\d+))?\s*([a-z]*)\s*$/i;
const EXPECTED = "a whole number of bytes: digits with an optional unit, e.g. '64MB' (10^6), '10GiB' (2^30), '1.5TB', '512'";

/**
 * The number of bytes `text` names: digits (an optional fraction) and an optional unit, case-insensitive,
 * spaces allowed: '64MB' = 64 000 000, '64MiB' = 67 108 864, '1.5TB' = 1 500 000 000 000, '4096' = 4096.
 * Throws InvalidArgumentError (ERR_INVALID_ARG_VALUE, `parameter`) for anything else, a bare 'M' or 'G'
 * (which would be ambiguous), a fraction of a byte, or more than 2^64 - 1.
 */
export function parseByteSize(text: string, parameter = 'size'): bigint {
  const refuse = (problem: string, fix?: string): never => {
    throw new InvalidArgumentError('ERR_INVALID_ARG_VALUE', { syscall: 'parseByteSize', parameter, problem, expected: EXPECTED, fix });
  };
  if (typeof text !== 'string') refuse(`'${parameter}' is not a string.`);
  const match = PATTERN.exec(text);
  if (!match) return refuse(`'${text}' is not a size.`);
  const [, whole, fraction = '', unitText = ''] = match as unknown as [string, string, string | undefined, string | undefined];
  const unitName = unitText.toLowerCase() || 'b';
  const unit = Object.hasOwn(BYTE_UNITS, unitName) ? BYTE_UNITS[unitName] : undefined;
  if (unit === undefined) {
    const bare = /^[kmgtp]$/i.test(unitText);
    return refuse(`'${unitText}' in '${text}' is not a unit.`,
      bare ? `Say which: ${whole}${unitText.toUpperCase()}B (decimal, powers of 1000) or ${whole}${unitText.toUpperCase()}iB (binary, powers of 1024).` : undefined);
  }
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(whole + fraction) * unit;
  if (scaled % scale !== 0n) return refuse(`'${text}' is not a whole number of bytes.`);
  const bytes = scaled / scale;
  if (bytes > UINT64_MAX) return refuse(`'${text}' is more than 2^64 - 1 bytes.`);
  return bytes;
}

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const;

/** A byte count in binary units, at most two decimals, trailing zeros dropped: 67108864 → '64 MiB', 1536 → '1.5 KiB'. */
export function formatByteSize(bytes: number | bigint): string {
  let value = typeof bytes === 'bigint' ? bytes : BigInt(Math.trunc(bytes));
  const negative = value < 0n;
  if (negative) value = -value;
  let unit = 0;
  while (unit < BINARY.length - 1 && value >= 1n << BigInt(10 * (unit + 1))) unit++;
  const divisor = 1n << BigInt(10 * unit);
  const hundredths = (value * 100n + divisor / 2n) / divisor;
  const text = `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`.replace(/\.?0+$/, '');
  return `${negative ? '-' : ''}${text} ${BINARY[unit]}`;
}
