// Every build threshold, both sides: the build before it is refused before Windows is called, with an error
// naming the caller's build, the first build that accepts the option and where that build comes from; the
// first build itself is accepted. Through the public pure functions only.
import { expect } from 'chai';
import {
  ATTACH_FLAG_INTRODUCTIONS, ATTACH_VERSION_2_FIRST_BUILD, checkAttach, checkAttachCall, checkOpen,
  describeOpenedHandle, ISO_FIRST_BUILD, type AttachCall, type HandleDescription,
} from '../../lib/index.ts';
import type { AttachOptions } from '../../types/index.ts';
import * as sdk from '../../types/constants.ts';
import {
  ATTACH_VERSION_2, BUILD_THRESHOLDS, ISO_SUPPORT, type BuildThreshold,
} from '../../lib/windows-build.ts';

const NEWEST = 26100;

function opened(path: string): HandleDescription {
  const verdict = checkOpen(path, { windowsBuild: NEWEST });
  if (!verdict.ok) throw verdict.error;
  return describeOpenedHandle(verdict.call);
}

const vhdx = () => opened('C:\\vm\\a.vhdx');
const iso = () => opened('C:\\vm\\a.iso');

function refusedMessage(verdict: { ok: boolean; error?: Error }): string {
  expect(verdict.ok, 'refused before Windows is called').to.equal(false);
  expect(verdict.error).to.be.instanceOf(Error);
  return verdict.error!.message;
}

/** The caller's build, the first build, and the row's source, all in the message. */
function expectNamesThreshold(message: string, callerBuild: number, row: BuildThreshold): void {
  expect(message).to.contain(`Windows build ${callerBuild} `);
  expect(message).to.contain(`first build ${row.firstBuild}`);
  expect(message).to.contain(row.source);
  expect(message).to.contain(row.name);
}

// The option that asks for each flag, written out here so the table cannot leave one out unnoticed.
const OPTION_FOR_FLAG: Record<string, AttachOptions> = {
  ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY: { readOnly: true },
  ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER: { noDriveLetter: true },
  ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME: { permanent: true },
  ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST: { noLocalHost: true },
  ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR: { noSecurityDescriptor: true },
  ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY: { bypassDefaultEncryptionPolicy: true },
  ATTACH_VIRTUAL_DISK_FLAG_NON_PNP: { nonPnp: true },
  ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE: { restrictedRange: { offset: 0n, length: 1048576n } },
  ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION: { singlePartition: true },
  ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME: { registerVolume: true },
  ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT: { atBoot: true },
};

describe('Windows build thresholds: the table', () => {
  it('has one row per attach flag 0x001..0x400, then ATTACH_VIRTUAL_DISK_VERSION_2, then ISO', () => {
    expect(ATTACH_FLAG_INTRODUCTIONS.map((row) => row.flag)).to.deep.equal([0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100, 0x200, 0x400]);
    expect(ATTACH_FLAG_INTRODUCTIONS.map((row) => row.name)).to.have.members(Object.keys(OPTION_FOR_FLAG));
    for (const row of ATTACH_FLAG_INTRODUCTIONS) expect(row.flag, row.name).to.equal((sdk as Record<string, unknown>)[row.name]);
    expect(BUILD_THRESHOLDS.slice(0, ATTACH_FLAG_INTRODUCTIONS.length + 2)).to.deep.equal([...ATTACH_FLAG_INTRODUCTIONS, ATTACH_VERSION_2, ISO_SUPPORT]);
    expect(ATTACH_VERSION_2_FIRST_BUILD).to.equal(ATTACH_VERSION_2.firstBuild);
    expect(ISO_FIRST_BUILD).to.equal(ISO_SUPPORT.firstBuild);
  });

  for (const row of BUILD_THRESHOLDS) {
    it(`${row.name}: evidence kind, inferred and source agree`, () => {
      expect(['documented', 'microsoft-code', 'third-party', 'sdk-header']).to.include(row.evidence);
      expect(row.inferred, 'inferred = not documented by a Microsoft page').to.equal(row.evidence !== 'documented');
      expect(row.source, 'a URL or a repository@commit').to.match(/https:\/\/|[\w.-]+\/[\w.-]+@[0-9a-f]{7}/);
      expect(row.firstBuild).to.be.a('number').and.to.be.greaterThan(0);
      expect(row.notes, 'the rest of the evidence').to.be.a('string').and.not.to.equal('');
    });
  }

  it('holds the builds the evidence supports', () => {
    const firstBuilds = Object.fromEntries(BUILD_THRESHOLDS.map((row) => [row.name, row.firstBuild]));
    expect(firstBuilds).to.deep.equal({
      ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY: 7600,
      ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER: 7600,
      ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME: 7600,
      ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST: 7600,
      ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR: 10586,
      ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY: 17134,
      ATTACH_VIRTUAL_DISK_FLAG_NON_PNP: 18362,
      ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE: 18362,
      ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION: 18362,
      ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME: 18362,
      ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT: 22621,
      ATTACH_VIRTUAL_DISK_VERSION_2: 18362,
      VIRTUAL_STORAGE_TYPE_DEVICE_ISO: 9200,
      CREATE_VIRTUAL_DISK_VERSION_2: 9200,
      ResizeVirtualDisk: 9200,
      MERGE_VIRTUAL_DISK_VERSION_2: 9200,
      SET_VIRTUAL_DISK_INFO_PHYSICAL_SECTOR_SIZE: 9200,
      'GET_VIRTUAL_DISK_INFO 8-15': 9200,
    });
  });
});

