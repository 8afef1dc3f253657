// vdisk format <volume>: formatVolume, fmifs.dll's FormatEx as format.com calls it. The volume: a drive letter
// ('Q:'), a mounted folder or a volume GUID path. It erases the volume, without asking (as `format Q: /Y`):
// vdisk has no confirmation prompt for any command. Progress on stderr; Ctrl-C cancels it (the volume is then
// left RAW, unformatted).
import type { Command } from 'commander';
import { FILE_SYSTEM_NAMES, formatVolume, parseByteSize, type FormatVolumeOptions } from '../../lib/index.ts';
import { operand, type Outcome, type VdiskCommand } from '../command.ts';
import type { CommandContext } from '../context.ts';
import { labelled } from '../render-text.ts';
import { fileSystemOption } from './new.ts';

interface FormatFlags {
  fs?: string;
  label?: string;
  clusterSize?: string;
  full?: boolean;
  devDrive?: boolean;
}

/** format --json */
export interface FormatResult {
  /** The volume as given (a drive letter, folder or GUID path). */
  volume: string;
  fileSystem: 'ntfs' | 'refs' | 'exfat' | 'fat32';
  /** '' for none. */
  label: string;
  /** Bytes; 0: the file system chose. */
  clusterSize: number;
  quick: boolean;
}

function options(flags: FormatFlags, ctx: CommandContext, onProgress?: FormatVolumeOptions['onProgress']): FormatVolumeOptions {
  const format: FormatVolumeOptions = {
    signal: ctx.signal,
    fileSystem: fileSystemOption(flags.fs),
    label: flags.label,
    clusterSize: flags.clusterSize === undefined ? undefined : Number(parseByteSize(flags.clusterSize, '--cluster-size')),
    quick: flags.full === true ? false : undefined,
    devDrive: flags.devDrive === true ? true : undefined,
    onProgress,
  };
  return Object.fromEntries(Object.entries(format).filter(([, value]) => value !== undefined)) as FormatVolumeOptions;
}

export const format: VdiskCommand<FormatFlags> = {
  name: 'format',
  define: (program: Command) => program.command('format')
    .summary('format a volume (ERASES it): NTFS unless --fs')
    .description('Formats a volume with fmifs.dll\'s FormatEx, as format.com does: NTFS unless --fs, quick unless --full. EVERY FILE ON THE VOLUME IS ERASED, without a confirmation prompt (like `format Q: /Y`). Needs an elevated prompt. Ctrl-C cancels it and leaves the volume unformatted (RAW).')
    .argument('<volume>', "the volume: a drive letter ('Q:'), a mounted folder, or a volume GUID path ('\\\\?\\Volume{…}\\')")
    .option('--fs <ntfs|refs|exfat|fat32>', 'the file system (default ntfs)')
    .option('--label <label>', 'the volume label (NTFS/ReFS up to 32 characters, exFAT/FAT32 up to 11)')
    .option('--cluster-size <size>', 'bytes per cluster, e.g. 4096 or 64KiB (default: the file system chooses)')
    .option('--full', 'a full format, which reads every sector (default: quick)')
    .option('--dev-drive', 'format as a Dev Drive (ReFS); refused: Windows offers it only through WMI, which vdisk does not call'),

  dryRun(plan, operands, flags, ctx) {
    plan.formatVolume(operand(operands, 0), options(flags, ctx));
  },

  async run(operands, flags, ctx): Promise<Outcome> {
    const volume = operand(operands, 0);
    const request = options(flags, ctx);
    const progress = ctx.progress('format', undefined);
    try {
      await formatVolume(volume, { ...request, onProgress: progress?.update });
    } catch (error) {
      if ((error as { name?: unknown } | null)?.name === 'AbortError') ctx.note('vdisk format: cancelled; the volume is left unformatted (RAW).');
      throw error;
    } finally {
      progress?.stop();
    }
    const document: FormatResult = {
      volume, fileSystem: request.fileSystem ?? 'ntfs', label: request.label ?? '', clusterSize: request.clusterSize ?? 0, quick: request.quick !== false,
    };
    return {
      document,
      text: labelled([
        ['formatted', volume],
        ['file system', FILE_SYSTEM_NAMES[document.fileSystem]],
        ['label', document.label === '' ? '(none)' : document.label],
        ['cluster size', document.clusterSize === 0 ? 'the file system\'s default' : `${document.clusterSize} bytes`],
        ['format', document.quick ? 'quick' : 'full'],
      ]),
    };
  },
};
