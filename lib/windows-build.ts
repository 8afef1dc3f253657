// Which Windows build first accepts each thing AttachVirtualDisk can be asked for: every attach flag, the
// version 2 attach parameters, and ISO images. One table, BUILD_THRESHOLDS; each row names its evidence.
//
// Evidence, strongest first: a Microsoft reference page or protocol document ('documented'); Microsoft's own
// code or tests ('microsoft-code': go-winio, hcsshim, Dev Home, Windows-classic-samples); other projects'
// code or fixes ('third-party'); the first Windows SDK header that carries the name ('sdk-header'). Where what
// runs contradicts a header or a page, the row follows what runs. `inferred` means no Microsoft page states
// the build: every row but the documented ones.
//
// SDK headers read (um/virtdisk.h): 8.1 (9600) and 10.0.10240 stop at 0x008; 10.0.10586 adds 0x010;
// 10.0.16299 still stops at 0x010; 10.0.17134 adds 0x020; 10.0.17763 stops at 0x020 and has no
// ATTACH_VIRTUAL_DISK_VERSION_2; 10.0.19041 (and every preview SDK from 19546) has 0x040–0x200 and version 2;
// 10.0.22621.0 still has no 0x400. No 10.0.18362 header was found.
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
/** Windows 10 1511. */
export const WINDOWS_10_1511 = 10586;
/** Windows 10 1803. */
export const WINDOWS_10_1803 = 17134;
/** Windows 10 1809, Windows Server 2019 ("RS5"). */
export const WINDOWS_10_1809 = 17763;
/** Windows 10 1903 ("19H1"): the first release after Windows Server 2019. */
export const WINDOWS_10_1903 = 18362;
/** Windows 11 22H2. */
export const WINDOWS_11_22H2 = 22621;

/** How a first build is known, strongest first. */
export type EvidenceKind = 'documented' | 'microsoft-code' | 'third-party' | 'sdk-header';

export interface BuildThreshold {
  /** The SDK name of what needs the build: a flag, ATTACH_VIRTUAL_DISK_VERSION_2, or the ISO storage type. */
  name: string;
  /** The library option (or image kind) that asks for it. */
  option: string;
  /** The first Windows build that accepts it; earlier builds are refused before Windows is called. */
  firstBuild: number;
  /** The strongest kind of evidence the first build rests on. */
  evidence: EvidenceKind;
  /** false: a Microsoft reference page or protocol document states it; true: not documented by Microsoft. */
  inferred: boolean;
  /** Where the first build comes from, short, with a URL or repository@commit path; errors quote it. */
  source: string;
  /** The rest of the evidence found, for and against, with where it is. */
  notes: string;
}

export interface FlagIntroduction extends BuildThreshold {
  flag: number;
}

const LEARN = 'https://learn.microsoft.com/windows/win32/api/virtdisk';
const ATTACH_PAGE = `${LEARN}/nf-virtdisk-attachvirtualdisk`;
const HDR_17763 = 'hughbe/windows-sdk-headers@529d0e5 Include/10.0.17763.0/um/virtdisk.h';
const HDR_19041 = 'ojdkbuild/tools_toolchain_sdk10_19041@dff0034 Include/10.0.19041.0/um/virtdisk.h';
const GO_WINIO_RS5 = 'microsoft/go-winio@83fd176 vhd/vhd.go ("version 2 wasn\'t present in RS5")';

const WINDOWS_7_SOURCE = `AttachVirtualDisk page, minimum Windows 7 (${ATTACH_PAGE})`;
const WINDOWS_7_NOTES =
  `The ATTACH_VIRTUAL_DISK_FLAG page lists it (${LEARN}/ne-virtdisk-attach_virtual_disk_flag); `
  + '[MS-VDS] 2.2.2.20.1.1 lists 0x001-0x008 (https://learn.microsoft.com/openspecs/windows_protocols/ms-vds/32a46f9f-66be-44e8-951f-563368084546); '
  + 'Microsoft\'s sample attaches with READ_ONLY | PERMANENT_LIFETIME and version 1 (microsoft/Windows-classic-samples@d57fb8c '
  + 'Samples/Hyper-V/Storage/cpp/AttachVirtualDisk.cpp); the 8.1 and 10.0.10240 SDK headers stop at 0x008.';

