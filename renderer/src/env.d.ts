/// <reference types="vite/client" />
import type { BridgeApi } from '../../preload/contract'

declare global {
  interface Window {
    /** Present only inside the desktop app, where the preload exposes the contract. */
    dgmw?: BridgeApi
  }
}
