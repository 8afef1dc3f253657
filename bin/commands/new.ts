// vdisk new <image> --size <size>: provisionVirtualDisk, from a path to a formatted, mounted drive in one
// command (create or open, attach, initialize, one partition, format, mount point). Progress on stderr, the
// step's name and percent; Ctrl-C cancels it, and the library undoes every step made (mount point, attach, the
// new file). Permanent by default: the disk stays attached when vdisk ends (until `vdisk detach`); --temporary
// keeps it attached until Ctrl-C, then detaches, as `vdisk attach --temporary` does.
import type { Command } from 'commander';
import { FILE_SYSTEM_NAMES, parseByteSize, provisionVirtualDisk, type ProvisionOptions, type ProvisionProgress } from '../../lib/index.ts';
import { operand, type Outcome, type VdiskCommand } from '../command.ts';
import type { CommandContext } from '../context.ts';
import { startStepProgress } from '../progress.ts';
import { bytes, labelled, mountPointList } from '../render-text.ts';
import { integerOption, sectorSizeOption, UsageError } from '../usage-error.ts';

interface NewFlags {
  size?: string;
  fs?: string;
  devDrive?: boolean;
  label?: string;
  mount?: string;
  mbr?: boolean;
  fixed?: boolean;
  existing?: boolean;
  /** false with --no-drive-letter */
  driveLetter: boolean;
  temporary?: boolean;
  clusterSize?: string;
  full?: boolean;
  wait?: string;
  blockSize?: string;
  sectorSize?: string;
}

/** new --json */
export interface NewResult {
  /** The image file. */
  path: string;
  storageType: string;
  /** true with --existing: the image was there, RAW; false: vdisk created it. */
  existing: boolean;
  /** Bytes asked for (--size); null with --existing. */
  size: number | null;
  /** '\\.\PhysicalDriveN'. */
  physicalPath: string;
  diskNumber: number;
  partitionStyle: 'gpt' | 'mbr';
  /** The volume GUID path '\\?\Volume{…}\'. */
  volume: string;
  fileSystem: 'ntfs' | 'refs' | 'exfat' | 'fat32';
  /** '' for none. */
  label: string;
  /** Drive letters and mounted folders ('Q:\'). */
  mountPoints: string[];
  /** false with --temporary: attached until Ctrl-C. */
  permanent: boolean;
}

const FILE_SYSTEMS = ['ntfs', 'refs', 'exfat', 'fat32'] as const;

export function fileSystemOption(text: string | undefined): ProvisionOptions['fileSystem'] {
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (!(FILE_SYSTEMS as readonly string[]).includes(lower)) throw new UsageError(`--fs takes ntfs, refs, exfat or fat32, not '${text}'.`, '--fs');
  return lower as ProvisionOptions['fileSystem'];
}


function options(flags: NewFlags, ctx: CommandContext, onProgress?: ProvisionOptions['onProgress']): ProvisionOptions {
  if (flags.existing !== true && flags.size === undefined) throw new UsageError('vdisk new needs --size <size> for the new image (or --existing to provision an image that exists).', '--size');
  const provision: ProvisionOptions = {
    ...ctx.callOptions(),
    existing: flags.existing === true ? true : undefined,
    size: flags.size === undefined ? undefined : parseByteSize(flags.size, '--size'),
    type: flags.fixed === true ? 'fixed' : undefined,
    blockSize: flags.blockSize === undefined ? undefined : parseByteSize(flags.blockSize, '--block-size'),
    logicalSectorSize: sectorSizeOption(flags.sectorSize, '--sector-size'),
    partitionStyle: flags.mbr === true ? 'mbr' : undefined,
    fileSystem: fileSystemOption(flags.fs),
    label: flags.label,
    clusterSize: flags.clusterSize === undefined ? undefined : Number(parseByteSize(flags.clusterSize, '--cluster-size')),
    quick: flags.full === true ? false : undefined,
    devDrive: flags.devDrive === true ? true : undefined,
    mountPoint: flags.mount,
    noDriveLetter: flags.driveLetter === false ? true : undefined,
    permanent: flags.temporary === true ? false : undefined,
    wait: flags.wait === undefined ? undefined : integerOption(flags.wait, '--wait'),
    onProgress,
  };
  return Object.fromEntries(Object.entries(provision).filter(([, value]) => value !== undefined)) as ProvisionOptions;
}