const WITH_VERSION_2_SOURCE = `absent from the SDK 10.0.17763 header (${HDR_17763}), present in 10.0.19041 (${HDR_19041})`;
const WITH_VERSION_2_NOTES =
  'Added to the header together with RESTRICTED_RANGE and ATTACH_VIRTUAL_DISK_VERSION_2, which Microsoft code says '
  + `RS5 (17763) lacks (${GO_WINIO_RS5}). No 10.0.18362 header was found; 18362 is the first release after 17763, `
  + 'and the flag, version and AttachVirtualDisk pages carry the 19H1 tag (MicrosoftDocs/sdk-api@dd64e5c '
  + 'sdk-api-src/content/virtdisk/ne-virtdisk-attach_virtual_disk_flag.md, ms.custom: 19H1). No Microsoft or '
  + 'third-party code passing this flag was found (hcsshim and go-winio only define it).';

const VERSION_2_SOURCE = `absent in RS5 (17763): ${GO_WINIO_RS5}`;
const VERSION_2_NOTES =
  'hcsshim attaches with version 1 below V19H1 (microsoft/hcsshim@aaf5db9 computestorage/format.go, PR #1204) and its '
  + 'device-query tests say "AttachVirtualDiskParameters MUST use `Version : 1` for it work on WS2019" (microsoft/hcsshim@fa11b92 '
  + `internal/windevice/devicequery_test.go); hcsshim uses version 2 on newer hosts (internal/vhdx/info.go, pkg/cimfs). `
  + `Absent from the 17763 SDK header (${HDR_17763}), present in 19041 (${HDR_19041}); no 18362 header found. `
  + `The ATTACH_VIRTUAL_DISK_VERSION page still documents only version 1 (${LEARN}/ne-virtdisk-attach_virtual_disk_version) `
  + 'and the AttachVirtualDisk page still calls any other version invalid: the runtime evidence is followed instead.';

function flag(
  value: number, name: string, option: string, firstBuild: number, evidence: EvidenceKind, source: string, notes: string,
): FlagIntroduction {
  return { flag: value, name, option, firstBuild, evidence, inferred: evidence !== 'documented', source, notes };
}

export const ATTACH_FLAG_INTRODUCTIONS: readonly FlagIntroduction[] = [
  flag(ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY, 'ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY', 'readOnly', WINDOWS_7, 'documented', WINDOWS_7_SOURCE, WINDOWS_7_NOTES),
  flag(ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER, 'ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER', 'noDriveLetter', WINDOWS_7, 'documented', WINDOWS_7_SOURCE, WINDOWS_7_NOTES),
  flag(ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME, 'ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME', 'permanent', WINDOWS_7, 'documented', WINDOWS_7_SOURCE, WINDOWS_7_NOTES),
  flag(ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST, 'ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST', 'noLocalHost', WINDOWS_7, 'documented', WINDOWS_7_SOURCE, WINDOWS_7_NOTES),
  flag(
    ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR, 'ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR', 'noSecurityDescriptor',
    WINDOWS_10_1511, 'sdk-header',
    'first in the SDK 10.0.10586 header (hughbe/windows-sdk-headers@4e54e72 Include/10.0.10586.0/um/virtdisk.h)',
    'Absent from the 8.1 (9600) and 10.0.10240 headers (tpn/winddk-8.1@f6e6e4d Include/um/virtdisk.h, '
    + 'tpn/winsdk-10@9b69fd2 Include/10.0.10240.0/um/virtdisk.h). '
    + 'No documented minimum: the flag page lists it with no text, and the AttachVirtualDisk page\'s "larger than 0x020" '
    + `bound names no build (${ATTACH_PAGE}). No code found that passes it.`,
  ),
  flag(
    ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY, 'ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY',
    'bypassDefaultEncryptionPolicy', WINDOWS_10_1803, 'sdk-header',
    'first in the SDK 10.0.17134 header (hughbe/windows-sdk-headers@529d0e5 Include/10.0.17134.0/um/virtdisk.h)',
    'Absent from 10.0.16299 (tpn/winsdk-10@9b69fd2 Include/10.0.16299.0/um/virtdisk.h). No documented minimum. '
    + 'hcsshim passes it with no build check when expanding a sandbox VHDX (microsoft/hcsshim@dfcacee '
    + 'internal/wclayer/expandscratchsize.go), which says nothing earlier than the hosts hcsshim runs on.',
  ),
  flag(ATTACH_VIRTUAL_DISK_FLAG_NON_PNP, 'ATTACH_VIRTUAL_DISK_FLAG_NON_PNP', 'nonPnp', WINDOWS_10_1903, 'sdk-header', WITH_VERSION_2_SOURCE, WITH_VERSION_2_NOTES),
  flag(
    ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE, 'ATTACH_VIRTUAL_DISK_FLAG_RESTRICTED_RANGE', 'restrictedRange', WINDOWS_10_1903,
    'microsoft-code', `needs ATTACH_VIRTUAL_DISK_VERSION_2 parameters, ${VERSION_2_SOURCE}`, VERSION_2_NOTES,
  ),
  flag(ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION, 'ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION', 'singlePartition', WINDOWS_10_1903, 'sdk-header', WITH_VERSION_2_SOURCE, WITH_VERSION_2_NOTES),
  flag(ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME, 'ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME', 'registerVolume', WINDOWS_10_1903, 'sdk-header', WITH_VERSION_2_SOURCE, WITH_VERSION_2_NOTES),
  flag(
    ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT, 'ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT', 'atBoot', WINDOWS_11_22H2, 'microsoft-code',
    'Dev Home attaches Dev Drives with it, no fallback (microsoft/devhome@741a4ba DevDriveStorageOperator.cs); '
    + 'Dev Drive needs 10.0.22621.2338+ (https://learn.microsoft.com/windows/dev-drive/)',
    'Before 741a4ba Dev Home retried without the flag because builds without it answer E_INVALIDARG (microsoft/devhome PR #345); '
    + 'it now relies on the Dev Drive enablement API instead of a build check. 22621 updates before .2338 may refuse it: '
    + 'the build number alone cannot tell. No SDK header through 10.0.22621.0 has it (T-RN-R/WindowsPreviewSDKs@d44a784 '
    + 'um/virtdisk.h; marlersoft/microsoft_windows_sdk_cpp@16b5359 um/virtdisk.h is 10.0.22000): here the runtime evidence '
    + 'is followed, not the header. StorageDsc (third-party) also tries it first and falls back without it.',
  ),
];

