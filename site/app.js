// The pages' entry point, shared by index.html (account page) and profile.html. Plain ES
// modules under js/: no framework, no build step. Every string that comes from the server
// or from the user is written with textContent, never as HTML.

import { initAccountPage } from "./js/account.js";
import { initProfilePage } from "./js/profile-page.js";

if (document.getElementById("profile_form")) {
  initAccountPage();
} else if (document.getElementById("profile_view")) {
  initProfilePage();
}
