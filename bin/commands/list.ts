// vdisk list: every disk Windows has attached from an image (by any process), with its disk number and mount
// points: the library's listAttachedVirtualDisks().
import type { Command } from 'commander';
import { type VdiskCommand } from '../command.ts';
import { table } from '../render-text.ts';
import { listAttachedVirtualDisks } from '../../lib/index.ts';

export const list: VdiskCommand<Record<string, never>> = {
  name: 'list',
  define: (program: Command) => program.command('list')
    .summary('every attached image, with disk number and mount points')
    .description('Lists every disk Windows has attached from an image file, by any process.'),

  dryRun() {
    return { note: 'list changes nothing and checks no rule: it reads what Windows has attached, and which calls it makes depends on that. Run it without --dry-run.' };
  },

  async run(_operands, _flags, ctx) {
    const disks = await listAttachedVirtualDisks({ signal: ctx.signal });
    const rows = disks.map((disk) => [
      String(disk.diskNumber), disk.physicalPath,
      disk.volumes.flatMap((volume) => volume.mountPoints).join(' ') || '-',
      [disk.readOnly ? 'read-only' : '', disk.permanent === false ? 'temporary' : ''].filter(Boolean).join(',') || '-',
      disk.path,
    ]);
    return { document: disks, text: disks.length === 0 ? ['no attached images'] : table(['disk', 'physical path', 'mount points', 'flags', 'image'], rows) };
  },
};

