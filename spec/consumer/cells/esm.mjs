// Plain node, ESM: `import` from the installed package (no loader, no TypeScript).
import assert from 'node:assert/strict';
import * as virtdisk from 'virtdisk';
import * as ffi from 'virtdisk/ffi';
import * as types from 'virtdisk/types';
import pkg from 'virtdisk/package.json' with { type: 'json' };
import { exercise, runCell } from './exercise.mjs';

runCell('esm: import', async () => {
  // only the exports map's entry points are reachable
  await assert.rejects(import('virtdisk/dist/lib/index.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  await assert.rejects(import('virtdisk/lib/index.ts'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  return exercise({ virtdisk, ffi, types, pkg });
});
