// From a path to a formatted, mounted drive in one call, with Microsoft Dev Home's native recipe and no
// PowerShell, diskpart or Hyper-V: CreateVirtualDisk → AttachVirtualDisk → GetVirtualDiskPhysicalPath →
// IOCTL_DISK_CREATE_DISK → IOCTL_DISK_SET_DRIVE_LAYOUT_EX (1 MiB aligned) → IOCTL_DISK_ARE_VOLUMES_READY →
// the volume by disk number → FormatEx → the mount point. All or nothing: a step that fails (or a cancel)
// undoes every step before it, in reverse (mount point, attach, the file it created), and the provision
// rejects with that step's error.
import { rm, stat } from 'node:fs/promises';
import type { ProvisionOptions, ProvisionProgress, ProvisionStep } from '../types/provision.ts';
import type { Volume } from '../types/volumes.ts';
import { OPEN_VIRTUAL_DISK_VERSION_2, VIRTUAL_DISK_ACCESS_NONE } from '../types/constants.ts';
import { openVirtualDisk } from './api.ts';
import { deviceOfPhysicalPath } from './device-io.ts';
import { deleteDriveLayout, describePartition, waitForVolumesReady } from './disk-layout.ts';
import type { DiskLayout } from '../types/partitions.ts';
import { InvalidArgumentError, PreconditionError, VirtualDiskError } from './errors.ts';
import { formatVolume } from './format-volume.ts';
import { checkFormat, type FormatCall } from './rules/format.ts';
import type { FormatVolumeOptions } from '../types/format.ts';
import { MiB } from './partition-table.ts';
import { imageIdentity } from './image-identity.ts';
import { createVirtualDisk } from './lifecycle.ts';
import { checkMountPoint, removeMountPoint } from './mount-point.ts';
import { mountVolume } from './mount-volume.ts';
import { PROVISION_OPTION_KINDS, snapshotOptions, snapshotPath, withoutUndefined, type OptionsSnapshot } from './options.ts';
import { checkAttach } from './rules/attach.ts';
import { readCreateRequest } from './rules/create.ts';
import { storageTypeFromPath } from './storage-type.ts';
import type { VirtualDisk } from './virtual-disk.ts';
import { windows } from './native.ts';
import { callListener } from './progress.ts';
import { mountPointsOf, waitForVolumes } from './volumes.ts';

const SYSCALL = 'provisionVirtualDisk';
/** How long the new volume may take to arrive when `wait` is not given, ms. */
export const DEFAULT_PROVISION_WAIT_MS = 30_000;

export interface ProvisionedVirtualDisk {
  /** The attached disk (close() it when done: a permanent attach stays, a temporary one ends with it). */
  disk: VirtualDisk;
  /** The new, formatted volume. */
  volume: Volume;
  /** Its drive letters and mounted folders ('Q:\'), as Windows lists them once the provision is done. */
  mountPoints: string[];
}

export type ProvisionSnapshot = OptionsSnapshot<typeof PROVISION_OPTION_KINDS>;

/**
 * Creates (or, with `existing: true`, opens) an image, attaches it (permanent by default), initializes it
 * (GPT by default), makes one partition of all its space, formats it (NTFS by default, quick) and mounts it
 * (the drive letter Windows gives, or `mountPoint`). Resolves with the attached disk, the volume and its
 * mount points. See ProvisionOptions.
 *
 * Checked before anything is made (so a bad option leaves nothing behind): every option (InvalidArgumentError),
 * createVirtualDisk's rules (size, block and sector sizes, the file must not exist: ERROR_FILE_EXISTS), the
 * attach flags against the Windows build (atBoot: 22621), formatVolume's rules (label, cluster size, the file
 * system against the edition and build: reason 'FILE_SYSTEM_UNAVAILABLE'), and the mount point.
 * Then each step rejects with its own error: CreateVirtualDisk's, AttachVirtualDisk's, the disk IOCTLs'
 * (`syscall` 'IOCTL_DISK_CREATE_DISK', …: ERROR_ACCESS_DENIED when not elevated, reason 'NOT_ELEVATED'),
 * ERR_DISK_NOT_RAW for an existing image that has a partition table, ERR_NO_VOLUME (reason 'NO_VOLUME') when
 * no volume arrives within `wait` ms, FormatEx's (code ERR_FORMAT_FAILED with a reason), SetVolumeMountPointW's,
 * or an AbortError when `signal` aborts. Whatever fails, what was done is undone first.
 */
