// Plain node, ESM, with koffi's native module absent (the run script hides node_modules/@koromix/*): importing
// the package and the pure checks must still work, and a call into Windows off Windows must still reject
// with ERR_UNSUPPORTED_PLATFORM (the platform is checked before anything native loads).
import * as virtdisk from 'virtdisk';
import * as types from 'virtdisk/types';
import { exercise, runCell } from './exercise.mjs';

runCell('no koffi native: import', () => exercise({ virtdisk, types }));
