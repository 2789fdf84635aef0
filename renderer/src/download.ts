/** Saves something the page made as a file: a browser download (Electron asks where to save it). */
export function downloadUrl(url: string, fileName: string): void {
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  document.body.appendChild(link)
  link.click()
  link.remove()
}

export function downloadText(text: string, fileName: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }))
  downloadUrl(url, fileName)
  // The click has handed the blob to the download by now; revoking later frees it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
