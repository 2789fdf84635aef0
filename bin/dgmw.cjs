#!/usr/bin/env node
// Launcher for the `dgmw` command: runs the CLI built from main/cli (npm install builds it).
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const cli = join(__dirname, '..', 'out', 'main', 'cli.js')
if (!existsSync(cli)) {
  process.stderr.write(
    'dgmw is not built yet: run `npm run build` in ' + join(__dirname, '..') + '\n'
  )
  process.exit(1)
}
require(cli)
