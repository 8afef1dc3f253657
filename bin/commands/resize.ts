// vdisk resize <image> (--size <size> | --smallest): openVirtualDisk, disk.resize(), close. Shrinking below the
// last partition is Windows' to refuse (vdisk never passes allowUnsafeVirtualSize). Progress on stderr; Ctrl-C
// cancels it in Windows.
import type { Command } from 'commander';
import { openVirtualDisk, parseByteSize, type ResizeOptions } from '../../lib/index.ts';
import { operand, type VdiskCommand } from '../command.ts';
import type { CommandContext } from '../context.ts';
import { bytes, labelled } from '../render-text.ts';
import { UsageError } from '../usage-error.ts';

interface ResizeFlags {
  size?: string;
  smallest?: boolean;
}

/** resize --json */
export interface ResizeResult {
  path: string;
  /** The new virtual size in bytes; null with --smallest (Windows picks it: vdisk info tells). */
  size: number | null;
  smallest: boolean;
}

function request(flags: ResizeFlags, ctx: CommandContext, onProgress?: ResizeOptions['onProgress']): { size: bigint; options: ResizeOptions } {
  if ((flags.size === undefined) === (flags.smallest !== true)) {
    throw new UsageError('resize takes one of --size <size> and --smallest.', flags.size === undefined ? '--size' : '--smallest');
  }
  const options: ResizeOptions = { ...ctx.callOptions(), onProgress };
  if (flags.smallest === true) return { size: 0n, options: { ...options, toSmallestSafeSize: true } };
  return { size: parseByteSize(flags.size ?? '', '--size'), options };
}

export const resize: VdiskCommand<ResizeFlags> = {
  name: 'resize',
  define: (program: Command) => program.command('resize')
    .summary('grow or shrink an image\'s virtual size')
    .description('Changes the virtual size of a VHD/VHDX that is not attached: --size to a size (a multiple of 512 bytes), or --smallest to the smallest size that keeps every partition. Windows refuses to cut into a partition.')
    .argument('<image>', 'the image file')
    .option('--size <size>', 'the new virtual size, e.g. 128GiB')
    .option('--smallest', 'the smallest safe size (RESIZE_VIRTUAL_DISK_FLAG_RESIZE_TO_SMALLEST_SAFE_VIRTUAL_SIZE)'),

  dryRun(plan, operands, flags, ctx) {
    const { size, options } = request(flags, ctx);
    const disk = plan.openVirtualDisk(operand(operands, 0), ctx.callOptions());
    disk.resize(size, options);
    disk.close();
  },

  async run(operands, flags, ctx) {
    const { size } = request(flags, ctx);
    const disk = await openVirtualDisk(operand(operands, 0), ctx.callOptions());
    const progress = ctx.progress('resize', size > 0n ? size : undefined);
    try {
      await disk.resize(size, request(flags, ctx, progress?.update).options);
    } finally {
      progress?.stop();
      await disk.close();
    }
    const document: ResizeResult = { path: disk.path, size: size > 0n ? Number(size) : null, smallest: flags.smallest === true };
    return { document, text: labelled([['resized', disk.path], ['virtual size', size > 0n ? bytes(size) : 'the smallest safe size']]) };
  },
};
