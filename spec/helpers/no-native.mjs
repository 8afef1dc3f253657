// Preloaded with `node --import` by the no-koffi spec: after it, loading any native addon (koffi's .node, and
// through it any DLL) throws, and so does importing the koffi package itself.
import { register } from 'node:module';

process.dlopen = () => {
  throw new Error('no-native: process.dlopen was called (a native addon was loaded)');
};
register(`data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'koffi' || specifier.startsWith('koffi/') || /[\\\\/]node_modules[\\\\/]koffi[\\\\/]/.test(specifier)) {
    throw new Error('no-native: koffi was imported');
  }
  return next(specifier, context);
}`)}`);
