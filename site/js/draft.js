// The form's contents and a finished upload, kept in sessionStorage across a trip to the
// sign-in page (a 401 mid-edit), so signing in again loses nothing.

import { signIn } from "./auth.js";

const DRAFT_KEY = "avatars.draft";

/** A 401 mid-edit: keep the form and a finished upload, then go to sign in again. */
export function keepDraftAndSignIn(view) {
  saveDraft({
    username: view.usernameInput.value,
    fullName: view.fullNameInput.value,
    avatarKey: view.avatarKeyInput.value,
    pictureName: view.state.pictureName || "",
  });
  view.status.set("error", "Your sign-in has expired. Taking you to sign in again; your changes are kept…");
  signIn();
}

export function saveDraft({ username, fullName, avatarKey, pictureName }) {
  sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ username, fullName, avatarKey, pictureName }));
}

/** The saved draft, once: reading it removes it. */
export function takeDraft() {
  const text = sessionStorage.getItem(DRAFT_KEY);
  sessionStorage.removeItem(DRAFT_KEY);
  if (!text) return null;
  try {
    const draft = JSON.parse(text);
    return draft && typeof draft === "object" ? draft : null;
  } catch {
    return null;
  }
}
