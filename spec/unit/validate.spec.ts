// Every documented rule, both sides: the call a rule lets through and the one it stops.
import { expect } from 'chai';
import {
  checkAttach, checkAttachCall, checkDetach, checkDetachCall, checkOpen, describeOpenedHandle,
  InvalidArgumentError, InvalidParameterError, PreconditionError, type AttachCall, type CheckError, type HandleDescription,
} from '../../lib/index.ts';
import * as sdk from '../../types/constants.ts';

const NEWEST = 26100;

function opened(path: string, options: Parameters<typeof checkOpen>[1] = {}, purpose: 'attach' | 'detach' = 'attach'): HandleDescription {
  const verdict = checkOpen(path, { windowsBuild: NEWEST, ...options }, purpose);
  if (!verdict.ok) throw verdict.error;
  return describeOpenedHandle(verdict.call);
}

const vhdx = () => opened('C:\\images\\data.vhdx');
const iso = () => opened('C:\\images\\win.iso');

/**
 * The refusal, checked for its kind: a documented ERROR_INVALID_PARAMETER cause carries errno 87; any other
 * precondition (ERR_…) or argument error (ERR_INVALID_ARG_…) has no errno.
 */
function rejected(verdict: { ok: boolean; error?: CheckError }, code = 'ERROR_INVALID_PARAMETER'): CheckError {
  expect(verdict.ok, 'the call should be refused').to.equal(false);
  const error = verdict.error!;
  expect(error.code).to.equal(code);
  if (code === 'ERROR_INVALID_PARAMETER') {
    expect(error).to.be.instanceOf(InvalidParameterError);
    expect(error.errno).to.equal(87);
  } else {
    expect(error).to.be.instanceOf(code.startsWith('ERR_INVALID_ARG_') ? InvalidArgumentError : PreconditionError);
    expect(error).not.to.have.property('errno');
  }
  return error;
}
const ARG_TYPE = 'ERR_INVALID_ARG_TYPE';
const ARG_VALUE = 'ERR_INVALID_ARG_VALUE';

const v1 = (Flags: number, extra: Partial<AttachCall> = {}): AttachCall => ({
  Flags, ProviderSpecificFlags: 0, SecurityDescriptor: undefined, Parameters: { Version: 1, u: { Version1: { Reserved: 0 } } }, ...extra,
});

