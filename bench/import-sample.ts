// One fresh process for the import benchmark (nothing imported statically, so all is timed from cold):
//   koffi    — import koffi alone
//   package  — import the package, then what its first call into Windows loads (the raw layer and koffi)
const mode = process.argv[2];
const t0 = performance.now();
if (mode === 'koffi') {
  await import('koffi');
  console.log(JSON.stringify({ koffi: performance.now() - t0 }));
} else {
  await import('../lib/index.ts');
  const t1 = performance.now();
  await import('../ffi/index.ts');
  console.log(JSON.stringify({ package: t1 - t0, deferred: performance.now() - t1 }));
}