/** ATTACH_VIRTUAL_DISK_VERSION_2 parameters (RestrictedOffset, RestrictedLength): what restrictedRange sends. */
export const ATTACH_VERSION_2: BuildThreshold = {
  name: 'ATTACH_VIRTUAL_DISK_VERSION_2',
  option: 'restrictedRange',
  firstBuild: WINDOWS_10_1903,
  evidence: 'microsoft-code',
  inferred: true,
  source: VERSION_2_SOURCE,
  notes: VERSION_2_NOTES,
};

/** ISO images (VIRTUAL_STORAGE_TYPE_DEVICE_ISO). */
export const ISO_SUPPORT: BuildThreshold = {
  name: 'VIRTUAL_STORAGE_TYPE_DEVICE_ISO',
  option: 'an .iso image',
  firstBuild: WINDOWS_8,
  evidence: 'documented',
  inferred: false,
  source: `AttachVirtualDisk page: "CD and DVD image files (ISO) are not supported before Windows 8 and Windows Server 2012." (${ATTACH_PAGE})`,
  notes: 'The ATTACH_VIRTUAL_DISK_FLAG page says the same of READ_ONLY, NO_DRIVE_LETTER and PERMANENT_LIFETIME on ISO '
    + `images, and the VIRTUAL_STORAGE_TYPE page of VIRTUAL_STORAGE_TYPE_DEVICE_ISO (${LEARN}/ns-virtdisk-virtual_storage_type).`,
};

export const WINDOWS_8_1 = 9600;
export const WINDOWS_10_1507 = 10240;

function documented(name: string, option: string, firstBuild: number, page: string, quote: string, notes: string): BuildThreshold {
  return { name, option, firstBuild, evidence: 'documented', inferred: false, source: `${page}: ${quote} (${LEARN}/${page})`, notes };
}

const SAMPLES = 'microsoft/Windows-classic-samples@d57fb8c Samples/Hyper-V/Storage/cpp';

/** CREATE_VIRTUAL_DISK_VERSION_2 parameters, which createVirtualDisk sends (VHDX, sector sizes, a V2 handle back). */
export const CREATE_VERSION_2 = documented('CREATE_VIRTUAL_DISK_VERSION_2', 'createVirtualDisk', WINDOWS_8, 'ne-virtdisk-create_virtual_disk_version', '"Windows 8 and Windows Server 2012"',
  `Version 2 is what makes VHDX (itself Windows 8+, the VIRTUAL_STORAGE_TYPE page) and 4096-byte sectors; Microsoft's sample creates with it (${SAMPLES}/CreateVirtualDisk.cpp). Dev Home creates Dev Drives the same way (microsoft/devhome@741a4ba DevDriveStorageOperator.cs).`);
