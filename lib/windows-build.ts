// Which Windows build first knows each attach flag. Builds before NON_PNP…AT_BOOT follow the
// AttachVirtualDisk page's rule "Flags … larger than 0x020" is invalid; later builds know more bits.
import os from 'node:os';
import {
  ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT,
  ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY,
  ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER,
  ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST,
  ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR,
  ATTACH_VIRTUAL_DISK_FLAG_NON_PNP,
  ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME,
  ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY,
  ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME,
  ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE,
  ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION,
} from '../types/constants.ts';

export const WINDOWS_7 = 7600;
export const WINDOWS_8 = 9200;
export const WINDOWS_10_1809 = 17763;
export const WINDOWS_11_22H2 = 22621;

export interface FlagIntroduction {
  flag: number;
  name: string;
  firstBuild: number;
  /** false: a document says so; true: inferred from the first SDK header that carries it. */
  inferred: boolean;
  source: string;
}

const AT_LEAST_DOCUMENTED = 'AttachVirtualDisk (minimum Windows 7); [MS-VDS] 2.2.2.20.1.1 lists it';
const BELOW_0X20 = 'AttachVirtualDisk: Flags up to 0x020 are valid; the Windows 7 SDK header stops at 0x008, so Windows 7 itself may refuse it';
const SDK_17763 = 'first in the Windows SDK 10.0.17763 header, with ATTACH_VIRTUAL_DISK_VERSION_2';
const SDK_22621 = 'absent from SDK 10.0.22000; first in SDK 10.0.22621 (Dev Drive)';

export const ATTACH_FLAG_INTRODUCTIONS: readonly FlagIntroduction[] = [
  { flag: ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY, name: 'ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY', firstBuild: WINDOWS_7, inferred: false, source: AT_LEAST_DOCUMENTED },
  { flag: ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, name: 'ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER', firstBuild: WINDOWS_7, inferred: false, source: AT_LEAST_DOCUMENTED },
  { flag: ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME, name: 'ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME', firstBuild: WINDOWS_7, inferred: false, source: AT_LEAST_DOCUMENTED },
  { flag: ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST, name: 'ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST', firstBuild: WINDOWS_7, inferred: false, source: AT_LEAST_DOCUMENTED },
  { flag: ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR, name: 'ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR', firstBuild: WINDOWS_7, inferred: true, source: BELOW_0X20 },
  { flag: ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY, name: 'ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY', firstBuild: WINDOWS_7, inferred: true, source: BELOW_0X20 },
  { flag: ATTACH_VIRTUAL_DISK_FLAG_NON_PNP, name: 'ATTACH_VIRTUAL_DISK_FLAG_NON_PNP', firstBuild: WINDOWS_10_1809, inferred: true, source: SDK_17763 },
  { flag: ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE, name: 'ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE', firstBuild: WINDOWS_10_1809, inferred: true, source: SDK_17763 },
  { flag: ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION, name: 'ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION', firstBuild: WINDOWS_10_1809, inferred: true, source: SDK_17763 },
  { flag: ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME, name: 'ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME', firstBuild: WINDOWS_10_1809, inferred: true, source: SDK_17763 },
  { flag: ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT, name: 'ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT', firstBuild: WINDOWS_11_22H2, inferred: true, source: SDK_22621 },
];

/** ATTACH_VIRTUAL_DISK_VERSION_2 came with RESTRICTED_RANGE (inferred, as above). */
export const ATTACH_VERSION_2_FIRST_BUILD = WINDOWS_10_1809;
/** "CD and DVD image files (ISO) are not supported before Windows 8 and Windows Server 2012." */
export const ISO_FIRST_BUILD = WINDOWS_8;

export const DOCUMENTED_ATTACH_FLAGS = ATTACH_FLAG_INTRODUCTIONS.reduce((all, entry) => all | entry.flag, 0);

/** The running Windows build from os.release() ('10.0.19045' → 19045); undefined off Windows. */
export function currentWindowsBuild(): number | undefined {
  if (process.platform !== 'win32') return undefined;
  const build = Number(os.release().split('.')[2]);
  return Number.isInteger(build) && build > 0 ? build : undefined;
}
