// vdisk attach <image>: attachVirtualDisk, then the disk's physical path and mount points. Permanent by
// default (the disk stays attached when vdisk ends, like Mount-DiskImage); --temporary keeps it attached until
// Ctrl-C, then detaches.
import type { Command } from 'commander';
import { attachVirtualDisk, type AttachVirtualDiskOptions, type DryRun, type VirtualDisk, type Volume } from '../../lib/index.ts';
import { operand, type Outcome, type VdiskCommand } from '../command.ts';
import type { CommandContext } from '../context.ts';
import { labelled, mountPointList } from '../render-text.ts';
import { integerOption } from '../usage-error.ts';

interface AttachFlags {
  readOnly?: boolean;
  /** false with --no-drive-letter */
  driveLetter: boolean;
  mount?: string;
  sddl?: string;
  temporary?: boolean;
  wait?: string;
}

/** attach --json */
export interface AttachResult {
  path: string;
  storageType: string;
  physicalPath: string;
  /** false with --temporary: attached until Ctrl-C. */
  permanent: boolean;
  /** Every mount point of the disk's volumes. */
  mountPoints: string[];
  volumes: Volume[];
}

function options(flags: AttachFlags, ctx: CommandContext): AttachVirtualDiskOptions {
  const attach: AttachVirtualDiskOptions & { mountPoint?: string; wait?: number } = {
    ...ctx.callOptions(),
    readOnly: flags.readOnly,
    noDriveLetter: flags.driveLetter === false ? true : undefined,
    securityDescriptor: flags.sddl,
    permanent: flags.temporary !== true,
  };
  if (flags.mount !== undefined) {
    attach.mountPoint = flags.mount;
    if (flags.wait !== undefined) attach.wait = integerOption(flags.wait, '--wait');
  }
  return attach;
}

function waitMs(flags: AttachFlags): number {
  if (flags.wait === undefined) return 0;
  return integerOption(flags.wait, '--wait');
}

export const attach: VdiskCommand<AttachFlags> = {
  name: 'attach',
  define: (program: Command) => program.command('attach')
    .summary('attach an image (permanent unless --temporary); prints its physical path and mount points')
    .description('Attaches a VHD, VHDX, VHD Set or ISO image and prints the disk\'s physical path and mount points. The attach is permanent: it outlives vdisk, until `vdisk detach`. An ISO attaches read-only.')
    .argument('<image>', 'the image file (.iso, .vhd, .vhdx, .vhds)')
    .option('--read-only', 'attach read-only (ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY)')
    .option('--no-drive-letter', 'mount the volumes without drive letters (ATTACH_VIRTUAL_DISK_FLAG_NO_DRIVE_LETTER)')
    .option('--mount <Z: | folder>', 'put the disk\'s volume at this drive letter or empty NTFS folder')
    .option('--sddl <sddl>', 'security descriptor of the attached disk, e.g. "O:BAG:BAD:(A;;GA;;;WD)"')
    .option('--temporary', 'stay attached only until Ctrl-C, then detach')
    .option('--wait <ms>', 'wait up to this long for the volumes and their mount points (default 0)'),

  dryRun(plan: DryRun, operands, flags, ctx) {
    const disk = plan.attachVirtualDisk(operand(operands, 0), options(flags, ctx));
    const wait = waitMs(flags);
    disk.getPhysicalPath();
    // The volume look-ups (and --mount's SetVolumeMountPointW) depend on what Windows answers: not listed.
    const volumes = flags.mount !== undefined || wait > 0
      ? `Not listed: after the attach, vdisk looks for the disk's volumes (IOCTL_STORAGE_GET_DEVICE_NUMBER, FindFirstVolumeW/FindNextVolumeW, GetVolumePathNamesForVolumeNameW)${flags.mount !== undefined ? ', then SetVolumeMountPointW for --mount' : ''}; which calls it makes depends on what Windows answers.`
      : undefined;
    if (flags.temporary === true) {
      const from = plan.calls.length;
      disk.detach();
      disk.close();
      return { after: { from, when: 'after Ctrl-C' }, ...(volumes !== undefined && { note: volumes }) };
    }
    disk.close();
    return volumes === undefined ? undefined : { note: volumes };
  },

  async run(operands, flags, ctx): Promise<Outcome> {
    const wait = waitMs(flags);
    const disk = await attachVirtualDisk(operand(operands, 0), options(flags, ctx));
    try {
      const result = await describe(disk, flags, wait, ctx);
      if (flags.temporary === true) await holdUntilInterrupt(disk, result, ctx);
      return result;
    } finally {
      await disk.close();
    }
  },
};

async function describe(disk: VirtualDisk, flags: AttachFlags, wait: number, ctx: CommandContext): Promise<Outcome> {
  const physicalPath = await disk.getPhysicalPath({ signal: ctx.signal });
  const volumes: Volume[] = await disk.getVolumes({ wait, signal: ctx.signal }).catch((error: unknown) => {
    if ((error as { code?: unknown }).code !== 'ERR_NO_VOLUME') throw error;
    ctx.note(`vdisk attach: no volume with a mount point arrived within ${wait} ms.`);
    return [];
  });
  const mountPoints = volumes.flatMap((volume) => volume.mountPoints);
  const permanent = flags.temporary !== true;
  const document: AttachResult = { path: disk.path, storageType: disk.storageType, physicalPath, permanent, mountPoints, volumes };
  return {
    document,
    text: labelled([
      ['path', disk.path],
      ['physical path', physicalPath],
      ['mount points', mountPointList(mountPoints)],
      ['lifetime', permanent ? 'permanent (until vdisk detach)' : 'temporary (until Ctrl-C)'],
    ]),
  };
}

/** attach --temporary: the result is printed now; Ctrl-C then detaches and closes. */
async function holdUntilInterrupt(disk: VirtualDisk, result: Outcome, ctx: CommandContext): Promise<void> {
  ctx.writeOutcome(result);
  ctx.note('vdisk attach: attached until Ctrl-C.');
  await ctx.nextInterrupt();
  await disk.detach({ signal: ctx.signal });
  ctx.note(`vdisk attach: detached ${disk.path}.`);
}
