// The account page (index.html): sign in, choose a picture, fill in the form, save.

import { accountView } from "./account-view.js";
import { currentSession, onSessionChange, signIn, signOut, startAuth } from "./auth.js";
import { initProfileForm } from "./profile-form.js";
import { initRemoveData } from "./remove-data.js";
import { initUploader } from "./uploader.js";

/** Sign in / signed-in name / Sign out: each present only in its state. */
function accountBar() {
  const signInButton = document.getElementById("sign_in");
  const signOutButton = document.getElementById("sign_out");
  const signedIn = document.getElementById("account_signed_in");
  const name = document.getElementById("account_name");
  signInButton.addEventListener("click", () => signIn());
  signOutButton.addEventListener("click", () => signOut());
  return (session) => {
    signInButton.hidden = Boolean(session);
    signedIn.hidden = !session;
    signOutButton.hidden = !session;
    name.textContent = session ? session.name : "";
  };
}

export async function initAccountPage() {
  const view = accountView();
  const showAccount = accountBar();
  initUploader(view);
  const { loadProfile } = initProfileForm(view);
  const removeData = initRemoveData(view);

  view.avatarKeyInput.value = ""; // never a key restored by the browser's form-state memory
  view.updateLimitsHint();
  view.updateSubmit();
  view.setProgress(0);

  const { error } = await startAuth();
  const session = currentSession();
  view.state.signedIn = Boolean(session);
  showAccount(session);
  onSessionChange((next) => {
    view.state.signedIn = Boolean(next);
    showAccount(next);
    removeData.update();
  });
  if (error) {
    view.status.set("error", error);
  }
  if (session) {
    await loadProfile();
    removeData.update();
  } else if (!error) {
    view.status.set("idle", "Sign in to create or edit your profile.");
  }
}
