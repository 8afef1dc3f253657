import type koffi from 'koffi';

/** A koffi function with the TypeScript signature of the C one: a synchronous call and koffi's `.async`. */
export type NativeFunction<Args extends unknown[], Result> = ((...args: Args) => Result) & {
  async(...args: [...Args, (error: unknown, result: Result) => void]): void;
};

/** A one-element array koffi fills in for an `_Out_`/`_Inout_` pointer parameter. */
export type OutParameter<T> = [T];

/** koffi's type description (a type name or object), as its own declarations accept it. */
export type TypeSpec = Parameters<typeof koffi.sizeof>[0];

/**
 * An object whose functions are declared with koffi on first use, not all at load: a DLL without one of them
 * (virtdisk.dll on Windows 7 has no ResizeVirtualDisk) still serves the others. Using a missing one throws an
 * Error with code ERR_PROC_NOT_FOUND, naming the DLL and the function.
 */
export function declaredOnUse<T extends object>(dll: string, declarations: Record<string, () => unknown>): T {
  const functions = {};
  for (const [name, declare] of Object.entries(declarations)) {
    let declared: { value: unknown } | undefined;
    Object.defineProperty(functions, name, {
      enumerable: true,
      get() {
        if (!declared) {
          try {
            declared = { value: declare() };
          } catch (error) {
            throw Object.assign(new Error(`${dll}.dll has no function ${name} here: ${(error as Error).message}`), {
              code: 'ERR_PROC_NOT_FOUND', dll, function: name, cause: error,
            });
          }
        }
        return declared.value;
      },
    });
  }
  return functions as T;
}
