// How many kernel handles this process holds. GetProcessHandleCount answers 0 under Wine 8, so count this
// process's entries in NtQuerySystemInformation(SystemHandleInformation) instead (works on Windows too).
import koffi from 'koffi';

const SystemHandleInformation = 16;
const STATUS_INFO_LENGTH_MISMATCH = 0xc0000004;
const ENTRY_SIZE = 24; // SYSTEM_HANDLE_TABLE_ENTRY_INFO on x64
const FIRST_ENTRY = 8; // after ULONG NumberOfHandles, aligned for the pointer inside the entries

let query: ((cls: number, buffer: Buffer, size: number, returned: [number]) => number) | undefined;

export function processHandleCount(): number {
  query ??= koffi.load('ntdll.dll').func('__stdcall', 'NtQuerySystemInformation', 'uint32', ['uint32', 'void *', 'uint32', koffi.out(koffi.pointer('uint32'))]);
  for (let size = 1 << 20; size <= 1 << 28; size *= 2) {
    const buffer = Buffer.alloc(size);
    const status = query(SystemHandleInformation, buffer, size, [0]);
    if (status === STATUS_INFO_LENGTH_MISMATCH) continue;
    if (status !== 0) throw new Error(`NtQuerySystemInformation: 0x${status.toString(16)}`);
    const total = buffer.readUInt32LE(0);
    let mine = 0;
    for (let i = 0; i < total; i++) {
      if (buffer.readUInt16LE(FIRST_ENTRY + i * ENTRY_SIZE) === (process.pid & 0xffff)) mine++;
    }
    return mine;
  }
  throw new Error('NtQuerySystemInformation: the handle table did not fit');
}
