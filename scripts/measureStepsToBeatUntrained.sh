#!/usr/bin/env bash
# Re-measures measuredSteps in renderer/src/generatorVerdict.ts and the table in bench/RESULTS.md
# ("How many steps a generator needs to beat its untrained self"): a DCGAN and a VAE with the workbench's
# defaults trained for a few lengths on 2,000 Fashion-MNIST training images (200 per class), each
# scored at its end with FD (dataset classifier) and the classifier score of one small-cnn
# evaluator, beside the untrained generator's FD that every run measures at step 0.
# Usage: scripts/measureStepsToBeatUntrained.sh [epochs list, default "1 3 8"]  (needs `npm run build`)
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS="${1:-1 3 8}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DGMW=(node bin/dgmw.cjs --data-dir "$WORK/data")
node --input-type=module -e "
import { readFileSync, mkdirSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import sharp from 'sharp'
const dir = '/usr/share/datasets/fashion-mnist'
const images = gunzipSync(readFileSync(dir + '/train-images-idx3-ubyte.gz'))
const labels = gunzipSync(readFileSync(dir + '/train-labels-idx1-ubyte.gz'))
const counts = new Array(10).fill(0)
const writes = []
for (let i = 0; counts.some((c) => c < 200); i++) {
  const label = labels[8 + i]
  if (counts[label] >= 200) continue
  mkdirSync('$WORK/fashion/' + label, { recursive: true })
  writes.push(sharp(Buffer.from(images.subarray(16 + i * 784, 16 + (i + 1) * 784)), { raw: { width: 28, height: 28, channels: 1 } }).png().toFile('$WORK/fashion/' + label + '/' + counts[label]++ + '.png'))
}
await Promise.all(writes)
"
"${DGMW[@]}" import "$WORK/fashion" --name fashion-2000 --json > "$WORK/import.json"
"${DGMW[@]}" train --dataset fashion-2000 --epochs 5 --json > "$WORK/evaluator.json" 2>/dev/null
EVALUATOR=$(node -e "console.log(JSON.parse(require('fs').readFileSync('$WORK/evaluator.json','utf8')).run.id)")
echo "evaluator: classifier run $EVALUATOR, test accuracy $(node -e "console.log(JSON.parse(require('fs').readFileSync('$WORK/evaluator.json','utf8')).final.testAccuracy)")"
echo "recipe,epochs,steps,fd,fdUntrained,classifierScore,seconds"
for recipe in dcgan vae; do
  for epochs in $EPOCHS; do
    "${DGMW[@]}" train --dataset fashion-2000 --recipe "$recipe" --epochs "$epochs" --snapshots 1 \
      --evaluator "$EVALUATOR" --seed 1 --json > "$WORK/run.json" 2>/dev/null
    node -e "
      const r = JSON.parse(require('fs').readFileSync('$WORK/run.json', 'utf8'))
      // Batches of 64 (the recipes' default) over the training split, per epoch.
      const train = JSON.parse(require('fs').readFileSync('$WORK/import.json', 'utf8')).splits.train
      const steps = $epochs * Math.ceil(train / 64)
      const f = r.final
      console.log(['$recipe', $epochs, steps, f.fd?.toFixed(1), f.fdUntrained?.toFixed(1), f.classifierScore?.toFixed(2), Math.round(f.seconds)].join(','))"
  done
done