describe('OpenVirtualDisk rules', () => {
  it('makes the path absolute and takes the type from the extension, any case', () => {
    const verdict = checkOpen('C:\\images\\..\\images\\Data.VHDX');
    expect(verdict.ok && verdict.call.Path).to.equal('C:\\images\\Data.VHDX');
    expect(verdict.ok && verdict.call.storageType).to.equal('vhdx');
    for (const [file, type] of [['a.iso', 'iso'], ['a.vhd', 'vhd'], ['a.vhds', 'vhdset']] as const) {
      const other = checkOpen(`C:\\${file}`, { windowsBuild: NEWEST });
      expect(other.ok && other.call.storageType, file).to.equal(type);
    }
  });

  for (const [label, path, code] of [['empty', '', ARG_VALUE], ['NUL-containing', 'C:\\a\0.vhdx', ARG_VALUE], ['non-string', 42, ARG_TYPE], ['null', null, ARG_TYPE]] as const) {
    it(`refuses a ${label} path`, () => {
      expect(rejected(checkOpen(path as unknown as string), code).parameter).to.equal('path');
    });
  }

  it('sends \\\\?\\ paths verbatim, and opens Hyper-V checkpoint files (.avhdx, .avhd)', () => {
    const verbatim = checkOpen('\\\\?\\C:\\images\\..\\a.vhdx.');
    expect(verbatim.ok && verbatim.call.Path).to.equal('\\\\?\\C:\\images\\..\\a.vhdx.');
    const avhdx = checkOpen('C:\\vm\\snap.AVHDX');
    expect(avhdx.ok && avhdx.call.storageType).to.equal('vhdx');
    const avhd = checkOpen('C:\\vm\\snap.avhd');
    expect(avhd.ok && avhd.call.storageType).to.equal('vhd');
  });

  it('refuses an unknown extension unless storageType is given', () => {
    const error = rejected(checkOpen('C:\\images\\data.img'), ARG_VALUE);
    expect(error.parameter).to.equal('storageType');
    expect(error.message).to.contain('.avhdx').and.to.contain("storageType: 'iso'");
    const given = checkOpen('C:\\images\\data.img', { storageType: 'vhd' });
    expect(given.ok && given.call.VirtualStorageType.DeviceId).to.equal(sdk.VIRTUAL_STORAGE_TYPE_DEVICE_VHD);
  });

  it('opens an ISO with version 1 parameters and VIRTUAL_DISK_ACCESS_READ', () => {
    const verdict = checkOpen('C:\\win.iso', { windowsBuild: NEWEST });
    if (!verdict.ok) throw verdict.error;
    expect(verdict.call.VirtualDiskAccessMask).to.equal(sdk.VIRTUAL_DISK_ACCESS_READ);
    expect(verdict.call.Parameters).to.deep.equal({ Version: 1, u: { Version1: { RWDepth: 1 } } });
    expect(verdict.call.VirtualStorageType.DeviceId).to.equal(sdk.VIRTUAL_STORAGE_TYPE_DEVICE_ISO);
  });

  it('opens a VHD/VHDX with version 2 parameters, VIRTUAL_DISK_ACCESS_NONE and readOnly inside', () => {
    for (const readOnly of [false, true]) {
      const verdict = checkOpen('C:\\data.vhdx', { readOnly });
      if (!verdict.ok) throw verdict.error;
      expect(verdict.call.VirtualDiskAccessMask).to.equal(sdk.VIRTUAL_DISK_ACCESS_NONE);
      expect(verdict.call.Parameters.Version).to.equal(2);
      expect(verdict.call.Parameters.Version === 2 && verdict.call.Parameters.u.Version2.ReadOnly).to.equal(readOnly ? 1 : 0);
    }
  });

  it('refuses ISO images before Windows 8 (build 9200), accepts them from there', () => {
    const error = rejected(checkOpen('C:\\win.iso', { windowsBuild: 7601 }), 'ERR_ISO_UNSUPPORTED');
    expect(error.message).to.contain('not supported before Windows 8');
    expect(checkOpen('C:\\win.iso', { windowsBuild: 9200 }).ok).to.equal(true);
    expect(checkOpen('C:\\data.vhdx', { windowsBuild: 7601 }).ok).to.equal(true);
  });

  it('refuses to open an ISO read/write', () => {
    expect(rejected(checkOpen('C:\\win.iso', { readOnly: false, windowsBuild: NEWEST }), 'ERR_ISO_READ_ONLY').parameter).to.equal('readOnly');
  });

  it('refuses unknown options, naming the likely one', () => {
    const error = rejected(checkOpen('C:\\data.vhdx', { readonly: true } as never), ARG_VALUE);
    expect(error.parameter).to.equal('readonly');
    expect(error.message).to.contain("Did you mean 'readOnly'?");
  });

  it('refuses options of the wrong type', () => {
    expect(rejected(checkOpen('C:\\data.vhdx', { readOnly: 'yes' } as never), ARG_TYPE).parameter).to.equal('readOnly');
    expect(rejected(checkOpen('C:\\data.vhdx', { storageType: 'vmdk' } as never), ARG_VALUE).parameter).to.equal('storageType');
    expect(rejected(checkOpen('C:\\data.vhdx', 'readOnly' as never), ARG_TYPE).parameter).to.equal('options');
  });

  it('opens for detach with VIRTUAL_DISK_ACCESS_DETACH for an ISO', () => {
    const verdict = checkOpen('C:\\win.iso', { windowsBuild: NEWEST }, 'detach');
    expect(verdict.ok && verdict.call.VirtualDiskAccessMask).to.equal(sdk.VIRTUAL_DISK_ACCESS_DETACH);
  });
});

