// A stand-in for the three Windows DLLs, plugged in through the ffi seam (setLibraryLoader): every
// function is a sinon stub with koffi's `.async`, and every declaration is recorded.
import koffi from 'koffi';
import sinon from 'sinon';
import { setLibraryLoader, WAITORTIMERCALLBACK, type DllName, type LibraryLoader } from '../../ffi/index.ts';
import { installFakeDevices, type FakeDevices } from './fake-devices.ts';

export type FakeFunction = sinon.SinonStub & { async: (...args: unknown[]) => void };

export interface Declaration {
  dll: DllName;
  convention: string;
  name: string;
}

export interface FakeWindows {
  fn: Record<string, FakeFunction>;
  declarations: Declaration[];
  /** Asynchronous calls under way right now, and the most there ever were. */
  inFlight: { now: number; peak: number };
  /** Security descriptors handed out by the fake conversion and not yet freed. */
  liveDescriptors: Set<bigint>;
  openHandles: Set<bigint>;
  lastError: number;
  /** Delay each `.async` call by this many ms (0: next turn of the event loop). */
  asyncDelayMs: number;
  /** Whether a handle is an event the library made for an OVERLAPPED. */
  isEvent(handle: bigint): boolean;
  /** Every long operation started, in order (see FakeOperation). */
  operations: FakeOperation[];
  /** What a long operation's call answers: 997 (pending, the default), 0 (done at once) or an error. */
  startCode: number;
  /** How long a pending operation runs (ms), and the code it finishes with. */
  operationMs: number;
  completeWith: number;
  /** GetVirtualDiskInformation's answers, by version: the bytes from offset 8, or a Win32 code to fail with. */
  info: Map<number, Buffer | number>;
  /** Devices, volumes, attached disks and the Restart Manager (spec/helpers/fake-devices.ts). */
  devices: FakeDevices;
  restore(): void;
}

export interface FakeOperation {
  fn: string;
  handle: bigint;
  overlapped: bigint;
  event: bigint;
  started: number;
  /** 997 while running, then the final code (read it through statusOf()). */
  status: number;
  cancelled: boolean;
  /** The parameters' bytes as the DLL would read them at the call, and the paths they point to. */
  parameters: Buffer | null;
  flags: number;
}

export const PHYSICAL_PATH = '\\\\.\\PhysicalDrive3';

