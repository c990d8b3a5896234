// The app's only script, shared by index.html (account page) and profile.html.
// Plain ES module: no framework, no build step. Every string that comes from the
// server or from the user is written with textContent, never as HTML.

const ALLOWED_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024; // the server's default; its `maxBytes` wins
const DEFAULT_AVATAR = "default-avatar.svg";

// ---------------------------------------------------------------- helpers

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? "byte" : "bytes"}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

function quoteName(name) {
  return `“${name}”`;
}

/** Error raised for a non-2xx API answer, carrying the §3 error body if there was one. */
class ApiError extends Error {
  constructor(status, body) {
    const err = body && typeof body === "object" && body.error && typeof body.error === "object" ? body.error : null;
    const message = err && typeof err.message === "string" && err.message
      ? err.message
      : `The server answered with an unexpected error (HTTP ${status}). Please try again.`;
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = err && typeof err.code === "string" ? err.code : null;
    this.field = err && typeof err.field === "string" && err.field ? err.field : null;
  }
}

/** Raised when the server could not be reached at all. */
class NetworkError extends Error {
  constructor() {
    super("Could not reach the server. Check your connection and try again.");
    this.name = "NetworkError";
  }
}

async function apiRequest(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new NetworkError();
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  if (data === null || typeof data !== "object") {
    throw new ApiError(response.status, null);
  }
  return { status: response.status, data };
}

function profilePath(username) {
  return `/api/profile/${encodeURIComponent(username)}`;
}

function accountUrl(username) {
  return `index.html?username=${encodeURIComponent(username)}`;
}

function profileUrl(username) {
  return `profile.html?username=${encodeURIComponent(username)}`;
}

function usernameFromQuery() {
  const value = new URLSearchParams(window.location.search).get("username");
  return value ? value.trim() : "";
}

// ---------------------------------------------------------------- status line

class StatusLine {
  constructor(el) {
    this.el = el;
  }

  /**
   * @param {"idle"|"uploading"|"uploaded"|"error"} state
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

  get state() {
    return this.el.dataset.state;
  }
}

// ---------------------------------------------------------------- S3 upload

/** Parse S3's XML error body into {code, message}; tolerant of empty or non-XML bodies. */
function parseS3Error(text) {
  if (!text) return { code: "", message: "" };
  try {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    if (doc.getElementsByTagName("parsererror").length === 0) {
      const pick = (tag) => {
        const node = doc.getElementsByTagName(tag)[0];
        return node ? node.textContent.trim() : "";
      };
      return { code: pick("Code"), message: pick("Message") };
    }
  } catch {
    // fall through
  }
  return { code: "", message: "" };
}

function isExpiredRejection(status, s3) {
  if (status !== 400 && status !== 403) return false;
  return /expired/i.test(`${s3.code} ${s3.message}`);
}

function s3ErrorMessage(status, s3, maxBytes) {
  switch (s3.code) {
    case "EntityTooLarge":
      return `Storage refused the picture because it is too large. Please choose one under ${formatBytes(maxBytes)}.`;
    case "EntityTooSmall":
      return "Storage refused the picture because the file is empty. Please choose another one.";
    case "InvalidPolicyDocument":
      return "Storage refused the upload because it did not match what was authorised. Please choose the picture again.";
    case "SignatureDoesNotMatch":
      return "Storage could not verify the upload's signature. Please reload the page and try again.";
    case "AccessDenied":
      return "Storage refused the upload (access denied). Please choose the picture again; if it keeps happening, reload the page.";
    case "RequestTimeout":
      return "The upload took too long and storage gave up. Please try again.";
    default:
      return `Storage refused the upload (${s3.code || `HTTP ${status}`}). Please try again.`;
  }
}

/**
 * POST the presigned form to S3: every field in order, then `file` last.
 * Resolves {ok:true} or {ok:false, status, s3} ; rejects with NetworkError; resolves
 * {aborted:true} when aborted through the returned handle.
 */
function postToS3(upload, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields || {})) {
      form.append(name, value);
    }
    form.append("file", file);

    xhr.open("POST", upload.url);
    xhr.responseType = "text";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) {
        onProgress(Math.min(99, Math.floor((event.loaded / event.total) * 100)));
      }
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve({ ok: true });
      } else {
        resolve({ ok: false, status: xhr.status, s3: parseS3Error(xhr.responseText) });
      }
    });
    xhr.addEventListener("error", () => reject(new NetworkError()));
    xhr.addEventListener("timeout", () => reject(new NetworkError()));
    xhr.addEventListener("abort", () => resolve({ aborted: true }));
    xhr.send(form);
  });
  return { xhr, promise };
}

// ---------------------------------------------------------------- account page

