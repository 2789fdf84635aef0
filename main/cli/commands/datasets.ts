import { formatTable, printJson } from '../output'
import type { CommandContext } from '../context'
import { withStore } from '../withStore'

export const datasetsHelp = `dgmw datasets [--json]
  List imported datasets: id, name, kind, images, classes, size.`

export function datasetsCommand(ctx: CommandContext): Promise<void> {
  return withStore(ctx, async (store, dataDir) => {
    const datasets = store.listDatasets()
    if (ctx.json) printJson({ dataDir, datasets })
    else if (datasets.length === 0)
      console.log(`No datasets yet in ${dataDir}. Import one with \`dgmw import <folder>\`.`)
    else {
      const size = (d: (typeof datasets)[number]): string =>
        d.width ? `${d.width}×${d.height}×${d.channels}` : '-'
      console.log(
        formatTable(
          ['id', 'name', 'kind', 'images', 'classes', 'size'],
          datasets.map((d) => [
            String(d.id),
            d.name,
            d.kind,
            String(d.imageCount),
            String(d.classNames.length),
            size(d)
          ])
        )
      )
    }
  })
}
