// Plain node, CommonJS: require() of the installed (ESM) package, which needs require(esm) (Node >= 20.19 / 22.12).
const assert = require('node:assert/strict');
const virtdisk = require('virtdisk');
const ffi = require('virtdisk/ffi');
const types = require('virtdisk/types');
const pkg = require('virtdisk/package.json');
const { exercise, runCell } = require('./exercise.mjs');

runCell('cjs: require()', async () => {
  assert.throws(() => require('virtdisk/dist/lib/index.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  // require() of an ES module gives its namespace: the same objects import() gives
  assert.equal((await import('virtdisk')).checkOpen, virtdisk.checkOpen);
  return exercise({ virtdisk, ffi, types, pkg });
});
