// The exit codes, and which one a failure gets: 0 success; 1 Windows refused (a Win32 error, with its
// message, code and hint); 2 the command line or the library's rules refused before Windows was called (or
// Windows is not there: ERR_UNSUPPORTED_PLATFORM); 130 cancelled (Ctrl-C), as shells report a SIGINT.
import { InvalidArgumentError, InvalidParameterError, PreconditionError } from '../lib/index.ts';

export const EXIT_SUCCESS = 0;
export const EXIT_WINDOWS_ERROR = 1;
export const EXIT_USAGE = 2;
export const EXIT_CANCELLED = 130;

/** Codes that mean "this command cannot run here as given", not "Windows failed". */
export const USAGE_CODES: ReadonlySet<string> = new Set(['ERR_USAGE', 'ERR_UNSUPPORTED_PLATFORM']);

export function exitCodeFor(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ABORT_ERR' || (error as { name?: unknown } | null)?.name === 'AbortError') return EXIT_CANCELLED;
  if (error instanceof InvalidArgumentError || error instanceof InvalidParameterError || error instanceof PreconditionError) return EXIT_USAGE;
  if (typeof code === 'string' && USAGE_CODES.has(code)) return EXIT_USAGE;
  return EXIT_WINDOWS_ERROR;
}
