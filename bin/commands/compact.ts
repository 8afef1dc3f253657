// vdisk compact <image>: compactVirtualDisk (the Optimize-VHD of every Windows edition): shrinks a dynamic or
// differencing image's file. Progress on stderr; Ctrl-C cancels it in Windows.
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { compactVirtualDisk, type CompactVirtualDiskOptions } from '../../lib/index.ts';
import { operand, type VdiskCommand } from '../command.ts';
import type { CommandContext } from '../context.ts';
import { windowsPath } from '../image-path.ts';
import { bytes, labelled } from '../render-text.ts';

interface CompactFlags {
  /** false with --no-zero-scan */
  zeroScan: boolean;
  /** false with --no-block-moves */
  blockMoves: boolean;
}

/** compact --json */
export interface CompactResult {
  path: string;
  /** The image file's size before and after, in bytes (null when it could not be read). */
  sizeBefore: number | null;
  sizeAfter: number | null;
}

function options(flags: CompactFlags, ctx: CommandContext, onProgress?: CompactVirtualDiskOptions['onProgress']): CompactVirtualDiskOptions {
  return {
    ...ctx.callOptions(),
    noZeroScan: flags.zeroScan === false ? true : undefined,
    noBlockMoves: flags.blockMoves === false ? true : undefined,
    onProgress,
  };
}

const fileSize = (file: string) => stat(file).then((stats) => stats.size, () => null);

export const compact: VdiskCommand<CompactFlags> = {
  name: 'compact',
  define: (program: Command) => program.command('compact')
    .summary('shrink a dynamic or differencing image\'s file (like Optimize-VHD)')
    .description('Compacts a dynamic or differencing VHD/VHDX that is not attached: zero blocks are found and dropped, blocks moved to fill the holes, and the file shrinks.')
    .argument('<image>', 'the image file')
    .option('--no-zero-scan', 'do not look for blocks of zeros (COMPACT_VIRTUAL_DISK_FLAG_NO_ZERO_SCAN)')
    .option('--no-block-moves', 'do not move blocks to fill holes (COMPACT_VIRTUAL_DISK_FLAG_NO_BLOCK_MOVES)'),

  dryRun(plan, operands, flags, ctx) {
    plan.compactVirtualDisk(operand(operands, 0), options(flags, ctx));
  },

  async run(operands, flags, ctx) {
    const image = operand(operands, 0);
    const path = windowsPath(image, 'attach');
    const sizeBefore = await fileSize(image);
    const progress = ctx.progress('compact', sizeBefore ?? undefined);
    try {
      await compactVirtualDisk(image, options(flags, ctx, progress?.update));
    } finally {
      progress?.stop();
    }
    const sizeAfter = await fileSize(image);
    const document: CompactResult = { path, sizeBefore, sizeAfter };
    return {
      document,
      text: labelled([['compacted', path], ['file size', sizeBefore === null || sizeAfter === null ? undefined : `${bytes(sizeBefore)} → ${bytes(sizeAfter)}`]]),
    };
  },
};