/** ResizeVirtualDisk: "Minimum supported client Windows 8". */
export const RESIZE_SUPPORT = documented('ResizeVirtualDisk', 'resize()', WINDOWS_8, 'nf-virtdisk-resizevirtualdisk', 'minimum supported client Windows 8',
  `The SDK header declares it under NTDDI_VERSION >= NTDDI_WIN8 (marlersoft/microsoft_windows_sdk_cpp@16b5359 um/virtdisk.h); the sample: "Only V2 handles can be used to resize a VHD/VHDX" (${SAMPLES}/ResizeVirtualDisk.cpp).`);
/** MERGE_VIRTUAL_DISK_VERSION_2 parameters, which merge() sends. */
export const MERGE_VERSION_2 = documented('MERGE_VIRTUAL_DISK_VERSION_2', 'merge()', WINDOWS_8, 'ne-virtdisk-merge_virtual_disk_version', '"Windows 8 and Windows Server 2012"',
  `Microsoft's sample merges with version 2, which "allows merging of VHDs/VHDXs in use" (${SAMPLES}/MergeVirtualDisk.cpp).`);
/** SET_VIRTUAL_DISK_INFO_PHYSICAL_SECTOR_SIZE, which setPhysicalSectorSize() sends. */
export const SET_PHYSICAL_SECTOR_SIZE = documented('SET_VIRTUAL_DISK_INFO_PHYSICAL_SECTOR_SIZE', 'setPhysicalSectorSize()', WINDOWS_8, 'ne-virtdisk-set_virtual_disk_info_version', '"Windows 8 and Windows Server 2012"',
  `The sample: it "will only succeed on VHDX" (${SAMPLES}/SetVirtualDiskInformation.cpp).`);

/** The GET_VIRTUAL_DISK_INFO versions getInfo() asks for, and the first build of each (GET_VIRTUAL_DISK_INFO_VERSION page). */
export const INFO_VERSION_FIRST_BUILDS: Readonly<Record<number, number>> = {
  1: WINDOWS_7, 2: WINDOWS_7, 3: WINDOWS_7, 4: WINDOWS_7, 5: WINDOWS_7, 6: WINDOWS_7, 7: WINDOWS_7,
  8: WINDOWS_8, 9: WINDOWS_8, 10: WINDOWS_8, 11: WINDOWS_8, 12: WINDOWS_8,
  13: WINDOWS_8_1, 14: WINDOWS_8_1, 15: WINDOWS_10_1507,
};
export const INFO_VERSIONS = documented('GET_VIRTUAL_DISK_INFO 8-15', 'getInfo() fields', WINDOWS_8, 'ne-virtdisk-get_virtual_disk_info_version',
  'versions 8-12 "Windows 8", 13-14 "Windows 8.1", 15 "Windows 10"',
  'getInfo() does not ask a build for a version it lacks, and leaves the field out (INFO_VERSION_FIRST_BUILDS); versions 1-7 are Windows 7.');

/** Every build threshold the rules check, one row each: the attach flags, version 2 parameters, ISO, then the lifecycle. */
export const BUILD_THRESHOLDS: readonly BuildThreshold[] = [
  ...ATTACH_FLAG_INTRODUCTIONS, ATTACH_VERSION_2, ISO_SUPPORT, CREATE_VERSION_2, RESIZE_SUPPORT, MERGE_VERSION_2, SET_PHYSICAL_SECTOR_SIZE, INFO_VERSIONS,
];

/** The first build that accepts ATTACH_VIRTUAL_DISK_VERSION_2 parameters (and so restrictedRange). */
export const ATTACH_VERSION_2_FIRST_BUILD = ATTACH_VERSION_2.firstBuild;
/** "CD and DVD image files (ISO) are not supported before Windows 8 and Windows Server 2012." */
export const ISO_FIRST_BUILD = ISO_SUPPORT.firstBuild;

export const DOCUMENTED_ATTACH_FLAGS = ATTACH_FLAG_INTRODUCTIONS.reduce((all, entry) => all | entry.flag, 0);

/** 'first build 18362 (inferred, microsoft-code: …)': what an error says of a threshold. */
export function describeThreshold(threshold: BuildThreshold): string {
  const how = threshold.inferred ? `inferred, ${threshold.evidence}` : threshold.evidence;
  return `first build ${threshold.firstBuild} (${how}: ${threshold.source})`;
}

/** The running Windows build from os.release() ('10.0.19045' → 19045); undefined off Windows. */
export function currentWindowsBuild(): number | undefined {
  if (process.platform !== 'win32') return undefined;
  const build = Number(os.release().split('.')[2]);
  return Number.isInteger(build) && build > 0 ? build : undefined;
}