export function installFakeWindows(): FakeWindows {
  const fake: FakeWindows = {
    fn: {}, declarations: [], inFlight: { now: 0, peak: 0 }, liveDescriptors: new Set(), openHandles: new Set(),
    lastError: 0, asyncDelayMs: 0, isEvent: () => false, operations: [], startCode: 997, operationMs: 30, completeWith: 0,
    info: defaultInfo(), restore: () => setLibraryLoader(), devices: undefined as unknown as FakeDevices,
  };
  let nextHandle = 0x100n;
  const events = new Set<bigint>();
  fake.isEvent = (handle: bigint) => events.has(handle);
  let nextDescriptor = 0x7000n;

  const define = (name: string, behaviour: (...args: any[]) => unknown, record: (args: unknown[]) => unknown[] = (args) => args): void => {
    const stub = sinon.stub().callsFake(behaviour) as FakeFunction;
    stub.async = (...raw: unknown[]) => {
      const callback = raw.pop() as (error: unknown, result?: unknown) => void;
      const args = record(raw);
      fake.inFlight.now++;
      fake.inFlight.peak = Math.max(fake.inFlight.peak, fake.inFlight.now);
      setTimeout(() => {
        fake.inFlight.now--;
        try {
          callback(null, stub(...args));
        } catch (error) {
          callback(error);
        }
      }, fake.asyncDelayMs);
    };
    fake.fn[name] = stub;
  };

  define('OpenVirtualDisk', (_type, _path, _access, _flags, _parameters, handle: [bigint | null]) => {
    handle[0] = nextHandle++;
    fake.openHandles.add(handle[0]);
    return 0;
  });
  // AttachVirtualDisk gets its parameters as an address (stable memory, for the OVERLAPPED): the fake records
  // them decoded at the SDK's offsets, as the DLL reads them, so specs compare values.
  define('AttachVirtualDisk', () => 0, (args) => {
    const parameters = args[4];
    if (typeof parameters !== 'bigint') return args;
    const bytes = Buffer.from(new Uint8Array(koffi.view(parameters as never, 24) as ArrayBuffer));
    const Version = bytes.readUInt32LE(0);
    const decoded = Version === 2
      ? { Version, u: { Version2: { RestrictedOffset: bytes.readBigUInt64LE(8), RestrictedLength: bytes.readBigUInt64LE(16) } } }
      : { Version, u: { Version1: { Reserved: bytes.readUInt32LE(8) } } };
    return [...args.slice(0, 4), decoded, ...args.slice(5)];
  });
  define('DetachVirtualDisk', () => 0);
  define('GetVirtualDiskPhysicalPath', (_handle, size: [number], buffer: Buffer | null) => {
    const text = `${PHYSICAL_PATH}\0`;
    const needed = 2 * text.length;
    if (buffer === null || size[0] < needed) {
      size[0] = needed;
      return 122;
    }
    buffer.write(text, 'utf16le');
    size[0] = needed;
    return 0;
  });
  define('CloseHandle', (handle: bigint) => {
    const known = fake.openHandles.delete(handle);
    if (!known) fake.lastError = 6;
    return known ? 1 : 0;
  });
  define('GetLastError', () => fake.lastError);
  define('LocalFree', (memory: bigint) => {
    fake.liveDescriptors.delete(memory);
    return null;
  });
  define('FormatMessageW', (_flags, _source, code: number, _language, buffer: Buffer) => {
    const text = `System message ${code}.\r\n`;
    buffer.write(text, 'utf16le');
    return text.length;
  });
  define('ConvertStringSecurityDescriptorToSecurityDescriptorW', (sddl: string, _revision, descriptor: [bigint | null]) => {
    if (!/^(O:|G:|D:|S:)/.test(sddl)) {
      fake.lastError = 1336;
      return 0;
    }
    descriptor[0] = nextDescriptor++;
    fake.liveDescriptors.add(descriptor[0]);
    return 1;
  });
  define('IsValidSecurityDescriptor', (descriptor: bigint) => (fake.liveDescriptors.has(descriptor) ? 1 : 0));
  define('GetSecurityDescriptorLength', () => 80);
  fake.devices = installFakeDevices(fake, define, PHYSICAL_PATH);

  // ---------------------------------------------------------------- the long operations and their OVERLAPPED
  const view = (pointer: bigint | null, size: number) => (pointer === null ? null : Buffer.from(new Uint8Array(koffi.view(pointer as never, size) as ArrayBuffer)));
  const startOperation = (fn: string, handle: bigint, flags: number, parameters: Buffer | null, overlapped: bigint | null): number => {
    if (overlapped === null || fake.startCode !== 997) return fake.startCode === 997 ? 0 : fake.startCode;
    const event = (koffi.decode(overlapped as never, 'uint64', 4) as Array<number | bigint>)[3]!;
    fake.operations.push({ fn, handle, overlapped, event: BigInt(event), started: performance.now(), status: 997, cancelled: false, parameters, flags });
    return 997;
  };
  /** The operation's status now: it runs operationMs, then ends with completeWith (995 once cancelled). */
  const statusOf = (operation: FakeOperation): number => {
    if (operation.status === 997 && performance.now() - operation.started >= fake.operationMs) operation.status = fake.completeWith;
    return operation.status;
  };
  // The latest operation with this OVERLAPPED (memory is reused once an operation has ended).
  const operationAt = (overlapped: bigint) => [...fake.operations].reverse().find((operation) => operation.overlapped === overlapped);
  const operationByEvent = (event: bigint) => [...fake.operations].reverse().find((operation) => operation.event === event);
  define('CreateEventW', () => {
    const handle = nextHandle++;
    fake.openHandles.add(handle);
    events.add(handle);
    return handle;
  });
  define('WaitForSingleObject', (event: bigint) => {
    const operation = operationByEvent(event);
    return operation && statusOf(operation) === 997 ? 0x102 : 0;
  });
  define('WaitForMultipleObjects', (count: number, events: bigint[]) => {
    const index = events.slice(0, count).findIndex((event) => {
      const operation = operationByEvent(event);
      return !operation || statusOf(operation) !== 997;
    });
    return index === -1 ? 0x102 : index;
  });
  // Windows' thread pool waits, here a timer: the callback runs when the operation behind the event ends.
  const waits = new Map<bigint, { event: bigint; callback: bigint }>();
  let nextWait = 0x5000n;
  let waiter: NodeJS.Timeout | undefined;
  const checkWaits = () => {
    for (const [wait, { event, callback }] of waits) {
      const operation = operationByEvent(event);
      if (operation && statusOf(operation) === 997) continue;
      waits.delete(wait);
      koffi.call(callback as never, WAITORTIMERCALLBACK, null, 0);
    }
    if (waits.size === 0 && waiter) {
      clearInterval(waiter);
      waiter = undefined;
    }
  };
  define('RegisterWaitForSingleObject', (wait: [bigint | null], event: bigint, callback: bigint) => {
    wait[0] = nextWait++;
    waits.set(wait[0], { event, callback });
    waiter ??= setInterval(checkWaits, 5);
    return 1;
  });
  define('UnregisterWaitEx', (wait: bigint) => {
    waits.delete(wait);
    return 1;
  });
  define('CancelIoEx', (_handle, overlapped: bigint) => {
    const operation = operationAt(overlapped);
    if (!operation || statusOf(operation) !== 997) {
      fake.lastError = 1168;
      return 0;
    }
    operation.cancelled = true;
    operation.status = 995;
    return 1;
  });
  define('GetOverlappedResult', (_handle, overlapped: bigint) => {
    const operation = operationAt(overlapped);
    const status = operation ? statusOf(operation) : 6;
    fake.lastError = status === 997 ? 996 : status;
    return status === 0 ? 1 : 0;
  });
  define('GetVirtualDiskOperationProgress', (_handle, overlapped: bigint, progress: [Record<string, unknown>]) => {
    const operation = operationAt(overlapped);
    if (!operation) return 1168;
    const status = statusOf(operation);
    const total = 1000;
    const completed = status === 0 ? total : Math.min(total, Math.floor(((performance.now() - operation.started) / fake.operationMs) * total));
    progress[0] = { OperationStatus: status, CurrentValue: completed, CompletionValue: total };
    return 0;
  });
  define('CreateVirtualDisk', (_type, path: bigint, _mask, _sd, flags: number, _psf, parameters: bigint, overlapped: bigint | null, handle: [bigint | null]) => {
    koffi.decode(path as never, 'char16_t', -1);
    const code = startOperation('CreateVirtualDisk', 0n, flags, view(parameters, 184), overlapped);
    if (code === 0 || code === 997) {
      handle[0] = nextHandle++;
      fake.openHandles.add(handle[0]);
      const operation = overlapped === null ? undefined : operationAt(overlapped);
      if (operation) operation.handle = handle[0];
    }
    return code;
  });
  for (const [fn, size] of [['ResizeVirtualDisk', 16], ['CompactVirtualDisk', 8], ['MergeVirtualDisk', 12], ['ExpandVirtualDisk', 16]] as const) {
    define(fn, (handle: bigint, flags: number, parameters: bigint | null, overlapped: bigint | null) => startOperation(fn, handle, flags, view(parameters, size), overlapped));
  }
  define('GetVirtualDiskInformation', (_handle, size: [number], buffer: Buffer) => {
    const version = buffer.readUInt32LE(0);
    const answer = fake.info.get(version) ?? 50;
    if (typeof answer === 'number') return answer;
    if (size[0] < 8 + answer.length) {
      size[0] = 8 + answer.length;
      return 122;
    }
    answer.copy(buffer, 8);
    size[0] = 8 + answer.length;
    return 0;
  });
  define('SetVirtualDiskInformation', () => 0);

  const loader: LibraryLoader = (dll) => ({
    func(convention: string, name: string) {
      fake.declarations.push({ dll, convention, name });
      const stub = fake.fn[name];
      if (!stub) throw new Error(`the fake has no ${name}`);
      // sinon keeps an Error per call for its stack; V8 holds the frames' receivers (a VirtualDisk, say) until
      // that stack is formatted. Format it at once, so a synchronous call does not keep the caller alive.
      const synchronous = (...args: unknown[]) => {
        try {
          return stub(...args);
        } finally {
          void (stub.lastCall as unknown as { stack?: string } | null)?.stack;
        }
      };
      return Object.assign(synchronous, { async: stub.async });
    },
  });
  setLibraryLoader(loader);
  return fake;
}

