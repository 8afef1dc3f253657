// virtdisk: attach, detach and manage Windows virtual disks from Node.js.
export { attachVirtualDisk, detachVirtualDisk, openVirtualDisk } from './api.ts';
export { compactVirtualDisk, createVirtualDisk, getVirtualDiskInfo } from './lifecycle.ts';
export { VirtualDisk } from './virtual-disk.ts';
export { AbortError, InvalidArgumentError, InvalidParameterError, PreconditionError, VirtualDiskError } from './errors.ts';
export type { CheckError, InvalidParameterDetails, RuleDetails, VirtualDiskErrorDetails } from './errors.ts';
export {
  attachCallFromOptions, checkAttach, checkAttachCall, checkDetach, checkDetachCall, checkHandle, checkOpen,
  describeOpenedHandle,
} from './validate.ts';
export type { AttachCall, CheckContext, DetachCall, HandleDescription, OpenCall, Verdict } from './validate.ts';
export { checkCreate, MINIMUM_SIZE } from './rules/create.ts';
export type { CreateCall } from './rules/create.ts';
export {
  ATTACH_FLAG_INTRODUCTIONS, ATTACH_VERSION_2, ATTACH_VERSION_2_FIRST_BUILD, BUILD_THRESHOLDS, currentWindowsBuild,
  describeThreshold, ISO_FIRST_BUILD, ISO_SUPPORT,
} from './windows-build.ts';
export type { BuildThreshold, EvidenceKind, FlagIntroduction } from './windows-build.ts';
export { hintFor, reasonFor } from './hints.ts';
export type { VirtualDiskErrorReason } from './hints.ts';
export { win32ErrorName, WIN32_ERROR_NAMES } from './win32-errors.ts';
export type {
  AttachOptions, AttachVirtualDiskOptions, ByteCount, CallOptions, CompactOptions, CompactVirtualDiskOptions,
  CreateVirtualDiskOptions, DetachOptions, GetVirtualDiskInfoOptions, InfoOptions, LongOperationOptions, MergeOptions,
  OpenOptions, Progress, ResizeOptions, RestrictedRange, StorageType, VirtualDiskInfo,
} from '../types/index.ts';
export { BYTE_UNITS, formatByteSize, parseByteSize } from './byte-size.ts';
export { DryRun, DryRunDisk } from './dry-run.ts';
export { flagNames } from './native-call.ts';
export type { NativeArgument, NativeCall, NativeLibraryName } from './native-call.ts';
export {
  constantName, encodeAttachVirtualDiskParameters, encodeCompactVirtualDiskParameters, encodeCreateVirtualDiskParameters,
  encodeGetVirtualDiskInfoRequest, encodeMergeVirtualDiskParameters, encodeOpenVirtualDiskParameters,
  encodeResizeVirtualDiskParameters, encodeVirtualStorageType, guidText,
} from './struct-encoding.ts';
export type { EncodedField, EncodedStruct, FieldType } from './struct-encoding.ts';
export { findVirtualDisk, listAttachedVirtualDisks } from './attached.ts';
export type { Holder } from './errors.ts';
export type { AttachedVirtualDisk, FoundVirtualDisk, GetVolumesOptions, ListOptions, Volume } from '../types/volumes.ts';
export { mountVolume, unmountVolume } from './mount-volume.ts';
export type {
  CreatePartitionOptions, DiskLayout, InitializeOptions, Partition, PartitionStyle,
} from '../types/partitions.ts';
export { formatVolume, formatOutcome, FORMAT_REFUSALS } from './format-volume.ts';
export {
  checkFormat, CLUSTER_LIMITS, FAT32_MAX_VOLUME, FAT_LABEL_FORBIDDEN, FILE_SYSTEM_NAMES, LABEL_LIMITS,
} from './rules/format.ts';
export type { FormatCall } from './rules/format.ts';
export type { FormatFailureReason, FormatFileSystem, FormatTarget, FormatVolumeOptions } from '../types/format.ts';
export { DEFAULT_PROVISION_WAIT_MS, provisionVirtualDisk } from './provision.ts';
export type { ProvisionedVirtualDisk } from './provision.ts';
export type { ProvisionOptions, ProvisionProgress, ProvisionStep } from '../types/provision.ts';
