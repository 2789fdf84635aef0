/** ECharts, registered once with only the parts the app draws (tree-shaken). */
import { BarChart, CustomChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts'
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent
} from 'echarts/components'
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

use([
  BarChart,
  // The label-budget chart's error bars.
  CustomChart,
  LineChart,
  HeatmapChart,
  ScatterChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer
])

/** Reads the theme's CSS variables so charts follow light and dark mode. */
export function chartColors(): { text: string; muted: string; border: string; splits: string[] } {
  const css = getComputedStyle(document.documentElement)
  const v = (name: string): string => css.getPropertyValue(name).trim()
  return {
    text: v('--text'),
    muted: v('--muted'),
    border: v('--border'),
    splits: [v('--accent'), v('--warn'), v('--ok')]
  }
}
