import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue'

const focusable =
  'button:not([disabled]), [href], input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

/** The elements Tab reaches inside `root`, in order (hidden ones left out). */
export function tabbableIn(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(focusable)].filter(
    (el) => el.getClientRects().length > 0 && !el.closest('[inert]')
  )
}

/**
 * A modal `<dialog>` that behaves for the keyboard: opened with `showModal()` (the page behind is
 * inert, Escape fires `cancel`), focus moved inside, Tab and Shift+Tab wrapping within it, and on
 * unmount focus handed back to whatever opened it. `close` runs if the browser closes the dialog
 * by itself (Chrome does on a second Escape when `cancel` was prevented), so the component's state
 * follows. `initial` picks the element to focus first (default: the first one Tab reaches after
 * the title bar's close button, so typing starts in the form).
 */
export function useDialogFocus(
  dialog: Ref<HTMLDialogElement | null>,
  close: () => void,
  initial?: string
): void {
  let opener: HTMLElement | null = null
  let current: HTMLDialogElement | null = null

  function trapTab(event: KeyboardEvent): void {
    const el = event.currentTarget as HTMLDialogElement
    if (event.key !== 'Tab') return
    const all = tabbableIn(el)
    if (all.length === 0) return event.preventDefault()
    const first = all[0]
    const last = all[all.length - 1]
    const active = document.activeElement
    if (event.shiftKey && (active === first || !el.contains(active))) {
      event.preventDefault()
      last.focus()
    } else if (!event.shiftKey && (active === last || !el.contains(active))) {
      event.preventDefault()
      first.focus()
    }
  }
  const closedByBrowser = (): void => close()

  function opened(el: HTMLDialogElement): void {
    if (current === el) return
    current = el
    opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    if (!el.open) el.showModal()
    const all = tabbableIn(el)
    const first =
      (initial && el.querySelector<HTMLElement>(initial)) ||
      all.find((e) => !e.matches('.close')) ||
      all[0]
    first?.focus()
    el.addEventListener('keydown', trapTab)
    el.addEventListener('close', closedByBrowser)
  }

  function gone(el: HTMLDialogElement): void {
    if (current !== el) return
    current = null
    el.removeEventListener('keydown', trapTab)
    el.removeEventListener('close', closedByBrowser)
    // While it is modal the rest of the page is inert and cannot take focus: close it first.
    if (el.open) el.close()
    // Back to the opener, if it is still on the page (a deleted run's button is not).
    if (opener?.isConnected) opener.focus()
    opener = null
  }

  // The dialog may be the component's root (there from mount to unmount) or behind a v-if.
  watch(
    dialog,
    (el, old) => {
      if (old) gone(old)
      if (el) opened(el)
    },
    { flush: 'post' }
  )
  onMounted(() => dialog.value && opened(dialog.value))
  onBeforeUnmount(() => dialog.value && gone(dialog.value))
}