describe('AttachVirtualDisk rules', () => {
  it('the handle must come from OpenVirtualDisk', () => {
    const error = rejected({ ok: false, error: checkAttachCall({ ...vhdx(), createdByOpenVirtualDisk: false }, v1(0))! });
    expect(error.parameter).to.equal('VirtualDiskHandle');
    expect(error.rule).to.equal('The VirtualDiskHandle parameter is not a valid handle created by the OpenVirtualDisk function.');
    expect(checkAttachCall(vhdx(), v1(0))).to.equal(undefined);
  });

  it('the handle must still be open', () => {
    expect(rejected(checkAttach({ ...vhdx(), open: false })).message).to.contain('closed');
  });

  it('Flags may hold only documented ATTACH_VIRTUAL_DISK_FLAG bits', () => {
    expect(checkAttachCall(vhdx(), v1(0x7ff & ~sdk.ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE), { windowsBuild: NEWEST })).to.equal(undefined);
    const error = checkAttachCall(vhdx(), v1(0x800), { windowsBuild: NEWEST });
    expect(error?.parameter).to.equal('Flags');
    expect(error?.message).to.contain('0x800');
  });

  it('before NON_PNP (build 18362), Flags larger than 0x020 are refused: the document\'s rule', () => {
    expect(checkAttachCall(vhdx(), v1(0x3f), { windowsBuild: 17763 })).to.equal(undefined);
    const error = checkAttachCall(vhdx(), v1(sdk.ATTACH_VIRTUAL_DISK_FLAG_NON_PNP), { windowsBuild: 17763 });
    expect(error?.rule).to.equal('The Flags parameter is set to a value larger than 0x020.');
    expect(checkAttachCall(vhdx(), v1(sdk.ATTACH_VIRTUAL_DISK_FLAG_NON_PNP), { windowsBuild: 18362 })).to.equal(undefined);
  });

  it('AT_BOOT needs build 22621, and the build can be given', () => {
    expect(rejected(checkAttach(vhdx(), { atBoot: true, windowsBuild: 19045 })).message).to.contain('ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT');
    expect(checkAttach(vhdx(), { atBoot: true, windowsBuild: 22621 }).ok).to.equal(true);
  });

  it('Parameters.Version must be 1, or 2 where the build has it', () => {
    const v2: AttachCall = { ...v1(sdk.ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE), Parameters: { Version: 2, u: { Version2: { RestrictedOffset: 0n, RestrictedLength: 512n } } } };
    expect(checkAttachCall(vhdx(), v2, { windowsBuild: 18362 })).to.equal(undefined);
    expect(checkAttachCall(vhdx(), v2, { windowsBuild: 17763 })?.parameter).to.be.oneOf(['Flags', 'Parameters.Version']);
    const bad = { ...v1(0), Parameters: { Version: 3 } } as unknown as AttachCall;
    expect(checkAttachCall(vhdx(), bad, { windowsBuild: NEWEST })?.parameter).to.equal('Parameters.Version');
    const v2Only: AttachCall = { ...v2, Flags: 0 };
    expect(checkAttachCall(vhdx(), v2Only, { windowsBuild: 17134 })?.rule)
      .to.equal('The Version member of the Parameters parameter is not set to ATTACH_VIRTUAL_DISK_VERSION_1.');
  });

  it('restrictedRange needs version 2 parameters', () => {
    const error = checkAttachCall(vhdx(), v1(sdk.ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE), { windowsBuild: NEWEST });
    expect(error?.parameter).to.equal('Parameters.Version');
    expect(checkAttach(vhdx(), { restrictedRange: { offset: 0n, length: 1n } }, { windowsBuild: NEWEST }).ok).to.equal(true);
  });

  it('a read/write attach needs a handle that can attach read/write', () => {
    const readOnlyHandle = opened('C:\\data.vhdx', { readOnly: true });
    const error = rejected(checkAttach(readOnlyHandle, {}), 'ERR_HANDLE_READ_ONLY');
    expect(error.message).to.contain('VIRTUAL_DISK_ACCESS_ATTACH_RW');
    expect(checkAttach(readOnlyHandle, { readOnly: true }).ok).to.equal(true);
    expect(checkAttach(vhdx(), {}).ok).to.equal(true);
    const v1WithoutRw: HandleDescription = { ...vhdx(), openVersion: 1, access: sdk.VIRTUAL_DISK_ACCESS_ATTACH_RO };
    expect(checkAttach(v1WithoutRw, {}).ok).to.equal(false);
    expect(checkAttach({ ...v1WithoutRw, access: sdk.VIRTUAL_DISK_ACCESS_ATTACH_RW }, {}).ok).to.equal(true);
  });

  it('a read-only attach needs an attach right', () => {
    const detachOnly: HandleDescription = { ...iso(), access: sdk.VIRTUAL_DISK_ACCESS_DETACH };
    expect(rejected(checkAttach(detachOnly, {}), 'ERR_HANDLE_ACCESS').parameter).to.equal('VirtualDiskHandle');
    expect(checkAttach(iso(), {}).ok).to.equal(true);
  });

  it('an ISO attaches read-only only, and read-only by default', () => {
    const byDefault = checkAttach(iso(), {});
    expect(byDefault.ok && byDefault.call.Flags & sdk.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY).to.equal(1);
    const error = rejected(checkAttach(iso(), { readOnly: false }), 'ERR_ISO_READ_ONLY');
    expect(error.rule).to.contain('ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY must be specified');
  });

  it('noSecurityDescriptor with securityDescriptor is a contradiction', () => {
    const error = rejected(checkAttach(vhdx(), { noSecurityDescriptor: true, securityDescriptor: 'D:P(A;;GA;;;WD)' }), 'ERR_CONFLICTING_OPTIONS');
    expect(error.parameter).to.equal('securityDescriptor');
    expect(checkAttach(vhdx(), { noSecurityDescriptor: true }).ok).to.equal(true);
    expect(checkAttach(vhdx(), { securityDescriptor: 'D:P(A;;GA;;;WD)' }).ok).to.equal(true);
  });

  it('ISO handles are refused before Windows 8 at attach too', () => {
    expect(rejected(checkAttach(iso(), { windowsBuild: 7601 }), 'ERR_ISO_UNSUPPORTED').message).to.contain('Windows 8');
  });

  it('option shapes: providerSpecificFlags is a uint32, restrictedRange takes safe integers or bigints in range', () => {
    for (const value of [-1, 2 ** 32, 1.5, Number.NaN]) {
      expect(rejected(checkAttach(vhdx(), { providerSpecificFlags: value }), ARG_VALUE).parameter).to.equal('providerSpecificFlags');
    }
    const numbers = checkAttach(vhdx(), { restrictedRange: { offset: 0, length: 1 } });
    expect(numbers.ok && numbers.call.Parameters).to.deep.equal({ Version: 2, u: { Version2: { RestrictedOffset: 0n, RestrictedLength: 1n } } });
    expect(rejected(checkAttach(vhdx(), { restrictedRange: { offset: 0n, length: 0n } }), ARG_VALUE).parameter).to.equal('restrictedRange.length');
    expect(rejected(checkAttach(vhdx(), { restrictedRange: { offset: -1n, length: 1n } }), ARG_VALUE).parameter).to.equal('restrictedRange.offset');
    expect(rejected(checkAttach(vhdx(), { restrictedRange: { offset: 1n << 63n, length: 1n << 63n } }), ARG_VALUE).parameter).to.equal('restrictedRange.length');
    expect(checkAttach(vhdx(), { restrictedRange: { offset: 1n, length: (1n << 64n) - 2n } }).ok).to.equal(true);
    expect(rejected(checkAttach(vhdx(), { restrictedRange: { offset: 0n, length: null } as never }), ARG_TYPE).parameter).to.equal('restrictedRange.length');
    expect(rejected(checkAttach(vhdx(), { securityDescriptor: '' }), ARG_VALUE).parameter).to.equal('securityDescriptor');
    expect(rejected(checkAttach(vhdx(), { securityDescriptor: 'D:P(A;;GA;;;WD)\0(A;;GA;;;BA)' }), ARG_VALUE).parameter).to.equal('securityDescriptor');
    expect(rejected(checkAttach(vhdx(), { signal: {} as AbortSignal }), ARG_TYPE).parameter).to.equal('signal');
    expect(rejected(checkAttach(vhdx(), { permanant: true } as never), ARG_VALUE).message).to.contain('permanant');
  });

  it('AttachCall arguments are DWORDs: Flags and ProviderSpecificFlags outside 0..2^32-1 are refused, not truncated', () => {
    for (const Flags of [2 ** 32, 2 ** 53, -1, 1.5, Number.NaN, '1', {}, null]) {
      expect(rejected({ ok: false, error: checkAttachCall(vhdx(), v1(Flags as number))! }, ARG_TYPE).parameter).to.equal('Flags');
    }
    for (const ProviderSpecificFlags of [-1, 1.5, Number.NaN, 2 ** 32]) {
      expect(rejected({ ok: false, error: checkAttachCall(vhdx(), v1(0, { ProviderSpecificFlags }))! }, ARG_TYPE).parameter).to.equal('ProviderSpecificFlags');
    }
  });

  it('a build before every flag names no negative bound', () => {
    const error = checkAttachCall(vhdx(), v1(sdk.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY), { windowsBuild: 6000 });
    expect(error?.message).not.to.contain('Infinity');
  });
});