export async function provisionVirtualDisk(path: string, options: ProvisionOptions): Promise<ProvisionedVirtualDisk> {
  const plan = await readProvision(path, options);
  const { snapshot } = plan;
  const { signal } = snapshot;
  const undo: Array<() => Promise<void>> = [];
  const progress = stepReporter(snapshot);
  try {
    let opened: VirtualDisk;
    if (plan.create) {
      progress('create', 0);
      opened = await createVirtualDisk(plan.imagePath, { ...plan.create, signal, onProgress: (p) => progress('create', p.percent) });
      const identity = await imageIdentity(plan.imagePath);
      undo.push(async () => {
        if ((await imageIdentity(plan.imagePath).catch(() => undefined)) === identity) await rm(plan.imagePath, { force: true });
      });
    } else {
      opened = await openVirtualDisk(plan.imagePath, { signal, ...(snapshot.storageType ? { storageType: snapshot.storageType } : {}) });
    }
    undo.push(() => opened.close());
    if (plan.create) progress('create', 100);

    progress('attach', 0);
    await opened.attach({ signal, permanent: plan.permanent, atBoot: snapshot.atBoot, noDriveLetter: snapshot.noDriveLetter, windowsBuild: snapshot.windowsBuild });
    undo.push(() => opened.detach());
    progress('attach', 100);

    progress('initialize', 0);
    if (!plan.create) {
      const layout = await opened.getLayout({ signal });
      if (layout.style !== 'raw') throw notRaw(plan.imagePath, layout);
    }
    await opened.initialize({ signal, partitionStyle: plan.partitionStyle });
    if (!plan.create) {
      // An existing image was RAW (initialize refuses anything else): it is left RAW again, not half provisioned.
      undo.push(async () => deleteDriveLayout({ imagePath: plan.imagePath, physicalPath: await opened.getPhysicalPath(), signal: undefined }));
    }
    progress('initialize', 100);

    progress('partition', 0);
    const partition = await opened.createPartition({ signal, type: plan.partitionType });
    progress('partition', 100);

    progress('volume', 0);
    const physicalPath = await opened.getPhysicalPath({ signal });
    const volume = await newVolume(plan, physicalPath, partition.number, signal);
    progress('volume', 100);

    progress('format', 0);
    await formatVolume(volume, { ...plan.format, signal, onProgress: (p: { percent: number }) => progress('format', p.percent) });
    progress('format', 100);

    let mountPoints = await mountPointsNow(volume, signal);
    if (snapshot.mountPoint !== undefined) {
      progress('mount', 0);
      // Automount may have given the new volume a letter meanwhile: the volume goes where it was asked to only.
      for (const point of mountPoints) await removeMountPoint(point);
      await mountVolume(volume, snapshot.mountPoint, { signal });
      undo.push(() => removeMountPoint(snapshot.mountPoint!));
      mountPoints = await mountPointsNow(volume, signal);
      progress('mount', 100);
    }
    return { disk: opened, volume: { ...volume, mountPoints }, mountPoints };
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => {});
    throw error;
  }
}

export interface ProvisionPlan {
  snapshot: ProvisionSnapshot;
  imagePath: string;
  /** createVirtualDisk's options; undefined for an existing image. */
  create: Parameters<typeof createVirtualDisk>[1] | undefined;
  permanent: boolean;
  partitionStyle: 'gpt' | 'mbr';
  partitionType: string;
  format: FormatVolumeOptions;
  /** FormatEx's arguments, as checkFormat made them from `format`. */
  formatCall: FormatCall;
  wait: number;
}

/** Every option read once and checked, then what the machine says (the file, the mount point), before anything native runs. */
async function readProvision(path: string, options: ProvisionOptions): Promise<ProvisionPlan> {
  const plan = readProvisionPlan(path, options);
  const { imagePath, snapshot } = plan;
  const isFile = await stat(imagePath).then((s) => s.isFile(), () => undefined);
  if (snapshot.existing && !isFile) {
    throw new PreconditionError('ERR_IMAGE_NOT_FOUND', {
      syscall: SYSCALL, parameter: 'existing', path: imagePath, problem: `'${imagePath}' is not an existing file.`,
      rule: 'existing: true provisions an image that exists.', fix: 'Create it first, or leave existing out to have provisionVirtualDisk create it.',
    });
  }
  if (!snapshot.existing && isFile !== undefined) {
    throw new VirtualDiskError(`${SYSCALL} '${imagePath}': the file exists. (ERROR_FILE_EXISTS, 80)`, {
      code: 'ERROR_FILE_EXISTS', errno: 80, syscall: 'CreateVirtualDisk', path: imagePath,
      hint: 'provisionVirtualDisk makes a new image: pick another path, delete the old one, or pass existing: true to provision the image that is there (a RAW disk only).',
    });
  }
  if (snapshot.mountPoint !== undefined) {
    const refusal = await checkMountPoint(snapshot.mountPoint, imagePath);
    if (refusal) throw refusal;
  }
  return plan;
}