function initAccountPage() {
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
    limitsHint.textContent = `PNG, JPEG, WebP or GIF, up to ${formatBytes(state.maxBytes)}.`;
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

  // ---- uploads

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

  function checkFile(file) {
    if (!ALLOWED_TYPES.includes(file.type)) {
      const kind = file.type === "image/svg+xml"
        ? "an SVG drawing"
        : file.type
          ? `of type ${file.type}`
          : "of an unknown type";
      return `${quoteName(file.name)} is ${kind}. Please choose a PNG, JPEG, WebP or GIF picture.`;
    }
    if (file.size <= 0) {
      return `${quoteName(file.name)} is empty. Please choose another picture.`;
    }
    if (file.size > state.maxBytes) {
      return `${quoteName(file.name)} is ${formatBytes(file.size)}, over the ${formatBytes(state.maxBytes)} limit. Please choose a smaller picture.`;
    }
    return null;
  }

  async function signUpload(file) {
    const { data } = await apiRequest("POST", "/api/uploads", {
      filename: file.name.slice(-255),
      contentType: file.type,
      size: file.size,
    });
    if (Number.isInteger(data.maxBytes) && data.maxBytes > 0) {
      state.maxBytes = data.maxBytes;
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
      dropZone.setAttribute("aria-invalid", "true");
      status.set("error", problem);
      return;
    }

    state.objectUrl = URL.createObjectURL(file);
    showPreview(state.objectUrl);

    state.uploading = true;
    updateSubmit();
    setProgress(0);
    const uploadingMessage = (percent) => `Uploading ${quoteName(file.name)}… ${percent}%`;
    status.set("uploading", uploadingMessage(0));

    let lastPercent = -1;
    const onProgress = (percent) => {
      if (!current() || percent === lastPercent) return;
      lastPercent = percent;
      setProgress(percent);
      status.set("uploading", uploadingMessage(percent));
    };

    try {
      let retried = false;
      for (;;) {
        const signed = await signUpload(file);
        if (!current()) return;

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
          state.uploading = false;
          updateSubmit();
          setProgress(100);
          status.set("uploaded", `${quoteName(file.name)} is uploaded (100%). Save your profile to use it.`);
          return;
        }
        if (isExpiredRejection(result.status, result.s3) && !retried) {
          // The signature ran out (e.g. the tab slept): ask for a fresh one, once.
          retried = true;
          lastPercent = -1;
          setProgress(0);
          status.set("uploading", `The upload link expired; retrying ${quoteName(file.name)}… 0%`);
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
      let message = error instanceof Error && error.message ? error.message : "The upload failed. Please try again.";
      if (error instanceof NetworkError) {
        message = "The upload could not reach the server or storage. Check your connection and choose the picture again.";
      } else if (error instanceof ApiError && (error.status === 413 || error.status === 415)) {
        message = `${message} Please choose another picture.`;
      }
      dropZone.setAttribute("aria-invalid", "true");
      status.set("error", message);
    }
  }

  function handleFiles(files) {
    if (!files || files.length === 0) return;
    startUpload(files[0]);
  }

  fileInput.addEventListener("change", () => {
    const files = Array.from(fileInput.files || []);
    handleFiles(files);
    // Let the same file be chosen again (e.g. after fixing a network problem).
    fileInput.value = "";
  });

  dropZone.addEventListener("click", () => fileInput.click());
  dropZone.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      fileInput.click();
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

  // ---- saving

  function validateForm() {
    const username = usernameInput.value.trim().toLowerCase();
    const fullName = fullNameInput.value.trim();
    if (!/^[a-z0-9_-]{3,32}$/.test(username)) {
      return { field: usernameInput, message: "Please choose a username of 3 to 32 characters: letters, digits, “_” or “-”." };
    }
    if (fullName.length === 0) {
      return { field: fullNameInput, message: "Please enter your full name." };
    }
    if ([...fullName].length > 100) {
      return { field: fullNameInput, message: "Please keep your full name to 100 characters or fewer." };
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/.test(fullName)) {
      return { field: fullNameInput, message: "Your full name contains characters that cannot be shown (such as tabs or line breaks)." };
    }
    return { username, fullName };
  }

  function expectedVersionFor(username) {
    return state.loaded && state.loaded.username === username ? state.loaded.version : 0;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (state.uploading || state.saving) return;
    clearInvalid();

    const checked = validateForm();
    if (checked.field) {
      status.set("error", checked.message);
      markInvalid(checked.field);
      return;
    }
    const { username, fullName } = checked;
    const body = {
      username,
      fullName,
      avatarKey: avatarKeyInput.value || null,
      expectedVersion: expectedVersionFor(username),
    };

    state.saving = true;
    updateSubmit();
    status.set("idle", "Saving your profile…");
    try {
      const { data } = await apiRequest("POST", "/api/profile", body);
      const saved = typeof data.username === "string" && data.username ? data.username : username;
      state.saved = true;
      window.location.assign(profileUrl(saved));
    } catch (error) {
      state.saving = false;
      updateSubmit();
      if (!(error instanceof ApiError)) {
        status.set("error", error.message || "Saving failed. Please try again.");
        return;
      }
      if (error.code === "version_conflict" || error.status === 409) {
        status.set("error", `${error.message} Your changes were not saved.`, {
          href: accountUrl(username),
          label: "Load the latest version",
        });
        return;
      }
      if (error.code === "invalid_avatar" || error.code === "upload_not_found") {
        avatarKeyInput.value = "";
        setProgress(0);
        showSavedAvatar();
        status.set("error", `${error.message} Please choose another picture.`);
        dropZone.setAttribute("aria-invalid", "true");
        dropZone.focus();
        return;
      }
      status.set("error", error.message);
      const el = fieldElement(error.field);
      if (el) markInvalid(el);
    }
  });

  for (const input of [usernameInput, fullNameInput]) {
    input.addEventListener("input", () => input.removeAttribute("aria-invalid"));
  }

  // ---- load the profile being edited (if any)

  async function loadProfile() {
    const requested = usernameFromQuery();
    if (!requested) {
      fieldset.disabled = false;
      return;
    }
    usernameInput.value = requested.toLowerCase();
    status.set("idle", "Loading your profile…");
    try {
      const { data } = await apiRequest("GET", profilePath(requested));
      state.loaded = {
        username: String(data.username),
        version: Number.isInteger(data.version) ? data.version : 0,
      };
      state.savedAvatarUrl = typeof data.avatarUrl === "string" && data.avatarUrl ? data.avatarUrl : DEFAULT_AVATAR;
      usernameInput.value = state.loaded.username;
      fullNameInput.value = typeof data.fullName === "string" ? data.fullName : "";
      pageTitle.textContent = "Edit your profile";
      document.title = `Edit ${state.loaded.username} · Your profile`;
      if (!state.uploading && !avatarKeyInput.value) showSavedAvatar();
      if (status.state === "idle") status.set("idle", "Choose a new picture, or keep the current one.");
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        if (status.state === "idle") {
          status.set("idle", `There is no profile called ${quoteName(requested)} yet: fill in the form to create it.`);
        }
      } else if (status.state === "idle") {
        status.set("error", `Could not load the profile: ${error.message}`);
      }
    } finally {
      fieldset.disabled = false;
    }
  }

  // Coming back with the Back button restores this page from the back/forward cache as it
  // was when it left: after a save its version is stale, so load the page afresh.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    if (state.saved) {
      window.location.reload();
    } else {
      state.saving = false;
      updateSubmit();
    }
  });

  avatarKeyInput.value = ""; // never a key restored by the browser's form-state memory
  updateLimitsHint();
  updateSubmit();
  setProgress(0);
  loadProfile();
}

