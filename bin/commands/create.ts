// vdisk create <image> --size <size>: createVirtualDisk (dynamic unless --fixed; differencing with --parent;
// a copy of an image or a disk with --source). Progress on stderr; Ctrl-C cancels it in Windows, and the
// library removes the partial file.
import type { Command } from 'commander';
import { checkCreate, createVirtualDisk, parseByteSize, type CreateVirtualDiskOptions } from '../../lib/index.ts';
import { operand, type VdiskCommand } from '../command.ts';
import { sectorSizeOption } from '../usage-error.ts';
import type { CommandContext } from '../context.ts';
import { bytes, labelled } from '../render-text.ts';

interface CreateFlags {
  size?: string;
  fixed?: boolean;
  parent?: string;
  source?: string;
  blockSize?: string;
  sectorSize?: string;
  physicalSectorSize?: string;
}

/** create --json */
export interface CreateResult {
  path: string;
  storageType: string;
  type: 'dynamic' | 'fixed' | 'differencing';
  /** Bytes asked for (--size); null when it comes from --parent or --source. */
  size: number | null;
  parent: string | null;
  source: string | null;
}


function options(flags: CreateFlags, ctx: CommandContext, onProgress?: CreateVirtualDiskOptions['onProgress']): CreateVirtualDiskOptions {
  return {
    ...ctx.callOptions(),
    size: flags.size === undefined ? undefined : parseByteSize(flags.size, '--size'),
    type: flags.fixed === true ? 'fixed' : undefined,
    parent: flags.parent,
    source: flags.source,
    blockSize: flags.blockSize === undefined ? undefined : parseByteSize(flags.blockSize, '--block-size'),
    logicalSectorSize: sectorSizeOption(flags.sectorSize, '--sector-size'),
    physicalSectorSize: sectorSizeOption(flags.physicalSectorSize, '--physical-sector-size'),
    onProgress,
  };
}

export const create: VdiskCommand<CreateFlags> = {
  name: 'create',
  define: (program: Command) => program.command('create')
    .summary('create a VHD or VHDX image (dynamic unless --fixed)')
    .description('Creates a .vhd or .vhdx image: dynamic (grows as data is written) unless --fixed; a differencing disk with --parent; a copy of an image or a physical disk with --source. Sizes: 64MB (decimal), 10GiB (binary), 1.5TB, or bytes.')
    .argument('<image>', 'the new image file (.vhd or .vhdx)')
    .option('--size <size>', 'the virtual size, e.g. 64GiB (not with --parent)')
    .option('--fixed', 'allocate the whole size now (CREATE_VIRTUAL_DISK_FLAG_FULL_PHYSICAL_ALLOCATION)')
    .option('--parent <image>', 'make a differencing disk on this parent image')
    .option('--source <image|\\\\.\\PhysicalDriveN>', 'start with the content of this image or disk')
    .option('--block-size <size>', 'VHDX: a multiple of 1MiB from 1MiB to 256MiB; VHD: 512KiB or 2MiB')
    .option('--sector-size <bytes>', 'logical sector size: 512 or 4096 (VHDX)')
    .option('--physical-sector-size <bytes>', 'physical sector size: 512 or 4096 (VHDX)'),

  dryRun(plan, operands, flags, ctx) {
    plan.createVirtualDisk(operand(operands, 0), options(flags, ctx)).close();
  },

  async run(operands, flags, ctx) {
    const request = options(flags, ctx);
    const progress = ctx.progress('create', request.size);
    let disk;
    try {
      disk = await createVirtualDisk(operand(operands, 0), options(flags, ctx, progress?.update));
    } finally {
      progress?.stop();
    }
    await disk.close();
    const size = request.size === undefined ? null : Number(request.size);
    const type = flags.parent !== undefined ? 'differencing' : flags.fixed === true ? 'fixed' : 'dynamic';
    // the parent and source as the library passed them to Windows (absolute), from its own checkCreate()
    const checked = checkCreate(operand(operands, 0), { ...request, signal: undefined });
    const parent = checked.ok ? checked.call.Parameters.Version2.ParentPath : flags.parent ?? null;
    const source = checked.ok ? checked.call.Parameters.Version2.SourcePath : flags.source ?? null;
    const document: CreateResult = { path: disk.path, storageType: disk.storageType, type, size, parent, source };
    return {
      document,
      text: labelled([
        ['created', disk.path],
        ['type', `${disk.storageType}, ${type}`],
        ['size', size === null ? undefined : bytes(size)],
        ['parent', parent ?? undefined],
        ['source', source ?? undefined],
      ]),
    };
  },
};
