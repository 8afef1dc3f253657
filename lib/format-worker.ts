// The format worker: one worker_threads Worker per formatVolume call, started by lib/format-thread.ts. It loads
// koffi and fmifs.dll, calls FormatEx synchronously (which blocks this thread, not the main thread and not
// libuv's thread pool, for as long as the format runs), and relays every callback packet to the main thread as
// it comes. The callback answers FALSE (cancel) once the main thread sets the shared cancel flag.
//
// Messages to the main thread (FormatWorkerMessage): { type: 'packet', command, length, value? } for each
// callback, in order; then { type: 'returned' } when FormatEx returned, or { type: 'failed', … } when the worker
// could not make the call (fmifs.dll missing, not Windows).
import { parentPort, workerData } from 'node:worker_threads';
import type { FormatWorkerData, FormatWorkerMessage } from './format-thread.ts';

const port = parentPort;
if (port === null) throw new Error('lib/format-worker.ts runs as a worker thread (lib/format-thread.ts starts it)');
const data = workerData as FormatWorkerData;
const cancel = new Int32Array(data.cancel);
const post = (message: FormatWorkerMessage) => port.postMessage(message);

try {
  const fmifs = await import('../ffi/fmifs.ts');
  const library = fmifs.loadFmifs();
  const formatEx = library.FormatEx; // declared here, so a DLL without it fails before the callback exists
  const callback = fmifs.registerFormatCallback((command, length, packet) => {
    try {
      const value = command === fmifs.FmIfsPercentCompleted ? fmifs.readPacket(packet, length, 'uint32')
        : command === fmifs.FmIfsFinished ? fmifs.readPacket(packet, length, 'uint8')
          : undefined;
      post(value === undefined ? { type: 'packet', command, length } : { type: 'packet', command, length, value });
      return Atomics.load(cancel, 0) === 0 ? 1 : 0;
    } catch {
      return 0; // a callback must not throw into fmifs.dll: cancel instead
    }
  });
  try {
    formatEx(data.driveRoot, fmifs.FmMediaFixed, data.fileSystemName, data.label, data.quick ? 1 : 0, data.clusterSize, callback);
  } finally {
    fmifs.unregisterFormatCallback(callback);
  }
  post({ type: 'returned' });
} catch (error) {
  const { message, code } = error as { message?: unknown; code?: unknown };
  post({ type: 'failed', message: String(message ?? error), ...(typeof code === 'string' ? { code } : {}) });
}
