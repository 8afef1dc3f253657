// Which processes hold a file open: the Restart Manager (rstrtmgr.dll), as "who is using this file" tools
// ask it: RmStartSession, RmRegisterResources (the file), RmGetList (ERROR_MORE_DATA: ask again with the
// count it reports), RmEndSession on every path. Each process's program name comes from
// QueryFullProcessImageNameW (PROCESS_QUERY_LIMITED_INFORMATION, which protected processes such as
// MsMpEng.exe grant), else the Restart Manager's own name for it.
//
// Best effort, for error reports: any failure resolves to undefined ("not known"), never an exception.
// The Restart Manager functions return their error codes (no last error), so they run on koffi's worker
// threads: RmGetList walks every process's handles and can take a while.
import path from 'node:path';
import { CCH_RM_SESSION_KEY, PROCESS_QUERY_LIMITED_INFORMATION } from '../types/constants.ts';
import type { Holder } from './errors.ts';
import { isHandle } from './device-io.ts';
import { callAsync, rawLayer, windows } from './native.ts';
import { ERROR_MORE_DATA, ERROR_SUCCESS } from './win32-errors.ts';

const MAX_ROUNDS = 4;
const MAX_NAME = 32768; // a \\?\ path's length, in WCHARs

interface RmProcessInfoValue {
  Process: { dwProcessId: number };
  strAppName: string;
  strServiceShortName: string;
}

/**
 * The processes that hold `filePath` open, in the Restart Manager's order, each once; [] when none does;
 * undefined when the Restart Manager could not say (not installed, a session limit, any error).
 */
export async function holdersOf(filePath: string): Promise<Holder[] | undefined> {
  try {
    const ffi = await rawLayer();
    const { rstrtmgr } = await windows();
    const session: [number] = [0];
    const key = Buffer.alloc(2 * (CCH_RM_SESSION_KEY + 1));
    if (await callAsync(undefined, rstrtmgr.RmStartSession, session, 0, key) !== ERROR_SUCCESS) return undefined;
    let listed: RmProcessInfoValue[] | undefined;
    try {
      if (await callAsync(undefined, rstrtmgr.RmRegisterResources, session[0], 1, [filePath], 0, null, 0, null) !== ERROR_SUCCESS) return undefined;
      const entrySize = ffi.sizeOf(ffi.RM_PROCESS_INFO);
      let capacity = 4;
      for (let round = 0; round < MAX_ROUNDS && listed === undefined; round++) {
        const buffer = Buffer.alloc(entrySize * capacity);
        const needed: [number] = [0];
        const count: [number] = [capacity];
        const reasons: [number] = [0];
        const result = await callAsync(undefined, rstrtmgr.RmGetList, session[0], needed, count, buffer, reasons);
        if (result === ERROR_MORE_DATA) {
          capacity = Math.max(needed[0], capacity) + 2; // processes come and go between two calls
          continue;
        }
        if (result !== ERROR_SUCCESS) return undefined;
        listed = [];
        for (let i = 0; i < Math.min(count[0], capacity); i++) listed.push(ffi.decodeStruct<RmProcessInfoValue>(buffer, entrySize * i, ffi.RM_PROCESS_INFO));
      }
    } finally {
      await callAsync(undefined, rstrtmgr.RmEndSession, session[0]).catch(() => 0);
    }
    if (listed === undefined) return undefined;
    const seen = new Set<number>();
    const holders: Holder[] = [];
    for (const info of listed) {
      const pid = info.Process.dwProcessId;
      if (seen.has(pid)) continue;
      seen.add(pid);
      const name = await programName(pid) ?? (info.strAppName || info.strServiceShortName || `process ${pid}`);
      holders.push({ pid, name });
    }
    return holders;
  } catch {
    return undefined;
  }
}

/** The file name of a process's program ('MsMpEng.exe'), or undefined when it cannot be read. */
async function programName(pid: number): Promise<string | undefined> {
  const { kernel32 } = await windows();
  const process = await callAsync(undefined, kernel32.OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
  if (!isHandle(process)) return undefined;
  try {
    const buffer = Buffer.alloc(2 * MAX_NAME);
    const size: [number] = [MAX_NAME];
    if (!await callAsync(undefined, kernel32.QueryFullProcessImageNameW, process, 0, buffer, size)) return undefined;
    const full = buffer.toString('utf16le', 0, 2 * Math.min(size[0], MAX_NAME));
    return path.win32.basename(full) || undefined;
  } finally {
    await callAsync(undefined, kernel32.CloseHandle, process).catch(() => 0);
  }
}

/** 'MsMpEng.exe (pid 4120), wsl.exe (pid 96)'. */
export function describeHolders(holders: readonly Holder[]): string {
  return holders.map((holder) => `${holder.name} (pid ${holder.pid})`).join(', ');
}
