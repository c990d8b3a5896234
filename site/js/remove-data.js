// "Remove picture" and "Delete profile": the person takes their data back, after a
// confirmation step. The account stays signed in and can create a new profile.
// "Download my data" saves everything stored about the account as a JSON file; "Delete
// account" deletes the profile, its pictures and the account itself, then signs out.

import { ApiError, NetworkError, apiRequest } from "./api.js";
import { accessToken, signOut } from "./auth.js";
import { confirmAction } from "./confirm.js";
import { keepDraftAndSignIn } from "./draft.js";
import { avatarSources } from "./avatar-image.js";
import { DEFAULT_AVATAR, quoteName } from "./formats.js";

export function initRemoveData(view) {
  const { state, status, usernameInput, fullNameInput, avatarKeyInput, pageTitle } = view;
  const section = document.getElementById("profile_danger");
  const removeButton = document.getElementById("remove_picture");
  const deleteButton = document.getElementById("delete_profile");
  const accountSection = document.getElementById("account_data");
  const exportButton = document.getElementById("export_data");
  const deleteAccountButton = document.getElementById("delete_account");

  /** Shows the buttons that apply to the loaded profile and the signed-in account. */
  function update() {
    section.hidden = !state.loaded;
    removeButton.hidden = !state.loaded || state.savedAvatar.src === DEFAULT_AVATAR;
    accountSection.hidden = !state.signedIn;
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

  exportButton.addEventListener("click", async () => {
    status.set("idle", "Preparing your data…");
    try {
      await downloadExport();
      status.set("idle", "Your data was downloaded as a JSON file.");
      status.el.focus();
    } catch (error) {
      failed(error, "Your data was not downloaded.");
    }
  });

  deleteAccountButton.addEventListener("click", async () => {
    const what = state.loaded
      ? `Your account, your profile ${quoteName(state.loaded.username)} and its pictures are`
      : "Your account is";
    const confirmed = await confirmAction({
      title: "Delete your account?",
      text: `${what} deleted for good. You are signed out; signing in again under the same name starts a new, empty account.`,
      confirmLabel: "Delete account",
    });
    if (!confirmed) return;
    status.set("idle", "Deleting your account…");
    try {
      await apiRequest("DELETE", "/api/account");
      state.loaded = null;
      status.set("idle", "Your account was deleted. Signing you out…");
      await signOut();
    } catch (error) {
      failed(error, "Your account was not deleted.");
    }
  });

  return { update };
}

/**
 * `GET /api/me/export` with the access token, saved under the name the server gives
 * (`Content-Disposition`): the API needs the token, so a plain link cannot fetch it.
 */
async function downloadExport() {
  const token = await accessToken();
  let response;
  try {
    response = await fetch("/api/me/export", {
      headers: { Accept: "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
  } catch {
    throw new NetworkError();
  }
  if (!response.ok) {
    throw new ApiError(response.status, await response.json().catch(() => null));
  }
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="([^"]+)"/.exec(disposition);
  const blob = new Blob([await response.arrayBuffer()], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = match ? match[1] : "account-data.json";
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked after the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
