// Native memory for one long operation: the OVERLAPPED, the parameters and their strings, allocated
// together and freed together, exactly once, after Windows reports the operation complete.
import type { NativeMemory } from '../ffi/index.ts';

type TypeSpec = Parameters<NativeMemory['sizeof']>[0];

let live = 0;

/** Arenas allocated and not yet freed, in this process: specs check that every operation frees its memory. */
export function liveNativeArenas(): number {
  return live;
}

export class NativeArena {
  readonly #memory: NativeMemory;
  readonly #pointers: bigint[] = [];
  #freed = false;

  constructor(memory: NativeMemory) {
    this.#memory = memory;
    live++;
  }

  /** A copy of `value` as a `type` in stable memory; its address. */
  struct(type: TypeSpec, value: unknown): bigint {
    const pointer = this.#take(type, 1);
    this.#memory.encode(pointer, type, value);
    return pointer;
  }

  /** `content` (or that many zero bytes) in stable memory; its address. */
  bytes(content: Buffer | number): bigint {
    const size = typeof content === 'number' ? content : content.length;
    const pointer = this.#take('uint8', Math.max(size, 1));
    const view = Buffer.from(this.#memory.view(pointer, Math.max(size, 1)));
    view.fill(0);
    if (typeof content !== 'number') content.copy(view);
    return pointer;
  }

  /** A copy of the `size` bytes at an address this arena gave. */
  copyOut(pointer: bigint, size: number): Buffer {
    return size > 0 ? Buffer.from(Buffer.from(this.#memory.view(pointer, size))) : Buffer.alloc(0);
  }

  /** A NUL-terminated UTF-16 copy of `text` in stable memory; its address. */
  wideString(text: string): bigint {
    const pointer = this.#take('char16_t', text.length + 1);
    this.#memory.encode(pointer, 'char16_t', `${text}\0`, text.length + 1);
    return pointer;
  }

  /** Reads a `type` back from an address this arena gave. */
  read<T>(pointer: bigint, type: TypeSpec): T {
    return this.#memory.decode(pointer, type) as T;
  }

  /** Frees everything; idempotent. Only after Windows no longer uses any of it. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    live--;
    for (const pointer of this.#pointers.splice(0)) this.#memory.free(pointer);
  }

  #take(type: TypeSpec, count: number): bigint {
    if (this.#freed) throw new Error('unreachable: this native arena was freed');
    const pointer = this.#memory.alloc(type, count);
    this.#pointers.push(pointer);
    return pointer;
  }
}
