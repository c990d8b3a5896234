// Leaving: "Download my data" saves a JSON file of everything stored about the account;
// "Delete account", behind the same confirmation as "Delete profile", deletes the profile,
// its pictures and the account, and signs out. The old profile page then says "not found",
// and the same name signs in as a new, empty account.

import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import {
  BASE_URL,
  getProfile,
  openAccountPage,
  screenshot,
  signInUploadAndSave,
  uniqueUsername,
  useBrowser,
} from "../lib.js";

/** Signs in as a new account, saves a profile with a picture, and opens the account page. */
async function profileWithPicture(page, name) {
  const { saved } = await signInUploadAndSave(page, { name, fullName: "Leaving Person" });
  await page.goto("/");
  await page.waitForSelector("#delete_account:visible");
  return saved;
}

describe("download my data and delete my account", () => {
  const browser = useBrowser();

  it("downloads a JSON file with the profile and its picture URLs", { timeout: 90_000 }, async () => {
    const page = await browser.page();
    const name = uniqueUsername("export");
    const saved = await profileWithPicture(page, name);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export_data")]);
    assert.match(download.suggestedFilename(), /\.json$/);
    const data = JSON.parse(await readFile(await download.path(), "utf8"));
    assert.match(data.accountId, /^[0-9a-f-]{36}$/);
    assert.equal(data.profile.username, name);
    assert.equal(data.profile.fullName, "Leaving Person");
    assert.equal(data.profile.avatarUrl, saved.body.avatarUrl);
    assert.deepEqual(data.profile.avatarVariants, saved.body.avatarVariants);
    assert.equal(data.profile.updatedAt, saved.body.updatedAt);
    assert.ok(!Number.isNaN(Date.parse(data.exportedAt)), data.exportedAt);
    await page.waitForFunction(() => /downloaded/.test(document.querySelector("#status").textContent));

    // Without a token the export is refused.
    assert.equal((await fetch(`${BASE_URL}/api/me/export`)).status, 401);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("deletes the account after a confirmation and signs out; the name is a new account", { timeout: 90_000 }, async () => {
    const page = await browser.page();
    const name = uniqueUsername("leave");
    const saved = await profileWithPicture(page, name);
    const oldAvatar = `${BASE_URL}${saved.body.avatarUrl}`;
    assert.equal((await fetch(oldAvatar)).status, 200);

    // Cancel first: nothing changes.
    await page.click("#delete_account");
    await page.waitForSelector("#confirm_dialog[open]");
    assert.equal(await page.textContent("#confirm_ok"), "Delete account");
    assert.match(await page.textContent("#confirm_text"), new RegExp(name));
    await screenshot(page, "14-confirm-delete-account");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.querySelector("#confirm_dialog").open);
    assert.equal((await getProfile(name)).status, 200);

    await page.click("#delete_account");
    await page.waitForSelector("#confirm_dialog[open]");
    // Signing out leaves the page through the provider's sign-out and loads it anew.
    const reloaded = page.waitForEvent("load");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "DELETE" && new URL(r.url()).pathname === "/api/account"),
      page.click("#confirm_ok"),
    ]);
    assert.equal(response.status(), 204);
    await reloaded;
    // Signed out: back on the page with "Sign in" and no session.
    await page.waitForSelector("#sign_in:visible");
    assert.ok(await page.isHidden("#account_name"));
    assert.equal(await page.evaluate(() => sessionStorage.getItem("avatars.session")), null, "no tokens kept");
    await screenshot(page, "15-account-deleted");

    // The old profile page says "not found"; the picture is gone.
    await page.goto(`/profile.html?username=${encodeURIComponent(name)}`);
    await page.waitForFunction(() => document.title === "Profile not found");
    assert.match(await page.textContent("#status"), /no profile/i);
    assert.equal((await fetch(oldAvatar)).status, 404);

    // Signing in again under the same name is a new, empty account.
    await openAccountPage(page, name);
    assert.equal(await page.inputValue("input[name=username]"), "");
    assert.ok(await page.isHidden("#profile_danger"), "no profile to delete");
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export_data")]);
    const data = JSON.parse(await readFile(await download.path(), "utf8"));
    assert.equal(data.profile, null);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
