// Runs FormatEx in a worker thread of its own (lib/format-worker.ts). FormatEx is synchronous and blocks its
// thread for the whole format (minutes on a large volume with a full format): on the main thread it would stop
// the event loop, and on libuv's thread pool (koffi's `.async`) it would hold a thread fs, dns and zlib need.
//
// The worker's file: beside this one, with this file's extension. Under tsx (the sources, the specs, the Wine
// tier) that is format-worker.ts, and a worker does not inherit tsx's loader for its entry module (measured:
// Node 20 and 22 answer ERR_UNKNOWN_FILE_EXTENSION even with --import tsx in execArgv), so the worker starts from
// a small bootstrap that registers tsx's ESM loader (tsx/esm/api, resolved from here) and then imports it. In
// the package (dist/lib/format-thread.js, compiled by tsconfig.pack.json) it is format-worker.js, started directly.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { VirtualDiskError } from './errors.ts';

/** What the worker is started with (its workerData). */
export interface FormatWorkerData {
  driveRoot: string;
  fileSystemName: string;
  label: string;
  quick: boolean;
  clusterSize: number;
  /** An Int32Array's buffer: element 0 set to non-zero asks the callback to answer FALSE. */
  cancel: SharedArrayBuffer;
}

/** One fmifs callback, as the worker relays it. `value`: the percentage (FmIfsPercentCompleted) or 0/1 (FmIfsFinished). */
export interface FormatPacket {
  command: number;
  length: number;
  value?: number;
}

export type FormatWorkerMessage =
  | ({ type: 'packet' } & FormatPacket)
  | { type: 'returned' }
  | { type: 'failed'; message: string; code?: string };

/** A format to run: FormatEx's arguments, the cancel flag, and where each callback packet goes. */
export interface FormatJob {
  driveRoot: string;
  fileSystemName: string;
  label: string;
  quick: boolean;
  clusterSize: number;
  /** Over a SharedArrayBuffer; [0] becomes 1 when the caller cancels. The callback answers FALSE from then on. */
  cancel: Int32Array;
  /** Called for each callback packet, in order. */
  onPacket(packet: FormatPacket): void;
}

/**
 * Runs a format: resolves once FormatEx returned (whatever it reported), rejects when it could not be called or
 * its thread died. The default is formatInWorker; specs put another in its place (lib/format-volume.ts).
 */
export type Formatter = (job: FormatJob) => Promise<void>;

/**
 * The worker entry beside this module: format-worker.ts under tsx, format-worker.js in the package. Read when a
 * format starts, not when this module loads: a CommonJS bundle of the package has no import.meta.url (and no
 * worker file), and everything but formatVolume must still work there.
 */
export function defaultWorkerEntry(): URL {
  const here = (import.meta as { url?: unknown }).url;
  if (typeof here !== 'string' || here.length === 0) {
    throw new VirtualDiskError('formatVolume runs FormatEx on a worker thread started from virtdisk\'s dist/lib/format-worker.js, and this copy of virtdisk was bundled without it (a CommonJS bundle has no import.meta.url).', {
      code: 'ERR_FORMAT_WORKER_MISSING', syscall: 'FormatEx',
      hint: 'Leave virtdisk out of the bundle (esbuild --external:virtdisk, or your bundler\'s externals) so that its worker file is there at run time.',
    });
  }
  return new URL(`./format-worker${here.endsWith('.ts') ? '.ts' : '.js'}`, here);
}

/** Starts a Worker on `entry`; a .ts entry through a bootstrap that registers tsx's loader first. */
export function startWorker(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  let api: string;
  try {
    api = tsxApiUrl();
  } catch {
    return new Worker(entry, { workerData }); // no tsx: a Node that strips types itself (22.6+ with the flag, 23.6+) runs the .ts entry
  }
  const bootstrap = `import(${JSON.stringify(api)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * tsx's ESM API (tsx/esm/api), resolved from this module, not from the working directory. tsx compiles this
 * module for import() or for require() depending on who loads it first, and its require() build has no
 * import.meta.resolve; so the entry is read from tsx's own package.json exports map ('./esm/api' → import).
 */
function tsxApiUrl(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } | string }> };
  const target = manifest.exports?.['./esm/api']?.import;
  const relative = typeof target === 'string' ? target : target?.default;
  if (relative === undefined) throw new Error(`tsx at ${path.dirname(manifestPath)} exports no './esm/api' for import`);
  return pathToFileURL(path.join(path.dirname(manifestPath), relative)).href;
}

/** The default Formatter: FormatEx in a worker of its own, terminated when the call ends, whichever way. */
export function formatInWorker(job: FormatJob, entry: URL = defaultWorkerEntry()): Promise<void> {
  const data: FormatWorkerData = {
    driveRoot: job.driveRoot, fileSystemName: job.fileSystemName, label: job.label, quick: job.quick,
    clusterSize: job.clusterSize, cancel: job.cancel.buffer as SharedArrayBuffer,
  };
  return new Promise<void>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = startWorker(entry, data);
    } catch (error) {
      reject(workerError(`the format worker could not start: ${(error as Error)?.message ?? String(error)}`, job.driveRoot, error));
      return;
    }
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      // FormatEx has returned (or the thread is gone): nothing native is running on it any more.
      void worker.terminate().catch(() => {});
      if (error) reject(error);
      else resolve();
    };
    const onMessage = (message: FormatWorkerMessage) => {
      if (settled) return;
      if (message.type === 'packet') {
        const packet: FormatPacket = message.value === undefined
          ? { command: message.command, length: message.length }
          : { command: message.command, length: message.length, value: message.value };
        job.onPacket(packet);
      } else if (message.type === 'returned') {
        settle();
      } else {
        settle(new VirtualDiskError(`FormatEx '${job.driveRoot}': ${message.message}`, {
          code: message.code ?? 'ERR_FORMAT_WORKER_FAILED', syscall: 'FormatEx', path: job.driveRoot,
          hint: message.code === 'ERR_UNSUPPORTED_PLATFORM' ? 'fmifs.dll exists only on Windows.' : 'fmifs.dll could not be loaded or called: it is part of every Windows since 2000 (System32\\fmifs.dll); a Windows PE or Server Core image without it cannot format through this library.',
        }));
      }
    };
    const onError = (error: Error) => settle(workerError(`the format worker failed: ${error.message}`, job.driveRoot, error));
    const onExit = (code: number) => settle(workerError(`the format worker ended (exit code ${code}) before FormatEx returned.`, job.driveRoot));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function workerError(message: string, driveRoot: string, cause?: unknown): VirtualDiskError {
  return new VirtualDiskError(`FormatEx '${driveRoot}': ${message}`, {
    code: 'ERR_FORMAT_WORKER_FAILED', syscall: 'FormatEx', path: driveRoot, cause,
    hint: 'The thread that runs FormatEx ended without its result: the volume may be left RAW (unformatted) or half-formatted. Format it again; if this recurs, report it with the cause.',
  });
}