export const provisionNew: VdiskCommand<NewFlags> = {
  name: 'new',
  define: (program: Command) => program.command('new')
    .summary('create, attach, partition, format and mount a new image in one step')
    .description('Makes a ready-to-use drive: creates a .vhdx or .vhd image (dynamic unless --fixed), attaches it, initializes it (GPT unless --mbr), makes one partition of all its space, formats it (NTFS unless --fs, quick unless --full) and mounts it at the drive letter Windows gives (or --mount). If a step fails or Ctrl-C cancels it, every step made is undone (mount point, attach, the new file; an --existing image is made RAW again). The attach is permanent: the drive stays until `vdisk detach <image>`. Needs an elevated prompt.')
    .argument('<image>', 'the new image file (.vhdx or .vhd); with --existing, an image that exists and was never initialized')
    .option('--size <size>', 'the virtual size, e.g. 64GiB (required unless --existing)')
    .option('--fs <ntfs|refs|exfat|fat32>', 'the file system (default ntfs)')
    .option('--label <label>', 'the volume label (NTFS/ReFS up to 32 characters, exFAT/FAT32 up to 11)')
    .option('--mount <Z: | folder>', 'mount the volume at this drive letter or empty NTFS folder (instead of the letter Windows gives)')
    .option('--no-drive-letter', 'no drive letter: the volume is reached by its GUID path (or --mount)')
    .option('--mbr', 'an MBR partition table instead of GPT')
    .option('--fixed', 'allocate the whole size now (a fixed image)')
    .option('--existing', 'provision an image that exists (a RAW disk: never initialized) instead of creating one')
    .option('--temporary', 'stay attached only until Ctrl-C, then detach (the image and its files stay)')
    .option('--cluster-size <size>', 'bytes per cluster, e.g. 4096 or 64KiB (default: the file system chooses)')
    .option('--full', 'a full format, which reads every sector (default: quick)')
    .option('--dev-drive', 'format as a Dev Drive (ReFS); refused: Windows offers it only through WMI, which vdisk does not call')
    .option('--wait <ms>', 'how long to wait for the new volume to arrive (default 30000)')
    .option('--block-size <size>', 'VHDX: a multiple of 1MiB from 1MiB to 256MiB; VHD: 512KiB or 2MiB')
    .option('--sector-size <bytes>', 'logical sector size: 512 or 4096 (VHDX)'),

  dryRun(plan, operands, flags, ctx) {
    const disk = plan.provisionVirtualDisk(operand(operands, 0), options(flags, ctx));
    const note = `Checked in the real run only, as they ask the machine: ${flags.existing === true ? 'that the image exists' : 'that no file is at the image path (ERROR_FILE_EXISTS)'}${flags.mount === undefined ? '' : ', that the --mount letter is free or the folder exists and is empty'}. If a step fails or Ctrl-C cancels, the steps made are undone in reverse (DeleteVolumeMountPointW, ${flags.existing === true ? 'IOCTL_DISK_DELETE_DRIVE_LAYOUT (the existing image RAW again), ' : ''}DetachVirtualDisk, CloseHandle${flags.existing === true ? '' : ', the new file deleted'}).`;
    if (flags.temporary === true) {
      const from = plan.calls.length;
      disk.detach();
      disk.close();
      return { after: { from, when: 'after Ctrl-C' }, note };
    }
    disk.close();
    return { note };
  },

  async run(operands, flags, ctx): Promise<Outcome> {
    const request = options(flags, ctx);
    const progress = startStepProgressFor(ctx);
    let provisioned;
    try {
      provisioned = await provisionVirtualDisk(operand(operands, 0), { ...request, onProgress: progress?.update });
    } catch (error) {
      progress?.stop();
      if ((error as { name?: unknown } | null)?.name === 'AbortError') ctx.note(`vdisk new: cancelled; every step made was undone (mount point, attach, ${flags.existing === true ? 'the image left RAW as it was' : 'the new image file'}).`);
      throw error;
    }
    progress?.stop();
    const { disk, volume, mountPoints } = provisioned;
    try {
      const physicalPath = await disk.getPhysicalPath({ signal: ctx.signal });
      const permanent = flags.temporary !== true;
      const document: NewResult = {
        path: disk.path, storageType: disk.storageType, existing: flags.existing === true,
        size: request.size === undefined ? null : Number(request.size), physicalPath, diskNumber: volume.diskNumber,
        partitionStyle: request.partitionStyle ?? 'gpt', volume: volume.name,
        fileSystem: request.fileSystem ?? 'ntfs', label: request.label ?? '', mountPoints, permanent,
      };
      const result: Outcome = {
        document,
        text: labelled([
          [document.existing ? 'provisioned' : 'created', document.path],
          ['size', document.size === null ? undefined : bytes(document.size)],
          ['disk', physicalPath],
          ['partition style', document.partitionStyle.toUpperCase()],
          ['volume', volume.name],
          ['file system', `${FILE_SYSTEM_NAMES[document.fileSystem]}${document.label ? `, label '${document.label}'` : ', no label'}`],
          ['mount points', mountPointList(mountPoints)],
          ['lifetime', permanent ? 'permanent (until vdisk detach)' : 'temporary (until Ctrl-C)'],
        ]),
      };
      if (!permanent) {
        ctx.writeOutcome(result);
        ctx.note('vdisk new: attached until Ctrl-C.');
        await ctx.nextInterrupt();
        await disk.detach({ signal: ctx.signal });
        ctx.note(`vdisk new: detached ${disk.path}.`);
      }
      return result;
    } finally {
      await disk.close();
    }
  },
};

function startStepProgressFor(ctx: CommandContext) {
  if (ctx.globals.quiet || ctx.globals.json) return undefined;
  return startStepProgress(ctx.io.stderr, 'new');
}

export type { ProvisionProgress };
