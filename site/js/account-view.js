// The account page's elements, its shared state, and the small helpers that change them.

import { avatarSources, showSources } from "./avatar-image.js";
import { initCrop } from "./crop.js";
import { ACCEPTED_NAMES, ACCEPTED_TYPES, DEFAULT_AVATAR, DEFAULT_MAX_BYTES, formatBytes } from "./formats.js";
import { StatusLine } from "./status.js";

export function accountView() {
  const fileInput = document.getElementById("file_input");
  const dropZone = document.getElementById("drop_zone");
  const preview = document.getElementById("preview");
  const progress = document.getElementById("progress");
  const progressText = document.getElementById("progress_text");
  const status = new StatusLine(document.getElementById("status"));
  const limitsHint = document.getElementById("limits_hint");
  const form = document.getElementById("profile_form");
  const fieldset = document.getElementById("form_fields");
  const usernameInput = form.elements.namedItem("username");
  const fullNameInput = form.elements.namedItem("full-name");
  const avatarKeyInput = form.elements.namedItem("avatar-key");
  const submitButton = form.querySelector("[type=submit]");
  const pageTitle = document.getElementById("page_title");
  const cropFrame = document.getElementById("crop_frame");
  const crop = initCrop({
    container: document.getElementById("crop_view"),
    frame: cropFrame,
    image: document.getElementById("crop_image"),
    zoom: document.getElementById("crop_zoom"),
    position: document.getElementById("crop_position"),
    mirror: { img: preview, frame: preview.parentElement },
  });

  const state = {
    maxBytes: DEFAULT_MAX_BYTES,
    // Until a sign-upload answer says otherwise the limit is a guess (the server's default,
    // for the hint); the page refuses a file by size only once it knows the real one.
    maxBytesKnown: false,
    loaded: null, // {username, fullName, version} of the profile being edited
    savedAvatar: avatarSources(null), // {src, srcset} of the published avatar
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
    const visible = percent > 0 || state.uploading;
    progress.dataset.visible = visible ? "true" : "false";
    progressText.textContent = visible ? `${percent}%` : "";
  }

  function updateLimitsHint() {
    limitsHint.textContent = `${ACCEPTED_NAMES}, up to ${formatBytes(state.maxBytes)}.`;
  }

  function forgetObjectUrl(keep) {
    if (state.objectUrl && state.objectUrl !== keep) {
      URL.revokeObjectURL(state.objectUrl);
      state.objectUrl = null;
    }
  }

  /** A chosen picture (a blob: URL): in the preview and in the crop view, from its centre. */
  function showPreview(src) {
    forgetObjectUrl(src);
    showSources(preview, { src, srcset: "" });
    crop.load(src);
  }

  /** A draft's picture, already cropped small (see draft.js): no crop view, its square is kept. */
  function showCroppedPreview(src) {
    forgetObjectUrl(null);
    showSources(preview, { src, srcset: "" });
  }

  function showSavedAvatar() {
    forgetObjectUrl(null);
    crop.clear();
    showSources(preview, state.savedAvatar);
  }

  // A picture that cannot be decoded (e.g. a text file named .png) must not show a
  // broken-image icon; the server is the judge of its contents when the form is saved.
  preview.addEventListener("error", () => {
    const fallback = new URL(DEFAULT_AVATAR, window.location.href).href;
    if (preview.src !== fallback) showSources(preview, { src: DEFAULT_AVATAR, srcset: "" });
  });

  // A field at fault points at the status line's message (aria-describedby), so whoever
  // lands on the field hears why it is wrong, not only that it is.
  const STATUS_ID = "status";

  function describedBy(el) {
    return (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  }

  function clearInvalid() {
    for (const el of [usernameInput, fullNameInput, dropZone, cropFrame]) {
      el.removeAttribute("aria-invalid");
      const ids = describedBy(el).filter((id) => id !== STATUS_ID);
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
      else el.removeAttribute("aria-describedby");
    }
  }

  /** Marks `el` as at fault; focus goes to it unless `focus` is false. */
  function markInvalid(el, { focus = true } = {}) {
    el.setAttribute("aria-invalid", "true");
    const ids = describedBy(el);
    if (!ids.includes(STATUS_ID)) el.setAttribute("aria-describedby", [...ids, STATUS_ID].join(" "));
    if (focus) el.focus();
  }

  function fieldElement(field) {
    switch (field) {
      case "username":
        return usernameInput;
      case "fullName":
        return fullNameInput;
      case "avatarKey":
        return dropZone;
      case "crop":
        return cropFrame.closest("[hidden]") ? dropZone : cropFrame;
      default:
        return null;
    }
  }

  fileInput.accept = ACCEPTED_TYPES.join(",");

  return {
    fileInput, dropZone, preview, progress, status, form, fieldset, usernameInput,
    fullNameInput, avatarKeyInput, pageTitle, state, crop,
    updateSubmit, setProgress, updateLimitsHint, showPreview, showCroppedPreview, showSavedAvatar,
    clearInvalid, markInvalid, fieldElement,
  };
}
