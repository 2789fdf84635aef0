/**
 * Names written into an export come from a researcher's folders and run names, and a folder name
 * may hold anything but `/` and NUL: line breaks, tabs, markup.
 */

// Control characters are exactly what must go: they are what this pattern is for.
// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f]+/g

/** The name on one line: control characters (line breaks among them) become a space. */
export const oneLine = (text: string): string => text.replace(controlCharacters, ' ')

/**
 * The name as inert Markdown text: no raw HTML (`<script>`, `<img onerror>`), no link or image, no
 * emphasis, and no `|` or line break that would end a table row early. CommonMark lets a backslash
 * escape any ASCII punctuation, so the characters that start markup are escaped; `-`, `.`, `/` and
 * parentheses stay as they are, since they start nothing mid-line.
 */
export const markdownText = (text: string): string =>
  oneLine(text).replace(/[\\`*_{}[\]#+!|<>~&]/g, (c) => `\\${c}`)
