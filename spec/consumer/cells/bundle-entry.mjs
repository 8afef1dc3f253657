// The entry of the esbuild bundles (ESM and CJS), built with --bundle --platform=node --external:koffi.
// The bundle holds the package itself; only koffi is loaded from node_modules at run time.
// VIRTDISK_BUNDLE_FORMAT is set with esbuild's --define.
import * as virtdisk from 'virtdisk';
import * as ffi from 'virtdisk/ffi';
import * as types from 'virtdisk/types';
import { exercise, runCell } from './exercise.mjs';

/* global VIRTDISK_BUNDLE_FORMAT */
runCell(`esbuild ${VIRTDISK_BUNDLE_FORMAT} bundle`, () => exercise({ virtdisk, ffi, types, bundled: true }));
