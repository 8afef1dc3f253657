// A dry run in words: each native call numbered, with its library, every argument (SDK name and type),
// numbers with their SDK names, strings a pointer carries as → 'text', and each struct as its members and
// its bytes in hex at their SDK offsets. And the same as one JSON document.
import { formatByteSize, type EncodedField, type EncodedStruct, type NativeArgument, type NativeCall } from '../lib/index.ts';
import type { DryRunExtras } from './command.ts';

export const POINTER_NOTE = "Pointer arguments and members show what they point to as → 'text'; a pointer member's 8 bytes are 00 here: addresses exist only in a real run.";

export interface DryRunDocument {
  dryRun: true;
  command: string;
  /** The build the rules were checked against; null off Windows without --windows-build (build rules then pass). */
  windowsBuild: number | null;
  note: string;
  calls: Array<NativeCall & { when?: string }>;
  remark?: string;
}

export function dryRunDocument(command: string, windowsBuild: number | undefined, calls: readonly NativeCall[], extras: DryRunExtras | void): DryRunDocument {
  const after = extras?.after;
  const document: DryRunDocument = {
    dryRun: true,
    command,
    windowsBuild: windowsBuild ?? null,
    note: POINTER_NOTE,
    calls: calls.map((call, index) => (after && index >= after.from ? { ...call, when: after.when } : { ...call })),
  };
  if (extras?.note !== undefined) document.remark = extras.note;
  return document;
}

export function dryRunText(document: DryRunDocument): string[] {
  const lines = [
    `vdisk ${document.command} --dry-run: the calls vdisk would make on Windows. Nothing was called; no DLL was loaded.`,
    document.windowsBuild === null
      ? 'Windows build: unknown here, so rules that depend on the build were not checked (--windows-build <n> checks them).'
      : `Windows build: ${document.windowsBuild} (the rules were checked against it).`,
    document.note,
  ];
  let after: string | undefined;
  document.calls.forEach((call, index) => {
    if (call.when !== undefined && call.when !== after) lines.push('', `--- ${call.when} ---`);
    after = call.when;
    lines.push('', `${index + 1}. ${call.library}!${call.function}`);
    const widths = { name: Math.max(...call.arguments.map((argument) => argument.name.length)), type: Math.max(...call.arguments.map((argument) => argument.type.length)) };
    for (const argument of call.arguments) lines.push(...argumentLines(argument, widths));
    if (call.note !== undefined) lines.push(`   (${call.note})`);
  });
  if (document.remark !== undefined) lines.push('', document.remark);
  return lines;
}

function argumentLines(argument: NativeArgument, widths: { name: number; type: number }): string[] {
  const head = `   ${argument.name.padEnd(widths.name)}  ${argument.type.padEnd(widths.type)}`;
  if (argument.struct) return [`${head}  → ${argument.struct.type} (${argument.struct.size} bytes)`, ...structLines(argument.struct)];
  if (argument.refers !== undefined) return [`${head}  ${argument.refers}`];
  if (typeof argument.value === 'string') return [`${head}  → '${argument.value}'`];
  if (argument.value === null) return [`${head}  NULL`];
  const names = argument.names === undefined || argument.names.length === 0 ? '' : `  ${argument.names.join(' | ')}`;
  const number = /FLAG|MASK/.test(argument.type) || argument.name === 'dwIoControlCode' ? hex32(argument.value) : String(argument.value);
  return [`${head}  ${number}${names}`];
}

function structLines(struct: EncodedStruct): string[] {
  const width = Math.max(...struct.fields.map((field) => field.name.length));
  const lines = struct.fields.map((field) => `        @${String(field.offset).padEnd(3)} ${field.name.padEnd(width)}  ${field.type.padEnd(9)}  ${fieldValue(field)}`);
  for (let offset = 0; offset < struct.size; offset += 16) {
    const row = struct.hex.slice(2 * offset, 2 * Math.min(struct.size, offset + 16)).match(/../g) ?? [];
    lines.push(`        ${offset.toString(16).padStart(4, '0')}  ${row.join(' ')}`);
  }
  return lines;
}

function fieldValue(field: EncodedField): string {
  const constant = field.constant === undefined ? '' : `  ${field.constant}`;
  if (field.type === 'PCWSTR') return field.value === null ? 'NULL' : `→ '${field.value}'`;
  if (field.type === 'ULONGLONG' && /Size$/.test(field.name) && field.value !== '0') return `${field.value} (${formatByteSize(BigInt(field.value as string))})${constant}`;
  return `${field.value}${constant}`;
}

function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}
