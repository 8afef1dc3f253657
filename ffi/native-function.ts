import type koffi from 'koffi';

/** A koffi function with the TypeScript signature of the C one: a synchronous call and koffi's `.async`. */
export type NativeFunction<Args extends unknown[], Result> = ((...args: Args) => Result) & {
  async(...args: [...Args, (error: unknown, result: Result) => void]): void;
};

/** A one-element array koffi fills in for an `_Out_`/`_Inout_` pointer parameter. */
export type OutParameter<T> = [T];

/** koffi's type description (a type name or object), as its own declarations accept it. */
export type TypeSpec = Parameters<typeof koffi.sizeof>[0];
