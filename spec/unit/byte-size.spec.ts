// parseByteSize / formatByteSize: decimal and binary units, said which; refusals name the rule.
import { expect } from 'chai';
import { formatByteSize, InvalidArgumentError, parseByteSize } from '../../lib/index.ts';

describe('parseByteSize', () => {
  const cases: Array<[string, bigint]> = [
    ['64MB', 64_000_000n], ['64MiB', 64n << 20n], ['10GiB', 10n << 30n], ['10GB', 10_000_000_000n], ['1.5TB', 1_500_000_000_000n],
    ['1.5TiB', 3n << 39n], ['512', 512n], ['4096B', 4096n], ['64 mb', 64_000_000n], [' 2gib ', 2n << 30n], ['1kB', 1000n], ['1KiB', 1024n],
    ['0.5KiB', 512n], ['1PB', 10n ** 15n], ['16EiB'.replace('EiB', 'PiB'), 16n << 50n], ['0', 0n], ['18446744073709551615', (1n << 64n) - 1n],
  ];
  for (const [text, bytes] of cases) {
    it(`'${text}' is ${bytes} bytes`, () => expect(parseByteSize(text)).to.equal(bytes));
  }

  const refused: Array<[string, RegExp]> = [
    ['64M', /Say which: 64MB \(decimal, powers of 1000\) or 64MiB \(binary, powers of 1024\)/],
    ['10G', /10GB .* 10GiB/], ['1.1B', /not a whole number of bytes/], ['0.1KiB', /not a whole number of bytes/],
    ['18446744073709551616', /more than 2\^64 - 1/], ['ten', /is not a size/], ['', /is not a size/], ['-5MB', /is not a size/],
    ['5XB', /'XB' in '5XB' is not a unit/], ['1.5.3GB', /is not a size/],
  ];
  for (const [text, message] of refused) {
    it(`refuses '${text}' (ERR_INVALID_ARG_VALUE, naming the option)`, () => {
      let error: unknown;
      try { parseByteSize(text, '--size'); } catch (caught) { error = caught; }
      expect(error).to.be.instanceOf(InvalidArgumentError).and.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: '--size' });
      expect((error as Error).message).to.match(message);
    });
  }
});

describe('formatByteSize', () => {
  const cases: Array<[number | bigint, string]> = [
    [0, '0 B'], [1023, '1023 B'], [1024, '1 KiB'], [1536, '1.5 KiB'], [64 * 2 ** 20, '64 MiB'], [64_000_000, '61.04 MiB'],
    [10n << 30n, '10 GiB'], [1_500_000_000_000n, '1.36 TiB'], [(1n << 64n) - 1n, '16 EiB'],
  ];
  for (const [bytes, text] of cases) it(`${bytes} is '${text}'`, () => expect(formatByteSize(bytes)).to.equal(text));

  it('round-trips the binary units it writes', () => {
    for (const bytes of [1024n, 3n << 20n, 5n << 30n, 7n << 40n]) expect(parseByteSize(formatByteSize(bytes).replace(' ', ''))).to.equal(bytes);
  });
});
