// How a failure is reported: on stderr in words (the message, the code, the rule or the hint), or, with
// --json, as one document on stdout: { "error": { code, errno, syscall, path, message, hint, holders, reason,
// parameter, rule } }, every key present (null when the failure does not have it).
import type { OutputStream } from './io.ts';

export interface ErrorDocument {
  error: {
    code: string;
    errno: number | null;
    syscall: string | null;
    path: string | null;
    message: string;
    hint: string | null;
    /** Processes holding the image file open (from the Restart Manager), when the library found them. */
    holders: Array<{ pid: number; name: string }> | null;
    reason: string | null;
    parameter: string | null;
    rule: string | null;
  };
}

interface ErrorFields {
  code?: unknown; errno?: unknown; syscall?: unknown; path?: unknown; hint?: unknown; holders?: unknown;
  reason?: unknown; parameter?: unknown; rule?: unknown; message?: unknown;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

/** The message without the "\n  hint: …" VirtualDiskError appends (the hint is a field of its own). */
export function plainMessage(error: unknown): string {
  const fields = (error ?? {}) as ErrorFields;
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const hint = text(fields.hint);
  const suffix = hint === null ? '' : `\n  hint: ${hint}`;
  return suffix && message.endsWith(suffix) ? message.slice(0, -suffix.length) : message;
}

export function errorDocument(error: unknown): ErrorDocument {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as ErrorFields;
  const holders = Array.isArray(fields.holders)
    ? fields.holders.map((holder: { pid?: unknown; name?: unknown }) => ({ pid: Number(holder.pid), name: String(holder.name) }))
    : null;
  return {
    error: {
      code: text(fields.code) ?? 'ERR_UNEXPECTED',
      errno: typeof fields.errno === 'number' ? fields.errno : null,
      syscall: text(fields.syscall),
      path: text(fields.path),
      message: plainMessage(error),
      hint: text(fields.hint),
      holders,
      reason: text(fields.reason),
      parameter: text(fields.parameter),
      rule: text(fields.rule),
    },
  };
}

/** The failure in words, on stderr: 'vdisk <command>: <message>', then code, holders and hint lines. */
export function writeErrorText(stream: OutputStream, command: string | undefined, error: unknown): void {
  const { error: e } = errorDocument(error);
  const lines = [`vdisk${command ? ` ${command}` : ''}: ${e.message}`];
  const code = e.errno === null ? e.code : `${e.code} (${e.errno}${e.syscall ? `, ${e.syscall}` : ''})`;
  lines.push(`  code: ${code}`);
  if (e.holders && e.holders.length > 0) lines.push(`  held open by: ${e.holders.map((h) => `${h.name} (pid ${h.pid})`).join(', ')}`);
  if (e.hint) lines.push(`  hint: ${e.hint}`);
  if (e.code === 'ERR_UNEXPECTED' && error instanceof Error && error.stack) lines.push(error.stack);
  stream.write(`${lines.join('\n')}\n`);
}
