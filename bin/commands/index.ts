// Every vdisk command, in the order `vdisk --help` lists them.
import type { VdiskCommand } from '../command.ts';
import { attach } from './attach.ts';
import { compact } from './compact.ts';
import { create } from './create.ts';
import { detach } from './detach.ts';
import { format } from './format.ts';
import { info } from './info.ts';
import { list } from './list.ts';
import { merge } from './merge.ts';
import { provisionNew } from './new.ts';
import { resize } from './resize.ts';
import { volumes } from './volumes.ts';

export const COMMANDS: ReadonlyArray<VdiskCommand<any>> = [attach, detach, info, list, volumes, create, compact, resize, merge, provisionNew, format]; // eslint-disable-line @typescript-eslint/no-explicit-any -- each command reads its own flags
