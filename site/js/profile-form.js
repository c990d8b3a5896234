// The profile form: loading the signed-in user's profile, checking and saving it.

import { ApiError, apiRequest, profileUrl, waitMessage } from "./api.js";
import { keepDraftAndSignIn, takeDraft } from "./draft.js";
import { avatarSources } from "./avatar-image.js";
import { quoteName } from "./formats.js";
import { noteSaved } from "./saved-notice.js";

export function initProfileForm(view) {
  const { form, fieldset, usernameInput, fullNameInput, avatarKeyInput, dropZone, pageTitle, status, state } = view;
  const { updateSubmit, setProgress, showSavedAvatar, clearInvalid, markInvalid, fieldElement } = view;

  function validateForm() {
    const username = usernameInput.value.trim().toLowerCase();
    // The server stores NFC; counting the same form keeps the two limits in step.
    const fullName = fullNameInput.value.normalize("NFC").trim();
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

  const signInAgain = () => keepDraftAndSignIn(view);

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
    // The square goes only with a new picture; without one (a picture the browser could
    // not decode) the server takes the centred largest square.
    const crop = avatarKeyInput.value ? view.crop.value() : null;
    const body = {
      username,
      fullName,
      // Absent keeps the current picture; null would remove it (the Remove button's job).
      ...(avatarKeyInput.value ? { avatarKey: avatarKeyInput.value } : {}),
      ...(crop ? { crop } : {}),
      expectedVersion: expectedVersionFor(username),
    };

    state.saving = true;
    updateSubmit();
    status.set("saving", "Saving your profile…");
    try {
      const { data } = await apiRequest("POST", "/api/profile", body);
      const saved = typeof data.username === "string" && data.username ? data.username : username;
      state.saved = true;
      noteSaved(saved);
      window.location.assign(profileUrl(saved));
    } catch (error) {
      state.saving = false;
      updateSubmit();
      if (!(error instanceof ApiError)) {
        status.set("error", error.message || "Saving failed. Please try again.");
        status.focus();
        return;
      }
      if (error.status === 401) {
        signInAgain();
        return;
      }
      if (error.status === 429) {
        status.set("error", `You've saved your profile many times in the last hour; ${waitMessage(error)}. Your changes were not saved.`);
        return;
      }
      if (error.code === "username_taken") {
        status.set("error", `${error.message} Your changes were not saved.`);
        markInvalid(usernameInput);
        return;
      }
      if (error.code === "forbidden") {
        avatarKeyInput.value = "";
        showSavedAvatar();
        status.set("error", error.message);
        markInvalid(dropZone);
        return;
      }
      if (error.code === "version_conflict" || error.status === 409) {
        status.set("error", `${error.message} Your changes were not saved.`, {
          href: "index.html",
          label: "Load the latest version",
        });
        status.focus();
        return;
      }
      if (error.code === "invalid_avatar" || error.code === "upload_not_found") {
        avatarKeyInput.value = "";
        setProgress(0);
        showSavedAvatar();
        status.set("error", `${error.message} Please choose another picture.`);
        markInvalid(dropZone);
        return;
      }
      status.set("error", error.message);
      const el = fieldElement(error.field);
      if (el) markInvalid(el);
      else status.focus();
    }
  });

  for (const input of [usernameInput, fullNameInput]) {
    input.addEventListener("input", () => input.removeAttribute("aria-invalid"));
  }

  // ---- load the profile being edited (if any)

  /** Fills the form from the signed-in user's profile; the username is permanent once set. */
  async function loadProfile() {
    status.set("idle", "Loading your profile…");
    const draft = takeDraft();
    try {
      const { data } = await apiRequest("GET", "/api/me");
      state.loaded = {
        username: String(data.username),
        fullName: typeof data.fullName === "string" ? data.fullName : "",
        version: Number.isInteger(data.version) ? data.version : 0,
      };
      state.savedAvatar = avatarSources(data);
      usernameInput.value = state.loaded.username;
      usernameInput.readOnly = true;
      fullNameInput.value = typeof data.fullName === "string" ? data.fullName : "";
      pageTitle.textContent = "Edit your profile";
      document.title = `Edit ${state.loaded.username} · Your profile`;
      if (!state.uploading && !avatarKeyInput.value) showSavedAvatar();
      if (status.state === "idle") status.set("idle", "Choose a new picture, or keep the current one.");
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        usernameInput.readOnly = false;
        if (status.state === "idle") status.set("idle", "Choose a username and a picture to create your profile.");
      } else if (error instanceof ApiError && error.status === 401) {
        signInAgain();
        return;
      } else if (status.state === "idle") {
        status.set("error", `Could not load your profile: ${error.message}`);
      }
    } finally {
      fieldset.disabled = false;
    }
    if (draft) restore(draft);
  }

  function restore(draft) {
    if (typeof draft.username === "string" && !usernameInput.readOnly) usernameInput.value = draft.username;
    if (typeof draft.fullName === "string") fullNameInput.value = draft.fullName;
    if (typeof draft.avatarKey === "string" && draft.avatarKey) {
      avatarKeyInput.value = draft.avatarKey;
      view.crop.restore(draft.crop);
      if (typeof draft.thumbnail === "string" && draft.thumbnail.startsWith("data:image/")) {
        view.showCroppedPreview(draft.thumbnail);
      }
      setProgress(100);
      const name = draft.pictureName ? quoteName(draft.pictureName) : "Your picture";
      status.set("uploaded", `${name} is uploaded. Save your profile to use it.`);
    } else {
      status.set("idle", "Your changes were kept. Save your profile when you are ready.");
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

  return { loadProfile };
}
