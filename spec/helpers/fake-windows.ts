// A stand-in for the three Windows DLLs, plugged in through the ffi seam (setLibraryLoader): every
// function is a sinon stub with koffi's `.async`, and every declaration is recorded.
import sinon from 'sinon';
import { setLibraryLoader, type DllName, type LibraryLoader } from '../../ffi/index.ts';
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
  /** Devices, volumes, attached disks and the Restart Manager (spec/helpers/fake-devices.ts). */
  devices: FakeDevices;
  restore(): void;
}

export const PHYSICAL_PATH = '\\\\.\\PhysicalDrive3';

export function installFakeWindows(): FakeWindows {
  const fake: FakeWindows = {
    fn: {}, declarations: [], inFlight: { now: 0, peak: 0 }, liveDescriptors: new Set(), openHandles: new Set(),
    lastError: 0, asyncDelayMs: 0, restore: () => setLibraryLoader(), devices: undefined as unknown as FakeDevices,
  };
  let nextHandle = 0x100n;
  let nextDescriptor = 0x7000n;

  const define = (name: string, behaviour: (...args: any[]) => unknown): void => {
    const stub = sinon.stub().callsFake(behaviour) as FakeFunction;
    stub.async = (...args: unknown[]) => {
      const callback = args.pop() as (error: unknown, result?: unknown) => void;
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
  define('AttachVirtualDisk', () => 0);
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

  const loader: LibraryLoader = (dll) => ({
    func(convention: string, name: string) {
      fake.declarations.push({ dll, convention, name });
      const stub = fake.fn[name];
      if (!stub) throw new Error(`the fake has no ${name}`);
      return stub;
    },
  });
  setLibraryLoader(loader);
  return fake;
}

/** Every native call made, by name, in order. */
export function nativeCalls(fake: FakeWindows): string[] {
  return Object.entries(fake.fn)
    .flatMap(([name, stub]) => stub.getCalls().map((call) => ({ name, call })))
    .sort((a, b) => (a.call.calledBefore(b.call) ? -1 : 1))
    .map(({ name }) => name);
}
