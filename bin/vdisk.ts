#!/usr/bin/env node
// The `vdisk` command (package.json "bin"): node dist/bin/vdisk.js, or npx vdisk.
import { processIo } from './io.ts';
import { runVdisk } from './main.ts';

process.exitCode = await runVdisk(process.argv.slice(2), processIo());
