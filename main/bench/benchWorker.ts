/**
 * The bench child: measures the reference CNN on one backend and sends the result to its parent
 * over IPC, then exits. One process per backend (see cnnBench.ts for why). Its options arrive as
 * one JSON argument from runCnnBenchInChild.
 */
import type { BenchChildMessage, CnnBenchOptions } from './cnnBench'
import { measureCnn } from './cnnMeasure'

function reply(message: BenchChildMessage): void {
  // Exit once the message is handed over, so nothing the tensor library keeps alive holds us.
  if (process.send) process.send(message, () => process.exit(0))
  else {
    process.stdout.write(JSON.stringify(message) + '\n')
    process.exit(message.type === 'result' ? 0 : 1)
  }
}

async function main(): Promise<void> {
  try {
    const options = JSON.parse(process.argv[2] ?? '') as CnnBenchOptions
    reply({ type: 'result', result: await measureCnn(options) })
  } catch (error) {
    reply({ type: 'error', error: (error as Error).stack ?? String(error) })
  }
}

void main()
