// The status line (`#status`, aria-live): one state and one message at a time.

export class StatusLine {
  constructor(el) {
    this.el = el;
  }

  /**
   * @param {"idle"|"uploading"|"uploaded"|"saving"|"error"} state
   * @param {string} message
   * @param {{href?: string, label?: string}} [action] an optional link after the message
   */
  set(state, message, action) {
    this.el.dataset.state = state;
    if (!message) {
      this.el.replaceChildren();
      return;
    }
    const text = document.createElement("span");
    text.className = "status-text";
    text.textContent = message;
    const children = [text];
    if (action && action.href) {
      const link = document.createElement("a");
      link.className = "status-action";
      link.href = action.href;
      link.textContent = action.label;
      children.push(document.createTextNode(" "), link);
    }
    this.el.replaceChildren(...children);
  }

  /**
   * Moves focus to the message (the element has tabindex=-1), so a keyboard or screen
   * reader user who just acted lands on what went wrong, and Tab goes on from there.
   */
  focus() {
    this.el.focus();
  }

  get state() {
    return this.el.dataset.state;
  }
}
