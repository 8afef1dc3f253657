// mountVolume / unmountVolume on the seam: the volume named three ways, the mount point checked first, and
// Windows' own refusal reported with its code.
import { expect } from 'chai';
import { InvalidArgumentError, mountVolume, PreconditionError, unmountVolume, VirtualDiskError } from '../../lib/index.ts';
import { addDisk } from '../helpers/fake-devices.ts';
import { installFakeWindows, nativeCalls, type FakeWindows } from '../helpers/fake-windows.ts';

async function rejection(promise: Promise<unknown>): Promise<VirtualDiskError> {
  return promise.then(() => { throw new Error('expected a rejection'); }, (error: VirtualDiskError) => error);
}

describe('mountVolume and unmountVolume', () => {
  let fake: FakeWindows;
  let volumeName: string;
  beforeEach(() => {
    fake = installFakeWindows();
    volumeName = addDisk(fake.devices, 3, [['Q:\\']])[0]!.name;
  });
  afterEach(() => fake.restore());

  for (const [how, name] of [['a Volume', () => ({ name: volumeName, mountPoints: ['Q:\\'], diskNumber: 3 })], ['its GUID path', () => volumeName],
    ['its GUID path without the backslash', () => volumeName.slice(0, -1)], ['a mount point it has', () => 'q:']] as const) {
    it(`mounts ${how} at a free drive letter (SetVolumeMountPointW with the GUID path and 'Z:\\')`, async () => {
      await mountVolume(name() as never, 'z:');
      expect(fake.devices.mountPointsSet).to.deep.equal([{ mountPoint: 'Z:\\', volume: volumeName }]);
    });
  }

  it('a drive letter in use is refused before SetVolumeMountPointW (ERR_MOUNT_POINT_IN_USE)', async () => {
    fake.devices.drivesInUse = 1 << 25; // Z:
    const error = await rejection(mountVolume(volumeName, 'Z:'));
    expect(error).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_MOUNT_POINT_IN_USE' });
    expect(fake.fn.SetVolumeMountPointW!.callCount).to.equal(0);
  });

  it('a mount point with no volume is ERR_NOT_A_VOLUME; a volume that is neither is an InvalidArgumentError', async () => {
    expect(await rejection(mountVolume('R:', 'Z:'))).to.be.instanceOf(PreconditionError).and.include({ code: 'ERR_NOT_A_VOLUME' });
    expect(await rejection(mountVolume('\\\\server\\share', 'Z:'))).to.be.instanceOf(InvalidArgumentError);
    expect(await rejection(mountVolume(volumeName, '\\\\server\\share'))).to.be.instanceOf(InvalidArgumentError).and.include({ parameter: 'mountPoint' });
    expect(fake.fn.SetVolumeMountPointW!.callCount).to.equal(0);
  });

  it("Windows' refusal comes with its code and hint (ERROR_ACCESS_DENIED: elevation)", async () => {
    fake.devices.setMountPointError = 5;
    const error = await rejection(mountVolume(volumeName, 'Z:'));
    expect(error).to.include({ code: 'ERROR_ACCESS_DENIED', errno: 5, syscall: 'SetVolumeMountPointW', path: 'Z:\\' });
    expect(error.hint).to.contain('elevated');
  });

  it('unmountVolume removes the mount point (DeleteVolumeMountPointW with the normalised name); the volume stays', async () => {
    await unmountVolume('q:');
    expect(fake.devices.mountPointsDeleted).to.deep.equal(['Q:\\']);
    expect(nativeCalls(fake)).to.include('DeleteVolumeMountPointW');
    expect(fake.devices.volumes.find((v) => v.name === volumeName)?.mountPoints).to.deep.equal([]);
  });
});
