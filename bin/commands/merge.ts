// vdisk merge <image> [--depth <n>]: openVirtualDisk, disk.merge({ depth }), close: a differencing image's data
// into its parent (or `depth` levels of parents). Progress on stderr; Ctrl-C cancels it in Windows.
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { openVirtualDisk, type MergeOptions } from '../../lib/index.ts';
import { operand, type VdiskCommand } from '../command.ts';
import type { CommandContext } from '../context.ts';
import { labelled } from '../render-text.ts';
import { integerOption } from '../usage-error.ts';

interface MergeFlags {
  depth?: string;
}

/** merge --json */
export interface MergeResult {
  path: string;
  /** Parent levels merged into. */
  depth: number;
}

function options(flags: MergeFlags, ctx: CommandContext, onProgress?: MergeOptions['onProgress']): MergeOptions {
  return { ...ctx.callOptions(), depth: flags.depth === undefined ? undefined : integerOption(flags.depth, '--depth', 1), onProgress };
}

export const merge: VdiskCommand<MergeFlags> = {
  name: 'merge',
  define: (program: Command) => program.command('merge')
    .summary('merge a differencing image into its parent(s)')
    .description('Merges a differencing image\'s data into its parent (--depth levels of parents). The merged image and any other child of the parent become invalid.')
    .argument('<image>', 'the differencing image file')
    .option('--depth <n>', 'how many parent levels to merge into (default 1)'),

  dryRun(plan, operands, flags, ctx) {
    const disk = plan.openVirtualDisk(operand(operands, 0), ctx.callOptions());
    disk.merge(options(flags, ctx));
    disk.close();
  },

  async run(operands, flags, ctx) {
    const image = operand(operands, 0);
    const request = options(flags, ctx);
    const disk = await openVirtualDisk(image, ctx.callOptions());
    const progress = ctx.progress('merge', await stat(image).then((file) => file.size, () => undefined));
    try {
      await disk.merge(options(flags, ctx, progress?.update));
    } finally {
      progress?.stop();
      await disk.close();
    }
    const depth = request.depth ?? 1;
    const document: MergeResult = { path: disk.path, depth };
    return { document, text: labelled([['merged', disk.path], ['depth', `${depth} parent level${depth === 1 ? '' : 's'}`]]) };
  },
};
