// The account page's elements, its shared state, and the small helpers that change them.

import { ACCEPTED_NAMES, ACCEPTED_TYPES, DEFAULT_AVATAR, DEFAULT_MAX_BYTES, formatBytes } from "./formats.js";
import { StatusLine } from "./status.js";

export function accountView() {
  const fileInput = document.getElementById("file_input");
  const dropZone = document.getElementById("drop_zone");
  const preview = document.getElementById("preview");
  const progress = document.getElementById("progress");
  const status = new StatusLine(document.getElementById("status"));
  const limitsHint = document.getElementById("limits_hint");
  const form = document.getElementById("profile_form");
  const fieldset = document.getElementById("form_fields");
  const usernameInput = form.elements.namedItem("username");
  const fullNameInput = form.elements.namedItem("full-name");
  const avatarKeyInput = form.elements.namedItem("avatar-key");
  const submitButton = form.querySelector("[type=submit]");
  const pageTitle = document.getElementById("page_title");

  const state = {
    maxBytes: DEFAULT_MAX_BYTES,
    loaded: null, // {username, version, avatarUrl} of the profile being edited
    savedAvatarUrl: DEFAULT_AVATAR,
    uploadGeneration: 0,
    activeXhr: null,
    uploading: false,
    saving: false,
    objectUrl: null,
    saved: false,
  };

  // ---- small view helpers

  function updateSubmit() {
    submitButton.disabled = state.uploading || state.saving;
    form.setAttribute("aria-busy", state.saving ? "true" : "false");
  }

  function setProgress(percent) {
    progress.value = percent;
    progress.dataset.visible = percent > 0 || state.uploading ? "true" : "false";
  }

  function updateLimitsHint() {
    limitsHint.textContent = `${ACCEPTED_NAMES}, up to ${formatBytes(state.maxBytes)}.`;
  }

  function showPreview(src) {
    if (state.objectUrl && state.objectUrl !== src) {
      URL.revokeObjectURL(state.objectUrl);
      state.objectUrl = null;
    }
    preview.src = src;
  }

  function showSavedAvatar() {
    showPreview(state.savedAvatarUrl);
  }

  // A picture that cannot be decoded (e.g. a text file named .png) must not show a
  // broken-image icon; the server is the judge of its contents when the form is saved.
  preview.addEventListener("error", () => {
    const fallback = new URL(DEFAULT_AVATAR, window.location.href).href;
    if (preview.src !== fallback) preview.src = DEFAULT_AVATAR;
  });

  function clearInvalid() {
    for (const el of [usernameInput, fullNameInput, dropZone]) el.removeAttribute("aria-invalid");
  }

  function markInvalid(el) {
    el.setAttribute("aria-invalid", "true");
    el.focus();
  }

  function fieldElement(field) {
    switch (field) {
      case "username":
        return usernameInput;
      case "fullName":
        return fullNameInput;
      case "avatarKey":
        return dropZone;
      default:
        return null;
    }
  }

  fileInput.accept = ACCEPTED_TYPES.join(",");

  return {
    fileInput, dropZone, preview, progress, status, form, fieldset, usernameInput,
    fullNameInput, avatarKeyInput, pageTitle, state,
    updateSubmit, setProgress, updateLimitsHint, showPreview, showSavedAvatar,
    clearInvalid, markInvalid, fieldElement,
  };
}
