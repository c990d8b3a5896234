// The form's contents and a finished upload, kept in sessionStorage across a trip to the
// sign-in page (a 401 mid-edit), so signing in again loses nothing. The chosen square goes
// with the upload, and a small drawing of it (the picture itself does not survive leaving
// the page), so the preview still shows what will be published.

import { signIn } from "./auth.js";

const DRAFT_KEY = "avatars.draft";

/** A 401 mid-edit: keep the form and a finished upload, then go to sign in again. */
export function keepDraftAndSignIn(view) {
  const avatarKey = view.avatarKeyInput.value;
  saveDraft({
    username: view.usernameInput.value,
    fullName: view.fullNameInput.value,
    avatarKey,
    pictureName: view.state.pictureName || "",
    crop: avatarKey ? view.crop.value() : null,
    thumbnail: avatarKey ? view.crop.thumbnail() : null,
  });
  view.status.set("error", "Your sign-in has expired. Taking you to sign in again; your changes are kept…");
  signIn();
}

export function saveDraft({ username, fullName, avatarKey, pictureName, crop = null, thumbnail = null }) {
  const draft = { username, fullName, avatarKey, pictureName, crop, thumbnail };
  try {
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(draft));
  } catch {
    // Storage full: the drawing is a nicety, the rest is what matters.
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ ...draft, thumbnail: null }));
  }
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
