// A confirmation step in a native <dialog>: modal, keyboard-friendly (Escape cancels, focus
// starts on Cancel and returns to the button that opened it).

/** Resolves true when the person confirms, false when they cancel or press Escape. */
export function confirmAction({ title, text, confirmLabel }) {
  const dialog = document.getElementById("confirm_dialog");
  document.getElementById("confirm_title").textContent = title;
  document.getElementById("confirm_text").textContent = text;
  document.getElementById("confirm_ok").textContent = confirmLabel;
  const opener = document.activeElement;
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        if (opener instanceof HTMLElement) opener.focus();
        resolve(dialog.returnValue === "ok");
      },
      { once: true },
    );
    dialog.returnValue = "cancel";
    dialog.showModal();
  });
}
