// A TypeScript consumer of the installed package, CommonJS (.cts: compiled to require()). Under nodenext,
// TypeScript (>= 5.8) accepts require() of an ES module, as Node >= 20.19 / 22.12 does.
import virtdisk = require('virtdisk');
import { checkOpen, type OpenOptions } from 'virtdisk';
import ffi = require('virtdisk/ffi');

const options: OpenOptions = { storageType: 'iso' };
const verdict = checkOpen('D:\\images\\win.iso', options);
export const rule: string | undefined = verdict.ok ? undefined : verdict.error.rule;
export const same: boolean = virtdisk.checkOpen === checkOpen;
export const readOnlyFlag: number = ffi.ATTACH_VIRTUAL_DISK_FLAG_READ_ONLY;
