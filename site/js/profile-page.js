// The public profile page (profile.html?username=…).

import { ApiError, apiRequest, profilePath, usernameFromQuery } from "./api.js";
import { avatarSources, showSources } from "./avatar-image.js";
import { quoteName } from "./formats.js";
import { takeSavedNote } from "./saved-notice.js";
import { StatusLine } from "./status.js";

export async function initProfilePage() {
  const status = new StatusLine(document.getElementById("status"));
  const view = document.getElementById("profile_view");
  const actions = document.getElementById("profile_actions");
  const createLink = document.getElementById("create_link");
  const username = usernameFromQuery();
  const justSaved = username ? takeSavedNote(username) : false;

  if (!username) {
    status.set("error", "No profile was named in the address.");
    createLink.href = "index.html";
    actions.hidden = false;
    return;
  }

  try {
    const { data } = await apiRequest("GET", profilePath(username));
    const name = String(data.username || username);
    const fullName = String(data.fullName || name);
    document.getElementById("profile_full_name").textContent = fullName;
    document.getElementById("profile_username").textContent = name;
    const avatar = document.getElementById("profile_avatar");
    showSources(avatar, avatarSources(data));
    avatar.alt = `Profile picture of ${fullName}`;
    const updated = document.getElementById("profile_updated");
    const when = data.updatedAt ? new Date(data.updatedAt) : null;
    if (when && !Number.isNaN(when.getTime())) {
      const time = document.createElement("time");
      time.dateTime = data.updatedAt;
      time.textContent = when.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
      updated.replaceChildren(document.createTextNode("Updated "), time);
    }
    document.getElementById("edit_link").href = "index.html";
    document.title = `${fullName} (@${name})`;
    view.hidden = false;
    if (justSaved) {
      // Straight after a save: say so, and start from the result (the heading), not
      // from the top of a page the person has just asked for.
      status.set("idle", "Your profile is saved.");
      const heading = document.getElementById("profile_full_name");
      heading.tabIndex = -1;
      heading.focus();
    } else {
      status.set("idle", "");
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      status.set("error", `There is no profile called ${quoteName(username)}.`);
      document.title = "Profile not found";
      createLink.textContent = "Create this profile";
      createLink.href = "index.html";
    } else {
      status.set("error", `Could not load the profile: ${error.message}`);
      createLink.textContent = "Back to your profile";
      createLink.href = "index.html";
    }
    actions.hidden = false;
  }
}