// ---------------------------------------------------------------- profile page

async function initProfilePage() {
  const status = new StatusLine(document.getElementById("status"));
  const view = document.getElementById("profile_view");
  const actions = document.getElementById("profile_actions");
  const createLink = document.getElementById("create_link");
  const username = usernameFromQuery();

  if (!username) {
    status.set("error", "No profile was named in the address.");
    createLink.href = "index.html";
    actions.hidden = false;
    return;
  }

  try {
    const { data } = await apiRequest("GET", profilePath(username));
    const name = String(data.username || username);
    const fullName = String(data.fullName || name);
    document.getElementById("profile_full_name").textContent = fullName;
    document.getElementById("profile_username").textContent = name;
    const avatar = document.getElementById("profile_avatar");
    avatar.src = typeof data.avatarUrl === "string" && data.avatarUrl ? data.avatarUrl : DEFAULT_AVATAR;
    avatar.alt = `Profile picture of ${fullName}`;
    const updated = document.getElementById("profile_updated");
    const when = data.updatedAt ? new Date(data.updatedAt) : null;
    if (when && !Number.isNaN(when.getTime())) {
      const time = document.createElement("time");
      time.dateTime = data.updatedAt;
      time.textContent = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
      updated.replaceChildren(document.createTextNode("Updated "), time);
    }
    document.getElementById("edit_link").href = accountUrl(name);
    document.title = `${fullName} (@${name})`;
    status.set("idle", "");
    view.hidden = false;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      status.set("error", `There is no profile called ${quoteName(username)}.`);
      createLink.textContent = "Create this profile";
      createLink.href = accountUrl(username.toLowerCase());
    } else {
      status.set("error", `Could not load the profile: ${error.message}`);
      createLink.textContent = "Back to your profile";
      createLink.href = "index.html";
    }
    actions.hidden = false;
  }
}

// ---------------------------------------------------------------- entry point

if (document.getElementById("profile_form")) {
  initAccountPage();
} else if (document.getElementById("profile_view")) {
  initProfilePage();
}
