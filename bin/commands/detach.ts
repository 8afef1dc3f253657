// vdisk detach <image>: detachVirtualDisk, whoever attached the image (a permanent attach included).
// --if-attached: succeed when it is not attached (cleanup scripts).
import type { Command } from 'commander';
import { detachVirtualDisk, type DetachOptions } from '../../lib/index.ts';
import { operand, type VdiskCommand } from '../command.ts';
import type { CommandContext } from '../context.ts';
import { windowsPath } from '../image-path.ts';

interface DetachFlags {
  ifAttached?: boolean;
}

/** detach --json */
export interface DetachResult {
  path: string;
  /** Always false afterwards: detached now, or (--if-attached) was not attached. */
  attached: false;
}

function options(flags: DetachFlags, ctx: CommandContext): DetachOptions {
  if (flags.ifAttached !== true) return ctx.callOptions();
  return { ...ctx.callOptions(), ifAttached: true };
}

export const detach: VdiskCommand<DetachFlags> = {
  name: 'detach',
  define: (program: Command) => program.command('detach')
    .summary('detach an image, whoever attached it')
    .description('Detaches the image (a permanent attach too). Every other handle this process holds on it must be closed.')
    .argument('<image>', 'the image file')
    .option('--if-attached', 'succeed when the image is not attached'),

  dryRun(plan, operands, flags, ctx) {
    plan.detachVirtualDisk(operand(operands, 0), options(flags, ctx));
  },

  async run(operands, flags, ctx) {
    const image = operand(operands, 0);
    await detachVirtualDisk(image, options(flags, ctx));
    const path = windowsPath(image, 'detach');
    const document: DetachResult = { path, attached: false };
    return { document, text: [flags.ifAttached === true ? `${path} is not attached` : `detached ${path}`] };
  },
};
