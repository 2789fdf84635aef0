/**
 * Browser mode cannot see the server's file system, so dropped folders are read in the browser
 * (File System entries API, or a webkitdirectory input) and uploaded file by file.
 */
import { client } from './client'

export interface PickedFile {
  /** Path inside the dropped folder, forward slashes. */
  path: string
  file: File
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject))
}

async function walkEntry(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject)
    )
    out.push({ path: prefix + entry.name, file })
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader()
    // readEntries returns at most ~100 entries per call; keep reading until it returns none.
    for (
      let batch = await readEntries(reader);
      batch.length > 0;
      batch = await readEntries(reader)
    ) {
      for (const child of batch) await walkEntry(child, `${prefix}${entry.name}/`, out)
    }
  }
}

/** Files of a drop, with paths relative to the dropped folder (its own name stripped). */
export async function filesFromDrop(
  transfer: DataTransfer
): Promise<{ name: string; files: PickedFile[] }> {
  const entries = [...transfer.items]
    .map((item) => item.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null)
  const files: PickedFile[] = []
  // Files handed over without entries (some platforms, scripted drops) come as a flat list.
  if (entries.length === 0)
    return {
      name: 'dropped files',
      files: [...transfer.files].map((file) => ({ path: file.name, file }))
    }
  for (const entry of entries) await walkEntry(entry, '', files)
  if (entries.length === 1 && entries[0].isDirectory) {
    const strip = entries[0].name + '/'
    return {
      name: entries[0].name,
      files: files.map((f) => ({ ...f, path: f.path.slice(strip.length) }))
    }
  }
  return { name: 'dropped files', files }
}

/** Files of an `<input type=file webkitdirectory>`, relative to the chosen folder. */
export function filesFromInput(list: FileList): { name: string; files: PickedFile[] } {
  const files = [...list].map((file) => ({ path: file.webkitRelativePath || file.name, file }))
  const first = files[0]?.path.split('/')[0] ?? 'upload'
  const nested = files.every((f) => f.path.startsWith(first + '/'))
  return {
    name: nested ? first : 'upload',
    files: nested ? files.map((f) => ({ ...f, path: f.path.slice(first.length + 1) })) : files
  }
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** Uploads the files into the server's data directory; returns the folder to import. */
export async function upload(
  name: string,
  files: PickedFile[],
  onProgress: (done: number, total: number) => void
): Promise<string> {
  const { uploadId } = await client.request('uploads/begin', { name })
  let done = 0
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const item = files[next++]
      const data = toBase64(new Uint8Array(await item.file.arrayBuffer()))
      await client.request('uploads/file', { uploadId, path: item.path, data })
      onProgress(++done, files.length)
    }
  }
  await Promise.all(Array.from({ length: 4 }, worker))
  return (await client.request('uploads/finish', { uploadId })).path
}
