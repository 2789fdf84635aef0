/**
 * ECharts renders a tooltip formatter's string as HTML, and class names, run names and file names
 * come from a researcher's folders: one named `<img src=x onerror=…>` must show as text. Vue's
 * templates escape by themselves; only strings handed to ECharts as HTML pass through here.
 */
const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
}

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => entities[c])