describe('Windows build thresholds: each attach flag', () => {
  for (const row of ATTACH_FLAG_INTRODUCTIONS) {
    const options = OPTION_FOR_FLAG[row.name]!;
    const before = row.firstBuild - 1;

    it(`${row.name}: refused on build ${before}, naming the build, build ${row.firstBuild} and the source`, () => {
      const verdict = checkAttach(vhdx(), options, { windowsBuild: before });
      const message = refusedMessage(verdict);
      expectNamesThreshold(message, before, row);
      expect(message).to.contain(`0x${row.flag.toString(16)}`);
      expect(message).not.to.match(/Infinity|NaN|undefined/);
    });

    it(`${row.name}: accepted on build ${row.firstBuild}`, () => {
      const verdict = checkAttach(vhdx(), options, { windowsBuild: row.firstBuild });
      if (!verdict.ok) throw verdict.error;
      expect(verdict.call.Flags & row.flag).to.equal(row.flag);
    });
  }
});

describe('Windows build thresholds: restrictedRange and ATTACH_VIRTUAL_DISK_VERSION_2', () => {
  const range = { restrictedRange: { offset: 0n, length: 1048576n } };
  const rangeRow = ATTACH_FLAG_INTRODUCTIONS.find((row) => row.flag === sdk.ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE)!;

  it('issue 12: build 17763 (Windows Server 2019) refuses restrictedRange before Windows, naming rule and source', () => {
    const verdict = checkAttach(describeOpenedHandle((checkOpen('C:\\vm\\a.vhdx') as { ok: true; call: Parameters<typeof describeOpenedHandle>[0] }).call), range, { windowsBuild: 17763 });
    const message = refusedMessage(verdict);
    expectNamesThreshold(message, 17763, rangeRow);
    expect(message).to.contain('first build 18362');
    expect(message).to.contain('microsoft/go-winio@83fd176');
    expect(message).to.contain('The rule: "The Flags parameter is set to a value larger than 0x020."');
  });

  it('build 18362 accepts restrictedRange, sent as version 2 parameters', () => {
    const verdict = checkAttach(vhdx(), range, { windowsBuild: 18362 });
    if (!verdict.ok) throw verdict.error;
    expect(verdict.call.Parameters).to.deep.equal({ Version: 2, u: { Version2: { RestrictedOffset: 0n, RestrictedLength: 1048576n } } });
  });

  it('a plain attach is still sent as version 1 parameters, on 17763 and before', () => {
    for (const build of [7600, 17763]) {
      const verdict = checkAttach(vhdx(), {}, { windowsBuild: build });
      if (!verdict.ok) throw verdict.error;
      expect(verdict.call.Parameters.Version, `build ${build}`).to.equal(1);
    }
  });

  const v2 = (Flags: number): AttachCall => ({
    Flags, ProviderSpecificFlags: 0, SecurityDescriptor: undefined,
    Parameters: { Version: 2, u: { Version2: { RestrictedOffset: 0n, RestrictedLength: 512n } } },
  });

  it(`ATTACH_VIRTUAL_DISK_VERSION_2 parameters: refused on build ${ATTACH_VERSION_2.firstBuild - 1}, naming the build, first build and source`, () => {
    const before = ATTACH_VERSION_2.firstBuild - 1;
    const error = checkAttachCall(vhdx(), v2(0), { windowsBuild: before });
    expect(error, 'refused').to.be.instanceOf(Error);
    expectNamesThreshold(error!.message, before, ATTACH_VERSION_2);
    expect((error as { parameter?: string }).parameter).to.equal('Parameters.Version');
  });

  it(`ATTACH_VIRTUAL_DISK_VERSION_2 parameters: accepted on build ${ATTACH_VERSION_2.firstBuild}`, () => {
    expect(checkAttachCall(vhdx(), v2(sdk.ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE), { windowsBuild: ATTACH_VERSION_2.firstBuild })).to.equal(undefined);
  });
});

