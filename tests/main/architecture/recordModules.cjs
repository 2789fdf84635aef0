// Preloaded into a `dgmw` process by hostLoadsNoTensors.test.ts: at exit, writes the files of
// every module the main thread loaded to $DGMW_RECORD_MODULES (worker threads are not recorded:
// the engine worker is where tensors belong).
const { isMainThread } = require('node:worker_threads')
const { writeFileSync } = require('node:fs')

if (isMainThread)
  process.on('exit', () => {
    writeFileSync(process.env.DGMW_RECORD_MODULES, JSON.stringify(Object.keys(require.cache)))
  })
