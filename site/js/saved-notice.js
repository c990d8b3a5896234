// "Your profile is saved": the account page leaves a note for the profile page it goes
// to after a save, so that page can say so and put focus on the result.

const SAVED_KEY = "avatars.saved";

/** Called just before leaving for the profile page of `username`. */
export function noteSaved(username) {
  sessionStorage.setItem(SAVED_KEY, username);
}

/** Whether the profile of `username` was just saved; reading the note removes it. */
export function takeSavedNote(username) {
  const saved = sessionStorage.getItem(SAVED_KEY);
  sessionStorage.removeItem(SAVED_KEY);
  return saved !== null && saved === username;
}
