// Each boolean attach option and the ATTACH_VIRTUAL_DISK_FLAG it stands for.
import * as sdk from '../../types/constants.ts';

export const FLAG_OPTIONS = [
  ['readOnly', sdk.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY],
  ['noDriveLetter', sdk.ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER],
  ['permanent', sdk.ATTACH_VIRTUAL_DISK_FLAG_PERMANENT_LIFETIME],
  ['noLocalHost', sdk.ATTACH_VIRTUAL_DISK_FLAG_NO_LOCAL_HOST],
  ['noSecurityDescriptor', sdk.ATTACH_VIRTUAL_DISK_FLAG_NO_SECURITY_DESCRIPTOR],
  ['bypassDefaultEncryptionPolicy', sdk.ATTACH_VIRTUAL_DISK_FLAG_BYPASS_DEFAULT_ENCRYPTION_POLICY],
  ['nonPnp', sdk.ATTACH_VIRTUAL_DISK_FLAG_NON_PNP],
  ['singlePartition', sdk.ATTACH_VIRTUAL_DISK_FLAG_SINGLE_PARTITION],
  ['registerVolume', sdk.ATTACH_VIRTUAL_DISK_FLAG_REGISTER_VOLUME],
  ['atBoot', sdk.ATTACH_VIRTUAL_DISK_FLAG_AT_BOOT],
] as const;
