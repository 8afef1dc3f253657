// vdisk volumes <image>: the volumes of an attached image and their mount points: openVirtualDisk, then the
// library's disk.getVolumes({ wait }).
import type { Command } from 'commander';
import { openVirtualDisk } from '../../lib/index.ts';
import { operand, type VdiskCommand } from '../command.ts';
import { table } from '../render-text.ts';
import { integerOption } from '../usage-error.ts';

interface VolumesFlags {
  wait?: string;
}

export const volumes: VdiskCommand<VolumesFlags> = {
  name: 'volumes',
  define: (program: Command) => program.command('volumes')
    .summary('the volumes of an attached image and their mount points')
    .description('Prints the volumes of the disk the image is attached as, with their mount points.')
    .argument('<image>', 'an attached image file')
    .option('--wait <ms>', 'wait up to this long for a volume (with a mount point) to arrive (default 0)'),

  dryRun(plan, operands, flags, ctx) {
    if (flags.wait !== undefined) integerOption(flags.wait, '--wait');
    const disk = plan.openVirtualDisk(operand(operands, 0), ctx.callOptions());
    disk.close();
    return { note: 'Between OpenVirtualDisk and CloseHandle, disk.getVolumes() reads the disk\'s volumes from Windows; which calls that takes depends on what Windows has mounted.' };
  },

  async run(operands, flags, ctx) {
    const wait = flags.wait === undefined ? 0 : integerOption(flags.wait, '--wait');
    const disk = await openVirtualDisk(operand(operands, 0), ctx.callOptions());
    try {
      const found = await disk.getVolumes({ wait, signal: ctx.signal });
      const rows = found.map((volume) => [volume.name, volume.mountPoints.join(' ') || '-', String(volume.diskNumber), volume.partitionNumber === undefined ? '-' : String(volume.partitionNumber)]);
      return { document: found, text: found.length === 0 ? ['no volumes'] : table(['volume', 'mount points', 'disk', 'partition'], rows) };
    } finally {
      await disk.close();
    }
  },
};
