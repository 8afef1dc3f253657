// provisionVirtualDisk's checks before anything is made, on the seam: each bad option is refused with its
// error, and no Windows function is called (no file, no attach). The pipeline itself runs on the Wine tier
// (spec/windows/provision.spec.ts), where the disk and format test doubles answer.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { InvalidArgumentError, InvalidParameterError, PreconditionError, provisionVirtualDisk, VirtualDiskError } from '../../lib/index.ts';
import { installFakeWindows, nativeCalls, type FakeWindows } from '../helpers/fake-windows.ts';

const BUILD = 26100;
const SIZE = 64 * 1024 * 1024;

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, 'should reject').to.be.instanceOf(Error);
  return error as VirtualDiskError;
}

describe('provisionVirtualDisk: refused before anything is made', () => {
  let fake: FakeWindows;
  let dir: string;
  beforeEach(() => {
    fake = installFakeWindows();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'provision-'));
  });
  afterEach(() => {
    fake.restore();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, Record<string, unknown>, (error: VirtualDiskError) => void]> = [
    ['no size for a new image', {}, (e) => expect(e).to.be.instanceOf(InvalidArgumentError).and.include({ parameter: 'size' })],
    ['an unknown option', { size: SIZE, fileSytem: 'ntfs' }, (e) => expect(e).to.be.instanceOf(InvalidArgumentError).and.include({ parameter: 'fileSytem' })],
    ['a file system it does not know', { size: SIZE, fileSystem: 'ext4' }, (e) => expect(e).to.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: 'fileSystem' })],
    ['a size under 3 MiB (CreateVirtualDisk\'s rule)', { size: 1024 * 1024 }, (e) => expect(e).to.be.instanceOf(InvalidParameterError)],
    ['devDrive (no public interface)', { size: SIZE, devDrive: true }, (e) => expect(e).to.include({ code: 'ERR_DEV_DRIVE_UNSUPPORTED', reason: 'FILE_SYSTEM_UNAVAILABLE' })],
    ['a FAT32 label over 11 characters', { size: SIZE, fileSystem: 'fat32', label: 'TWELVE CHARS' }, (e) => expect(e).to.include({ code: 'ERR_INVALID_LABEL' })],
    ['FAT32 on a 40 GiB disk', { size: 40 * 2 ** 30, fileSystem: 'fat32' }, (e) => expect(e).to.include({ code: 'ERR_VOLUME_TOO_BIG' })],
    ['a cluster size that is no power of two', { size: SIZE, clusterSize: 3000 }, (e) => expect(e).to.include({ code: 'ERR_INVALID_CLUSTER_SIZE' })],
    ['atBoot before build 22621', { size: SIZE, atBoot: true, windowsBuild: 22000 }, (e) => expect(e).to.be.instanceOf(InvalidParameterError)],
    ['sizes with existing: true', { existing: true, size: SIZE }, (e) => expect(e).to.include({ code: 'ERR_INVALID_ARG_VALUE', parameter: 'size' })],
    ['a partition style it does not know', { size: SIZE, partitionStyle: 'apm' }, (e) => expect(e).to.include({ parameter: 'partitionStyle' })],
  ];
  for (const [name, options, check] of cases) {
    it(`${name}: refused, and nothing native is called`, async () => {
      const error = await rejection(provisionVirtualDisk(path.join(dir, 'new.vhdx'), { windowsBuild: BUILD, ...options } as never));
      check(error);
      expect(nativeCalls(fake)).to.deep.equal([]);
      expect(fs.existsSync(path.join(dir, 'new.vhdx'))).to.equal(false);
    });
  }

  it('an existing file without existing: true is ERROR_FILE_EXISTS (80), and it is left alone', async () => {
    const image = path.join(dir, 'there.vhdx');
    fs.writeFileSync(image, 'not mine');
    const error = await rejection(provisionVirtualDisk(image, { size: SIZE, windowsBuild: BUILD }));
    expect(error).to.include({ code: 'ERROR_FILE_EXISTS', errno: 80 });
    expect(error.hint).to.contain('existing: true');
    expect(fs.readFileSync(image, 'utf8')).to.equal('not mine');
    expect(nativeCalls(fake)).to.deep.equal([]);
  });

  it('existing: true on a missing file is ERR_IMAGE_NOT_FOUND; an ISO is refused', async () => {
    expect(await rejection(provisionVirtualDisk(path.join(dir, 'gone.vhdx'), { existing: true, windowsBuild: BUILD })))
      .to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_IMAGE_NOT_FOUND' });
    expect(await rejection(provisionVirtualDisk(path.join(dir, 'new.iso'), { size: SIZE, windowsBuild: BUILD }))).to.include({ code: 'ERR_ISO_UNSUPPORTED' });
    fs.writeFileSync(path.join(dir, 'old.iso'), '');
    expect(await rejection(provisionVirtualDisk(path.join(dir, 'old.iso'), { existing: true, windowsBuild: BUILD }))).to.include({ code: 'ERR_ISO_UNSUPPORTED' });
    expect(nativeCalls(fake)).to.deep.equal([]);
  });
});
