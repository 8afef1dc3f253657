// Arbitrary option objects as a careless or hostile caller could pass them: any value, getters that answer
// differently on each read, Proxies, class instances, prototypes, Maps, nested ranges of every shape.
import fc from 'fast-check';

const OPTION_NAMES = [
  'signal', 'windowsBuild', 'readOnly', 'storageType', 'noDriveLetter', 'permanent', 'noLocalHost',
  'noSecurityDescriptor', 'bypassDefaultEncryptionPolicy', 'nonPnp', 'singlePartition', 'registerVolume',
  'atBoot', 'restrictedRange', 'securityDescriptor', 'providerSpecificFlags', 'constructor', 'toString', '__proto__',
] as const;

/** Values that are nearly right: the edges of every option's type. */
const edgy = fc.constantFrom<unknown>(
  null, undefined, true, false, 0, -1, 1.5, Number.NaN, Infinity, 2 ** 32, 2 ** 53, -0, 0xffffffff, 7, 26100, 17763,
  0n, -1n, 1n, 1n << 63n, 1n << 64n, (1n << 64n) - 1n, '', 'x', '\0', 'O:BAG:BAD:(A;;GA;;;WD)', 'D:P(A;;GA;;;WD)\0(A;;GA;;;BA)',
  'vhdx', 'iso', 'vmdk', [], {}, new Map([['readOnly', true]]), () => 1, Symbol('s'), new AbortController().signal,
);

const scalar = fc.oneof(edgy, fc.anything({ withBigInt: true, withMap: true, withSet: true, withNullPrototype: true }));

const range = fc.oneof(
  scalar,
  fc.record({ offset: scalar, length: scalar }, { requiredKeys: [] }),
  fc.tuple(scalar, scalar).map(([first, second]) => flipFlop({ offset: 0n, length: 1n }, 'offset', first, second)),
  fc.tuple(scalar, scalar).map(([first, second]) => flipFlop({ offset: 0n, length: 1n }, 'length', first, second)),
);

/** An object whose `key` getter answers `first`, then `second` on every later read. */
function flipFlop(target: Record<string, unknown>, key: string, first: unknown, second: unknown): Record<string, unknown> {
  let reads = 0;
  Object.defineProperty(target, key, { enumerable: true, configurable: true, get: () => (reads++ === 0 ? first : second) });
  return target;
}

const entries = fc.array(
  fc.tuple(fc.constantFrom(...OPTION_NAMES), fc.oneof(scalar, range)),
  { maxLength: 6 },
);

const bigintish = fc.oneof(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.maxSafeNat());

/** Options a careful caller passes: every value right. */
const validOptions = fc.record({
  readOnly: fc.boolean(),
  permanent: fc.boolean(),
  noDriveLetter: fc.boolean(),
  providerSpecificFlags: fc.integer({ min: 0, max: 0xffffffff }),
  restrictedRange: fc.record({ offset: bigintish, length: bigintish }),
  securityDescriptor: fc.constantFrom('O:BAG:BAD:(A;;GA;;;WD)', 'D:P(A;;GA;;;WD)'),
  windowsBuild: fc.constantFrom(26100, 22621, 18362),
}, { requiredKeys: [] });

/** Right options with exactly one value wrong (or a getter on it): that one has to be caught on its own. */
const oneWrong = fc.tuple(validOptions, fc.constantFrom(...OPTION_NAMES), fc.oneof(scalar, range), fc.boolean(), scalar)
  .map(([options, key, value, asGetter, second]) => {
    const copy: Record<string, unknown> = { ...options };
    return asGetter ? flipFlop(copy, key, value, second) : Object.assign(copy, { [key]: value });
  });

/** One options argument, in one of many disguises. */
export const hostileOptions: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: validOptions, weight: 2 },
  { arbitrary: oneWrong, weight: 6 },
  { arbitrary: scalar, weight: 1 },
  { arbitrary: entries.map((list) => Object.fromEntries(list)), weight: 1 },
  { arbitrary: entries.map((list) => Object.create(Object.fromEntries(list)) as unknown), weight: 1 },
  {
    arbitrary: entries.map((list) => {
      class Options {}
      for (const [key, value] of list) Object.defineProperty(Options.prototype, key, { get: () => value, enumerable: true, configurable: true });
      return new Options();
    }),
    weight: 1,
  },
  { arbitrary: entries.map((list) => new Proxy(Object.fromEntries(list), {})), weight: 1 },
  {
    arbitrary: entries.map((list) => new Proxy({}, {
      ownKeys: () => list.map(([key]) => key),
      getOwnPropertyDescriptor: (_target, key) => ({ value: list.find(([name]) => name === key)?.[1], enumerable: true, configurable: true }),
    })),
    weight: 1,
  },
  { arbitrary: entries.map((list) => new Map(list)), weight: 1 },
);

/** What a uint64 / DWORD field of a koffi struct accepts without aborting the process. */
export const isDword = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
export const isUint64 = (value: unknown) => typeof value === 'bigint' && value >= 0n && value < 1n << 64n;