describe('Windows build thresholds: ISO images', () => {
  const before = ISO_SUPPORT.firstBuild - 1;
  const documentedSentence = /"(.+)"/.exec(ISO_SUPPORT.source)![1]!;

  it(`refused on build ${before} at open and at attach, naming the build, Windows 8 and the documented sentence`, () => {
    const atOpen = refusedMessage(checkOpen('C:\\vm\\a.iso', { windowsBuild: before }));
    const atAttach = refusedMessage(checkAttach(iso(), {}, { windowsBuild: before }));
    for (const message of [atOpen, atAttach]) {
      expect(message).to.contain(`Windows build ${before};`);
      expect(message).to.contain('Windows 8');
      expect(message).to.contain(documentedSentence);
    }
  });

  it(`accepted on build ${ISO_SUPPORT.firstBuild}, read-only by default`, () => {
    expect(checkOpen('C:\\vm\\a.iso', { windowsBuild: ISO_SUPPORT.firstBuild }).ok).to.equal(true);
    const verdict = checkAttach(iso(), {}, { windowsBuild: ISO_SUPPORT.firstBuild });
    if (!verdict.ok) throw verdict.error;
    expect(verdict.call.Flags & sdk.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY).to.equal(sdk.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY);
  });
});

describe('Windows build thresholds: builds before Windows 7', () => {
  it('a flag on build 6000 is refused with a sensible message, not "larger than 0x-Infinity"', () => {
    const message = refusedMessage(checkAttach(vhdx(), { readOnly: true }, { windowsBuild: 6000 }));
    expect(message).not.to.contain('Infinity');
    expect(message).to.contain('Windows build 6000 ');
    expect(message).to.contain('first build 7600');
  });

  it('several unknown flags are each named with their first build', () => {
    const message = refusedMessage(checkAttach(vhdx(), { nonPnp: true, atBoot: true }, { windowsBuild: 17763 }));
    expect(message).to.contain('ATTACH_VIRTUAL_DISK_FLAG_NON_PNP (0x40; first build 18362');
    expect(message).to.contain('ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT (0x400; first build 22621');
  });
});

describe('Windows build thresholds: the lifecycle rows', () => {
  // Pure: the rules of lib/rules (what the promise API checks before Windows), on a version 2 handle.
  it('each row: the build before is refused (errno 87, naming the build, the first build and the source), the first build accepted', async () => {
    const { operationRules } = await import('../../lib/rules/operations.ts');
    const { checkCreate, describeOpenedHandle: describe, checkOpen: open } = await import('../../lib/index.ts');
    const { CREATE_VERSION_2, MERGE_VERSION_2, RESIZE_SUPPORT, SET_PHYSICAL_SECTOR_SIZE } = await import('../../lib/windows-build.ts');
    const opened = open('C:\\vm\\a.vhdx');
    if (!opened.ok) throw opened.error;
    const handle = describe(opened.call);
    const idle = { attached: false, attachedReadOnly: false };
    const rows = [
      [RESIZE_SUPPORT, (build: number) => operationRules('resize', handle, idle, build)],
      [MERGE_VERSION_2, (build: number) => operationRules('merge', handle, idle, build)],
      [SET_PHYSICAL_SECTOR_SIZE, (build: number) => operationRules('setPhysicalSectorSize', handle, idle, build)],
      [CREATE_VERSION_2, (build: number) => { const verdict = checkCreate('C:\\vm\\n.vhdx', { size: 1 << 30, windowsBuild: build }); return verdict.ok ? undefined : verdict.error; }],
    ] as const;
    for (const [row, check] of rows) {
      const refused = check(row.firstBuild - 1);
      expect(refused, row.name).to.include({ code: 'ERROR_INVALID_PARAMETER', errno: 87 });
      expect(refused!.message, row.name).to.contain(`build ${row.firstBuild - 1}`).and.to.contain(`first build ${row.firstBuild}`).and.to.contain(row.source.slice(0, 40));
      expect(check(row.firstBuild), row.name).to.equal(undefined);
    }
  });

  it('GET_VIRTUAL_DISK_INFO: each version has its first build; getInfo() does not ask a build for a version it lacks', async () => {
    const { INFO_VERSION_FIRST_BUILDS } = await import('../../lib/windows-build.ts');
    expect(INFO_VERSION_FIRST_BUILDS).to.deep.include({ 7: 7600, 8: 9200, 12: 9200, 13: 9600, 14: 9600, 15: 10240 });
  });
});
