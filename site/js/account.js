// The account page (index.html): choose a picture, fill in the form, save.

import { accountView } from "./account-view.js";
import { initProfileForm } from "./profile-form.js";
import { initUploader } from "./uploader.js";

export function initAccountPage() {
  const view = accountView();
  initUploader(view);
  const { loadProfile } = initProfileForm(view);

  view.avatarKeyInput.value = ""; // never a key restored by the browser's form-state memory
  view.updateLimitsHint();
  view.updateSubmit();
  view.setProgress(0);
  loadProfile();
}
