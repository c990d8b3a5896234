// "Remove picture" and "Delete profile": the person takes their data back, after a
// confirmation step. The account stays signed in and can create a new profile.

import { ApiError, NetworkError, apiRequest } from "./api.js";
import { confirmAction } from "./confirm.js";
import { keepDraftAndSignIn } from "./draft.js";
import { avatarSources } from "./avatar-image.js";
import { DEFAULT_AVATAR, quoteName } from "./formats.js";

export function initRemoveData(view) {
  const { state, status, usernameInput, fullNameInput, avatarKeyInput, pageTitle } = view;
  const section = document.getElementById("profile_danger");
  const removeButton = document.getElementById("remove_picture");
  const deleteButton = document.getElementById("delete_profile");

  /** Shows the buttons that apply to the loaded profile. */
  function update() {
    section.hidden = !state.loaded;
    removeButton.hidden = !state.loaded || state.savedAvatar.src === DEFAULT_AVATAR;
  }

  function failed(error, what) {
    if (error instanceof ApiError && error.status === 401) {
      keepDraftAndSignIn(view);
      return;
    }
    const reason = error instanceof NetworkError || error instanceof ApiError ? error.message : "Please try again.";
    status.set("error", `${what} ${reason}`);
    status.el.focus();
  }

  removeButton.addEventListener("click", async () => {
    if (!state.loaded) return;
    const confirmed = await confirmAction({
      title: "Remove your picture?",
      text: "Your profile will show the default picture. The picture is deleted from storage.",
      confirmLabel: "Remove picture",
    });
    if (!confirmed) return;
    status.set("idle", "Removing your picture…");
    try {
      const { data } = await apiRequest("POST", "/api/profile", {
        username: state.loaded.username,
        fullName: fullNameInput.value.trim() || state.loaded.fullName,
        avatarKey: null,
        expectedVersion: state.loaded.version,
      });
      state.loaded.version = Number.isInteger(data.version) ? data.version : state.loaded.version;
      state.savedAvatar = avatarSources(null);
      avatarKeyInput.value = "";
      view.setProgress(0);
      view.showSavedAvatar();
      update();
      status.set("idle", "Your picture was removed.");
      status.el.focus();
    } catch (error) {
      failed(error, "Your picture was not removed.");
    }
  });

  deleteButton.addEventListener("click", async () => {
    if (!state.loaded) return;
    const name = state.loaded.username;
    const confirmed = await confirmAction({
      title: "Delete your profile?",
      text: `Your profile ${quoteName(name)} and its picture are deleted for good, and the username becomes free for anyone. You stay signed in.`,
      confirmLabel: "Delete profile",
    });
    if (!confirmed) return;
    status.set("idle", "Deleting your profile…");
    try {
      await apiRequest("DELETE", "/api/profile");
      state.loaded = null;
      state.savedAvatar = avatarSources(null);
      avatarKeyInput.value = "";
      usernameInput.value = "";
      usernameInput.readOnly = false;
      fullNameInput.value = "";
      pageTitle.textContent = "Your profile";
      document.title = "Your profile";
      view.setProgress(0);
      view.showSavedAvatar();
      update();
      status.set("idle", `Your profile ${quoteName(name)} was deleted. You are still signed in and can create a new one.`);
      status.el.focus();
    } catch (error) {
      failed(error, "Your profile was not deleted.");
    }
  });

  return { update };
}
