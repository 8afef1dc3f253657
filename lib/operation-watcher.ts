// One timer for every pending long operation: each tick asks Windows, in one WaitForMultipleObjects call per
// 64 events, which operations' OVERLAPPED events are signalled. The cost of watching is one cheap call per
// tick however many operations run; progress is read only for operations that report it, at their interval.
import type { Kernel32 } from '../ffi/index.ts';
import { WAIT_OBJECT_0 } from '../types/constants.ts';

/** Completion is noticed within this many ms of Windows signalling it. */
export const WATCH_INTERVAL_MS = 10;
/** MAXIMUM_WAIT_OBJECTS (winnt.h). */
const MAXIMUM_WAIT_OBJECTS = 64;

export interface Watched {
  event: bigint;
  /** Called once, on the tick that finds the event signalled. */
  completed(): void;
  /** Called every tick while pending (progress reporting and fallbacks decide for themselves what to do). */
  tick(now: number): void;
}

const watched = new Map<bigint, Watched>();
let timer: NodeJS.Timeout | undefined;
let kernel32: Kernel32 | undefined;

export function watch(functions: Kernel32, entry: Watched): void {
  kernel32 = functions;
  watched.set(entry.event, entry);
  timer ??= setInterval(tick, WATCH_INTERVAL_MS);
}

export function unwatch(event: bigint): void {
  watched.delete(event);
  if (watched.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

function tick(): void {
  const now = performance.now();
  for (const events of chunks([...watched.keys()])) {
    let pending = events;
    while (pending.length > 0) {
      const index = kernel32!.WaitForMultipleObjects(pending.length, pending, 0, 0) - WAIT_OBJECT_0;
      if (index < 0 || index >= pending.length) break; // WAIT_TIMEOUT (or WAIT_FAILED): none signalled
      const event = pending[index]!;
      pending = pending.filter((_, i) => i !== index);
      const entry = watched.get(event);
      unwatch(event);
      entry?.completed();
    }
  }
  for (const entry of watched.values()) entry.tick(now);
}

function chunks(events: bigint[]): bigint[][] {
  const result: bigint[][] = [];
  for (let i = 0; i < events.length; i += MAXIMUM_WAIT_OBJECTS) result.push(events.slice(i, i + MAXIMUM_WAIT_OBJECTS));
  return result;
}