/**
 * provisionVirtualDisk's checks that need nothing from the machine (the options, createVirtualDisk's rules, the
 * attach flags against the build, formatVolume's rules): the plan, or the error. Pure and synchronous: the dry
 * run (lib/dry-run.ts) uses it too.
 */
export function readProvisionPlan(path: string, options: ProvisionOptions): ProvisionPlan {
  const pathRead = snapshotPath(SYSCALL, path);
  if (!pathRead.ok) throw pathRead.error;
  const read = snapshotOptions(SYSCALL, options, PROVISION_OPTION_KINDS, pathRead.value);
  if (!read.ok) throw read.error;
  const snapshot = read.value;
  const imagePath = pathRead.value;
  const refuse = (parameter: string, problem: string, expected: string, fix: string): never => {
    throw new InvalidArgumentError('ERR_INVALID_ARG_VALUE', { syscall: SYSCALL, parameter, path: imagePath, problem, expected, fix });
  };

  const storageType = snapshot.storageType ?? storageTypeFromPath(imagePath);
  if (storageType === 'iso') {
    throw new PreconditionError('ERR_ISO_UNSUPPORTED', {
      syscall: SYSCALL, parameter: 'path', path: imagePath, problem: `'${imagePath}' is an ISO image, which attaches as a read-only CD-ROM.`,
      rule: 'Provisioning writes a partition table and a file system: VHD, VHDX or VHD Set images only.', fix: 'Use a .vhdx (or .vhd) path.',
    });
  }
  let create: ProvisionPlan['create'];
  if (snapshot.existing) {
    for (const key of ['size', 'type', 'blockSize', 'logicalSectorSize', 'physicalSectorSize'] as const) {
      if (snapshot[key] !== undefined) {
        refuse(key, `'${key}' is for a new image, and existing: true provisions the image that is there.`, 'absent with existing: true',
          `Leave '${key}' out (the image keeps its own), or leave existing out to create a new image.`);
      }
    }
  } else {
    if (snapshot.size === undefined) {
      refuse('size', 'no size is given for the new image.', 'the virtual size in bytes, e.g. 64 * 2 ** 30',
        'Give the size of the new disk, or existing: true to provision an image that exists.');
    }
    create = withoutUndefined({
      size: snapshot.size, type: snapshot.type, blockSize: snapshot.blockSize, logicalSectorSize: snapshot.logicalSectorSize,
      physicalSectorSize: snapshot.physicalSectorSize, storageType: snapshot.storageType, windowsBuild: snapshot.windowsBuild,
      progressInterval: snapshot.progressInterval,
    });
    const checked = readCreateRequest(imagePath, create);
    if (!checked.ok) throw checked.error;
  }

  const permanent = snapshot.permanent ?? true;
  const attach = checkAttach(
    { createdByOpenVirtualDisk: true, open: true, path: imagePath, storageType: storageType ?? 'vhdx', openVersion: OPEN_VIRTUAL_DISK_VERSION_2, access: VIRTUAL_DISK_ACCESS_NONE, readOnly: false, getInfoOnly: false },
    withoutUndefined({ permanent, atBoot: snapshot.atBoot, noDriveLetter: snapshot.noDriveLetter }),
    withoutUndefined({ windowsBuild: snapshot.windowsBuild }),
  );
  if (!attach.ok) throw attach.error;

  const fileSystem = snapshot.fileSystem ?? (snapshot.devDrive ? 'refs' : 'ntfs');
  const format: FormatVolumeOptions = withoutUndefined({
    fileSystem, label: snapshot.label, clusterSize: snapshot.clusterSize, quick: snapshot.quick ?? true, devDrive: snapshot.devDrive,
    progressInterval: snapshot.progressInterval,
  });
  // The partition will be the disk less its first MiB and the table's end: at most this big (formatVolume
  // checks the volume's real length again).
  const volumeSize = snapshot.size === undefined ? undefined : snapshot.size - BigInt(2 * MiB);
  const formatCheck = checkFormat(format, volumeSize, imagePath);
  if (!formatCheck.ok) throw formatCheck.error;

  const partitionStyle = snapshot.partitionStyle ?? 'gpt';
  return {
    snapshot, imagePath, create, permanent, partitionStyle,
    partitionType: partitionStyle === 'mbr' && fileSystem === 'fat32' ? 'fat32' : 'basic-data',
    format, formatCall: formatCheck.call, wait: snapshot.wait ?? DEFAULT_PROVISION_WAIT_MS,
  };
}

