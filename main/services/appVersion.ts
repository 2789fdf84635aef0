import manifest from '../../package.json'

/** The app's version, from package.json (bundled at build time). */
export const appVersion: string = manifest.version
