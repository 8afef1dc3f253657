// A command line the CLI itself cannot use (a missing argument, an option that is not a number): code
// ERR_USAGE, exit code 2. The library's own refusals keep their classes and codes.
export class UsageError extends Error {
  readonly code: string = 'ERR_USAGE';
  /** The option or argument at fault ('--depth'), when there is one. */
  readonly parameter: string | undefined;

  constructor(message: string, parameter?: string) {
    super(message);
    this.name = 'UsageError';
    this.parameter = parameter;
  }
}

/** A whole decimal number from an option ('--wait 5000'), at least `min`. */
export function integerOption(text: string, option: string, min = 0): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${option} takes a whole number${min > 0 ? ` of at least ${min}` : ''}, not '${text}'.`, option);
  }
  return value;
}

/** A sector size from an option ('--sector-size 4096'): 512 or 4096. */
export function sectorSizeOption(text: string | undefined, option: string): 512 | 4096 | undefined {
  if (text === undefined) return undefined;
  if (text.trim() === '512' || text.trim() === '4096') return Number(text.trim()) as 512 | 4096;
  throw new UsageError(`${option} takes 512 or 4096 (bytes), not '${text}'.`, option);
}