/**
 * The new partition's volume: IOCTL_DISK_ARE_VOLUMES_READY first (Windows' own "the volumes are there"),
 * then the volume list, looking again until the partition's volume is there (and, unless the disk has no
 * drive letter by choice, has one) or `wait` ms have passed: ERR_NO_VOLUME.
 */
async function newVolume(plan: ProvisionPlan, physicalPath: string, partitionNumber: number, signal: AbortSignal | undefined): Promise<Volume> {
  const { imagePath, wait, snapshot } = plan;
  const started = performance.now();
  await waitForVolumesReady({ imagePath, physicalPath, signal }, wait);
  const device = await deviceOfPhysicalPath(physicalPath, signal);
  if (!device) {
    throw new VirtualDiskError(`GetVirtualDiskPhysicalPath gave '${physicalPath}' for '${imagePath}', which names no disk.`, {
      code: 'ERR_UNKNOWN_DEVICE', syscall: 'GetVirtualDiskPhysicalPath', path: imagePath,
    });
  }
  const left = Math.max(0, wait - (performance.now() - started));
  // A letter is waited for only when one is expected: no mountPoint of our own, no noDriveLetter.
  const needMountPoint = snapshot.mountPoint === undefined && !snapshot.noDriveLetter;
  const volumes = await waitForVolumes({ imagePath, physicalPath, device, wait: left, needMountPoint, signal });
  const volume = volumes.find((candidate) => candidate.partitionNumber === partitionNumber) ?? (volumes.length === 1 ? volumes[0] : undefined);
  if (!volume) {
    throw new VirtualDiskError(`No volume of partition ${partitionNumber} of '${imagePath}' (${physicalPath}) arrived within ${wait} ms.`, {
      code: 'ERR_NO_VOLUME', path: imagePath, physicalPath, reason: 'NO_VOLUME',
      hint: `The disk's volumes are ${volumes.map((v) => v.name).join(', ') || 'none'}. Wait longer (the wait option), or check that automatic mounting is on (\`mountvol /E\`).`,
    });
  }
  return volume;
}

/** The volume's mount points now (GetVolumePathNamesForVolumeNameW): a format or a mount point may change them. */
async function mountPointsNow(volume: Volume, signal: AbortSignal | undefined): Promise<string[]> {
  const { kernel32 } = await windows();
  return mountPointsOf(kernel32, volume.name, signal);
}

/** onProgress({ step, percent }) at most every progressInterval ms within a step, and always at 0 and 100. */
function stepReporter(snapshot: ProvisionSnapshot): (step: ProvisionStep, percent: number) => void {
  const { onProgress } = snapshot;
  const interval = snapshot.progressInterval ?? 100;
  let last: { step: ProvisionStep; percent: number; at: number } | undefined;
  return (step, percent) => {
    if (!onProgress) return;
    const now = performance.now();
    if (last?.step === step && last.percent === percent) return; // a step's own 100 % and the provision's
    const edge = percent === 0 || percent >= 100 || last?.step !== step;
    if (!edge && last && now - last.at < interval) return;
    last = { step, percent, at: now };
    callListener<ProvisionProgress>(onProgress, { step, percent: Math.min(100, Math.max(0, percent)) });
  };
}

/** An existing image that is not RAW: provisioning never erases partitions (it has no force option, on purpose). */
function notRaw(imagePath: string, layout: DiskLayout): PreconditionError {
  const partitions = layout.partitions.map(describePartition).join('; ') || 'no partitions';
  return new PreconditionError('ERR_DISK_NOT_RAW', {
    syscall: SYSCALL, parameter: 'existing', path: imagePath,
    problem: `'${imagePath}' has ${layout.style === 'mbr' ? 'an MBR' : 'a GPT'} partition table already (${partitions}): it was provisioned or partitioned before.`,
    rule: 'existing: true provisions a RAW image (one never initialized): provisioning never erases partitions.',
    fix: 'Attach it and use its volumes (disk.getVolumes()), erase it on purpose first (attach, then disk.initialize({ force: true })), or provision a new image.',
  });
}


