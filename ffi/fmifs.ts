// fmifs.dll: FormatEx and FormatEx2, one to one with the DLL as format.com, Rufus and Explorer's format dialog
// call it. fmifs.dll is not in the Windows SDK and has no reference page; its prototypes come from public code:
//   - microsoft/winfile@068919f src/fmifs.h (Microsoft, MIT): FMIFS_PACKET_TYPE 0..12 (FmIfsPercentCompleted …
//     FmIfsBadLabel), FMIFS_MEDIA_TYPE (FmMediaFixed = 12), the FMIFS_CALLBACK and FormatEx prototypes (NTAPI,
//     i.e. __stdcall), FMIFS_PERCENT_COMPLETE_INFORMATION { ULONG }, FMIFS_FINISHED_INFORMATION { BOOLEAN };
//   - pbatard/rufus src/format.h (FILE_SYSTEM_CALLBACK_COMMAND, "filled from HPUSBFW V2.2.3"): the later packet
//     numbers 13..37 (FCC_CLUSTER_SIZE_TOO_SMALL 16 … FCC_DEVICE_NOT_READY 24, FCC_READ_ONLY_MODE 32,
//     FCC_ALIGNMENT_VIOLATION 37), and FormatEx2 with FMIFS_FORMATEX2_PARAM (format.c);
//   - the fake fmifs.dll of this project's Wine tier (shared/wine/fakedisk/fmifs.c), built to the same protocol.
// The names below are winfile's (FmIfs…), with Rufus's (FCC_…) for numbers winfile's header predates.
//
// FormatEx is synchronous: it returns once the format ended, having reported everything through the callback
// on the calling thread. This module is loaded by the format worker (lib/format-worker.ts), never on the main
// thread nor on libuv's thread pool: a format blocks its thread for as long as it runs.
import koffi from 'koffi';
import { getSystemDirectory } from './libraries.ts';
import type { NativeLibrary } from './libraries.ts';
import { declaredOnUse, type NativeFunction, type TypeSpec } from './native-function.ts';

export * from '../types/fmifs-constants.ts';

/** typedef struct { UCHAR Major, Minor; ULONG Flags; PWSTR LabelString; ULONG ClusterSize; } FMIFS_FORMATEX2_PARAM: 24 bytes on x64. */
export const FMIFS_FORMATEX2_PARAM = koffi.struct({
  Major: 'uint8',
  Minor: 'uint8',
  Flags: 'uint32',
  LabelString: 'const char16_t *',
  ClusterSize: 'uint32',
});

// BOOLEAN (NTAPI *FMIFS_CALLBACK)(FMIFS_PACKET_TYPE PacketType, ULONG PacketLength, PVOID PacketData).
// koffi names prototypes per loaded copy of the addon; a second copy of this module takes the one declared.
const FMIFS_CALLBACK_NAME = 'virtdisk_FMIFS_CALLBACK';
export const FMIFS_CALLBACK = declaredType(FMIFS_CALLBACK_NAME)
  ?? koffi.proto('__stdcall', FMIFS_CALLBACK_NAME, 'uint8', ['uint32', 'uint32', 'void *']);

function declaredType(name: string): ReturnType<typeof koffi.type> | undefined {
  try {
    return koffi.type(name);
  } catch {
    return undefined;
  }
}

export interface FormatExParam2Value {
  Major: number;
  Minor: number;
  Flags: number;
  LabelString: string | null;
  ClusterSize: number;
}

export interface Fmifs {
  /** VOID FormatEx(PWSTR DriveName, FMIFS_MEDIA_TYPE MediaType, PWSTR FileSystemName, PWSTR Label, BOOLEAN Quick, ULONG ClusterSize, FMIFS_CALLBACK Callback). */
  FormatEx: NativeFunction<
    [DriveName: string, MediaType: number, FileSystemName: string, Label: string, Quick: number, ClusterSize: number, Callback: unknown],
    void
  >;
  /** VOID FormatEx2(PWSTR DriveName, FMIFS_MEDIA_TYPE MediaType, PWSTR FileSystemName, PFMIFS_FORMATEX2_PARAM Param, FMIFS_CALLBACK Callback). */
  FormatEx2: NativeFunction<[DriveName: string, MediaType: number, FileSystemName: string, Param: FormatExParam2Value, Callback: unknown], void>;
}

export function declareFmifs(lib: NativeLibrary): Fmifs {
  const stdcall = (name: string, result: TypeSpec, params: TypeSpec[]) => () => lib.func('__stdcall', name, result, params);
  const callback = koffi.pointer(FMIFS_CALLBACK);
  return declaredOnUse<Fmifs>('fmifs', {
    FormatEx: stdcall('FormatEx', 'void', ['const char16_t *', 'uint32', 'const char16_t *', 'const char16_t *', 'uint8', 'uint32', callback]),
    FormatEx2: stdcall('FormatEx2', 'void', ['const char16_t *', 'uint32', 'const char16_t *', koffi.pointer(FMIFS_FORMATEX2_PARAM), callback]),
  });
}

/** `<System32>\fmifs.dll`, by absolute path (as ffi/libraries.ts loads every system DLL). */
export function loadFmifs(): Fmifs {
  return declareFmifs(koffi.load(`${getSystemDirectory()}\\fmifs.dll`));
}

/** A JS function as an FMIFS_CALLBACK pointer; called synchronously on the thread that called FormatEx. */
export function registerFormatCallback(callback: (command: number, length: number, packet: unknown) => number): unknown {
  return koffi.register(callback, koffi.pointer(FMIFS_CALLBACK));
}

export function unregisterFormatCallback(pointer: unknown): void {
  koffi.unregister(pointer as never);
}

/** The ULONG, or BOOLEAN (as 0/1), a packet holds; undefined when the packet is absent or shorter. */
export function readPacket(packet: unknown, length: number, type: 'uint32' | 'uint8'): number | undefined {
  if (packet === null || packet === undefined || packet === 0n || length < koffi.sizeof(type)) return undefined;
  return Number(koffi.decode(packet as never, type));
}

/** FMIFS_FORMAT_REPORT_INFORMATION { ULONG KiloBytesTotalDiskSpace, KiloBytesAvailable } (winfile); undefined when shorter. */
export function readFormatReport(packet: unknown, length: number): { kiloBytesTotal: number; kiloBytesAvailable: number } | undefined {
  if (packet === null || packet === undefined || packet === 0n || length < 8) return undefined;
  const [total, available] = koffi.decode(packet as never, 'uint32', 2) as number[];
  return { kiloBytesTotal: Number(total), kiloBytesAvailable: Number(available) };
}
