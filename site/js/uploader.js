// Choosing a picture: checks, the signed form from the API, the POST to S3 with progress.

import { ApiError, NetworkError, apiRequest, waitMessage } from "./api.js";
import { ACCEPTED_NAMES, ACCEPTED_TYPES, formatBytes, quoteName } from "./formats.js";
import { signIn } from "./auth.js";
import { keepDraftAndSignIn } from "./draft.js";
import { formOutlived } from "./form-life.js";
import { isExpiredRejection, postToS3, s3ErrorMessage } from "./s3-post.js";

export function initUploader(view) {
  const { fileInput, dropZone, avatarKeyInput, status, state } = view;
  const { updateSubmit, setProgress, updateLimitsHint, showPreview, showSavedAvatar, clearInvalid, markInvalid } = view;

  function abortUpload() {
    state.uploadGeneration += 1;
    if (state.activeXhr) {
      const xhr = state.activeXhr;
      state.activeXhr = null;
      xhr.abort();
    }
    state.uploading = false;
    updateSubmit();
  }

  // After a refusal focus goes to the message, unless the person has moved on while the
  // upload ran (say, to type their name): taking focus from a field would lose their place,
  // and the live status line tells them anyway.
  function focusMessage() {
    const active = document.activeElement;
    if (!active || active === document.body || active === dropZone || active === fileInput) status.focus();
  }

  function checkFile(file) {
    if (!ACCEPTED_TYPES.includes(file.type)) {
      const kind = file.type === "image/svg+xml"
        ? "an SVG drawing"
        : file.type
          ? `of type ${file.type}`
          : "of an unknown type";
      return `${quoteName(file.name)} is ${kind}. Please choose a ${ACCEPTED_NAMES} picture.`;
    }
    if (file.size <= 0) {
      return `${quoteName(file.name)} is empty. Please choose another picture.`;
    }
    if (state.maxBytesKnown && file.size > state.maxBytes) {
      return `${quoteName(file.name)} is ${formatBytes(file.size)}, over the ${formatBytes(state.maxBytes)} limit. Please choose a smaller picture.`;
    }
    return null;
  }

  /** Standard base64 of the file's SHA-256: S3 stores these bytes and no others. */
  async function checksumOf(file) {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
    let text = "";
    for (const byte of digest) text += String.fromCharCode(byte);
    return btoa(text);
  }

  async function signUpload(file) {
    const { data } = await apiRequest("POST", "/api/uploads", {
      filename: file.name.slice(-255),
      contentType: file.type,
      size: file.size,
      checksumSha256: await checksumOf(file),
    });
    if (Number.isInteger(data.maxBytes) && data.maxBytes > 0) {
      state.maxBytes = data.maxBytes;
      state.maxBytesKnown = true;
      updateLimitsHint();
    }
    if (!data.key || !data.upload || typeof data.upload.url !== "string") {
      throw new ApiError(500, null);
    }
    return data;
  }

  async function startUpload(file) {
    abortUpload();
    const generation = state.uploadGeneration;
    const current = () => generation === state.uploadGeneration;

    avatarKeyInput.value = "";
    clearInvalid();

    const problem = checkFile(file);
    if (problem) {
      showSavedAvatar();
      setProgress(0);
      status.set("error", problem);
      markInvalid(dropZone, { focus: false });
      focusMessage();
      return;
    }

    state.objectUrl = URL.createObjectURL(file);
    showPreview(state.objectUrl);

    state.uploading = true;
    updateSubmit();
    setProgress(0);
    // The status line is a live region: it says when the upload starts, ends or fails,
    // once each. The percentage goes to the progress bar alone, which a screen reader
    // reads when asked instead of hearing every tick.
    status.set("uploading", `Uploading ${quoteName(file.name)}…`);

    let lastPercent = -1;
    const onProgress = (percent) => {
      if (!current() || percent === lastPercent) return;
      lastPercent = percent;
      setProgress(percent);
    };

    try {
      let retried = false;
      let reasked = false;
      for (;;) {
        const signed = await signUpload(file);
        if (!current()) return;

        // A form spent on arrival (a slow answer, a tab that slept) would only earn
        // storage's "expired": ask for a fresh one, once. After that storage judges, since
        // the device's clock may be off.
        if (formOutlived(signed.expiresAt) && !reasked) {
          reasked = true;
          continue;
        }

        // The server may have a lower limit than ours: it is authoritative.
        if (file.size > state.maxBytes) {
          throw new Error(checkFile(file));
        }

        const { xhr, promise } = postToS3(signed.upload, file, onProgress);
        state.activeXhr = xhr;
        const result = await promise;
        if (!current() || result.aborted) return;
        state.activeXhr = null;

        if (result.ok) {
          avatarKeyInput.value = signed.key;
          state.pictureName = file.name;
          state.uploading = false;
          updateSubmit();
          setProgress(100);
          status.set("uploaded", `${quoteName(file.name)} is uploaded. Save your profile to use it.`);
          return;
        }
        if (isExpiredRejection(result.status, result.s3) && !retried) {
          // The signature ran out (e.g. the tab slept): ask for a fresh one, once.
          retried = true;
          lastPercent = -1;
          setProgress(0);
          status.set("uploading", `The upload link expired; retrying ${quoteName(file.name)}…`);
          continue;
        }
        if (isExpiredRejection(result.status, result.s3)) {
          throw new Error("The upload link expired again. Check that your device's clock is right, then choose the picture again.");
        }
        throw new Error(s3ErrorMessage(result.status, result.s3, state.maxBytes));
      }
    } catch (error) {
      if (!current()) return;
      state.activeXhr = null;
      state.uploading = false;
      updateSubmit();
      setProgress(0);
      showSavedAvatar();
      if (error instanceof ApiError && error.status === 401) {
        keepDraftAndSignIn(view);
        return;
      }
      let message = error instanceof Error && error.message ? error.message : "The upload failed. Please try again.";
      if (error instanceof NetworkError) {
        message = "The upload could not reach the server or storage. Check your connection and choose the picture again.";
      } else if (error instanceof ApiError && error.status === 429) {
        message = `You've uploaded many pictures in the last hour; ${waitMessage(error)}.`;
      } else if (error instanceof ApiError && (error.status === 413 || error.status === 415)) {
        message = `${message} Please choose another picture.`;
      }
      status.set("error", message);
      markInvalid(dropZone, { focus: false });
      focusMessage();
    }
  }

  function handleFiles(files) {
    if (!files || files.length === 0) return;
    if (!state.signedIn) {
      signIn();
      return;
    }
    startUpload(files[0]);
  }

  fileInput.addEventListener("change", () => {
    const files = Array.from(fileInput.files || []);
    handleFiles(files);
    // Let the same file be chosen again (e.g. after fixing a network problem).
    fileInput.value = "";
  });

  // Signed out, choosing a picture starts with signing in: uploads belong to an account.
  const choose = () => (state.signedIn ? fileInput.click() : signIn());
  dropZone.addEventListener("click", choose);
  dropZone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      choose();
    }
  });

  let dragDepth = 0;
  dropZone.addEventListener("dragenter", (event) => {
    event.preventDefault();
    dragDepth += 1;
    dropZone.classList.add("is-dragover");
  });
  dropZone.addEventListener("dragover", (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
  });
  dropZone.addEventListener("dragleave", () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) dropZone.classList.remove("is-dragover");
  });
  dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    dragDepth = 0;
    dropZone.classList.remove("is-dragover");
    handleFiles(event.dataTransfer ? event.dataTransfer.files : null);
  });
  // A file dropped next to the zone must not make the browser navigate away to it.
  for (const type of ["dragover", "drop"]) {
    window.addEventListener(type, (event) => {
      if (!dropZone.contains(event.target)) event.preventDefault();
    });
  }
}
