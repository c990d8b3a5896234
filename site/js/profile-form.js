// The profile form: loading the profile being edited, checking and saving it.

import { ApiError, accountUrl, apiRequest, profilePath, profileUrl, usernameFromQuery } from "./api.js";
import { DEFAULT_AVATAR, quoteName } from "./formats.js";

export function initProfileForm(view) {
  const { form, fieldset, usernameInput, fullNameInput, avatarKeyInput, dropZone, pageTitle, status, state } = view;
  const { updateSubmit, setProgress, showSavedAvatar, clearInvalid, markInvalid, fieldElement } = view;

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

  return { loadProfile };
}