describe('DetachVirtualDisk rules', () => {
  it('the handle must be from OpenVirtualDisk and open', () => {
    expect(rejected(checkDetach({ ...vhdx(), createdByOpenVirtualDisk: false })).parameter).to.equal('VirtualDiskHandle');
    expect(rejected(checkDetach({ ...vhdx(), open: false })).parameter).to.equal('VirtualDiskHandle');
    expect(checkDetach(vhdx()).ok).to.equal(true);
  });

  it('the handle must be opened for detach', () => {
    const attachOnly: HandleDescription = { ...iso(), access: sdk.VIRTUAL_DISK_ACCESS_ATTACH_RO };
    expect(rejected(checkDetach(attachOnly), 'ERR_HANDLE_ACCESS').rule).to.contain('VIRTUAL_DISK_ACCESS_DETACH');
    expect(checkDetach(iso()).ok).to.equal(true); // VIRTUAL_DISK_ACCESS_READ includes DETACH
    expect(checkDetach(opened('C:\\win.iso', {}, 'detach')).ok).to.equal(true);
    expect(checkDetach({ ...vhdx(), getInfoOnly: true }).ok).to.equal(false);
  });

  it('Flags must be DETACH_VIRTUAL_DISK_FLAG_NONE', () => {
    const error = checkDetachCall(vhdx(), { Flags: 1, ProviderSpecificFlags: 0 });
    expect(error?.rule).to.equal('The Flags parameter is set to a value other than DETACH_VIRTUAL_DISK_FLAG_NONE (0).');
    expect(checkDetachCall(vhdx(), { Flags: 0, ProviderSpecificFlags: 0 })).to.equal(undefined);
  });

  it('other handles this process holds on the image must be closed first, and are named', () => {
    const error = rejected(checkDetach(vhdx(), { otherOpenHandles: ['VirtualDisk #4 (attached)', 'VirtualDisk #5 (not attached)'] }), 'ERR_OTHER_HANDLES_OPEN');
    expect(error.message).to.contain('VirtualDisk #4 (attached); VirtualDisk #5 (not attached)');
    expect(error.rule).to.contain('All other open handles to the virtual disk must be closed');
    expect(checkDetach(vhdx(), { otherOpenHandles: [] }).ok).to.equal(true);
  });

  it('ISO handles are refused before Windows 8', () => {
    expect(rejected(checkDetach(iso(), { windowsBuild: 7601 }), 'ERR_ISO_UNSUPPORTED').message).to.contain('Windows 8');
  });
});