/** The asynchronous (OVERLAPPED) machinery's calls, which nativeCalls() leaves out. */
const OVERLAPPED_MACHINERY = new Set(['CreateEventW', 'RegisterWaitForSingleObject', 'UnregisterWaitEx', 'WaitForSingleObject', 'WaitForMultipleObjects', 'GetOverlappedResult']);

/** Every native call made, by name, in order; without the OVERLAPPED machinery (its events and waits). */
export function nativeCalls(fake: FakeWindows): string[] {
  return Object.entries(fake.fn)
    .flatMap(([name, stub]) => stub.getCalls().map((call) => ({ name, call })))
    .filter(({ name, call }) => !OVERLAPPED_MACHINERY.has(name) && !(name === 'CloseHandle' && fake.isEvent(call.args[0] as bigint)))
    .sort((a, b) => (a.call.calledBefore(b.call) ? -1 : 1))
    .map(({ name }) => name);
}

/** Decodes a NUL-terminated UTF-16 string at a native address (a long operation's path). */
export function wideStringAt(pointer: bigint): string {
  return koffi.decode(pointer as never, 'char16_t', -1) as string;
}

/** Answers of a dynamic 64 MiB VHDX with 512/4096 sectors, by GET_VIRTUAL_DISK_INFO version (bytes from offset 8). */
export function defaultInfo(): Map<number, Buffer | number> {
  const size = Buffer.alloc(24);
  size.writeBigUInt64LE(64n << 20n, 0);
  size.writeBigUInt64LE(4n << 20n, 8);
  size.writeUInt32LE(32 << 20, 16);
  size.writeUInt32LE(512, 20);
  const uint32 = (value: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(value); return b; };
  const physical = Buffer.alloc(12);
  physical.writeUInt32LE(512, 0);
  physical.writeUInt32LE(4096, 4);
  return new Map<number, Buffer | number>([
    [1, size],
    [2, Buffer.from('00112233445566778899aabbccddeeff', 'hex')],
    [3, 0xc03a001b], [4, 0xc03a001b], [5, 0xc03a001b],
    [7, uint32(3)],
    [9, physical],
    [11, (() => { const b = Buffer.alloc(8); b.writeBigUInt64LE(16n << 20n); return b; })()],
    [12, uint32(7)],
    [8, uint32(1)],
    [13, uint32(0)],
    [14, Buffer.from('ffeeddccbbaa99887766554433221100', 'hex')],
  ]);
}
