import { onBeforeUnmount, onMounted, type Ref } from 'vue'

/**
 * Opens a component's native <dialog> as a modal when it mounts (the browser traps focus inside
 * and sends Escape as `cancel`) and, since the component is removed rather than closed, gives the
 * focus back to whatever had it before, as a closed modal would.
 */
export function useModalDialog(dialog: Ref<HTMLDialogElement | null>): void {
  let opener: HTMLElement | null = null
  onMounted(() => {
    opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    dialog.value?.showModal()
  })
  onBeforeUnmount(() => {
    dialog.value?.close()
    if (opener?.isConnected) opener.focus()
  })
}
