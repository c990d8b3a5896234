// Taking data back: "Remove picture" and "Delete profile", each behind a confirmation,
// with the objects and items really gone and the person still signed in.

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { assertAccessible } from "../a11y.js";
import {
  BASE_URL,
  getProfile,
  screenshot,
  signInUploadAndSave,
  statusOf,
  submitProfile,
  uniqueUsername,
  useBrowser,
} from "../lib.js";

/** Signs in as a new account, saves a profile with a picture, and opens the account page. */
async function profileWithPicture(page) {
  const saved = await signInUploadAndSave(page, { name: uniqueUsername("data"), fullName: "Data Owner" });
  await page.goto("/");
  await page.waitForSelector("#delete_profile:visible");
  return saved;
}

describe("remove picture and delete profile", () => {
  const browser = useBrowser();

  it("removes the picture after a confirmation, and the old object is gone", { timeout: 90_000 }, async () => {
    const page = await browser.page();
    const { name, saved } = await profileWithPicture(page);
    const oldAvatar = `${BASE_URL}${saved.body.avatarUrl}`;
    assert.equal((await fetch(oldAvatar)).status, 200);

    // Cancel first: nothing changes, focus returns to the button.
    await page.click("#remove_picture");
    await page.waitForSelector("#confirm_dialog[open]");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "confirm_cancel", "focus starts on Cancel");
    await screenshot(page, "11-confirm-remove-picture");
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !document.querySelector("#confirm_dialog").open);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "remove_picture");
    assert.equal((await getProfile(name)).body.avatarUrl, saved.body.avatarUrl);

    await page.click("#remove_picture");
    await page.click("#confirm_ok");
    await page.waitForFunction(() => /was removed/.test(document.querySelector("#status").textContent));
    assert.equal((await statusOf(page)).state, "idle");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "status", "the result gets focus");
    assert.ok(await page.isHidden("#remove_picture"), "nothing left to remove");
    const after = await getProfile(name);
    assert.equal(after.body.avatarUrl, "/default-avatar.svg");
    assert.equal(after.body.version, saved.body.version + 1);
    // The CDN (here: the edge) no longer serves the old picture.
    assert.equal((await fetch(oldAvatar)).status, 404);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("deletes the profile after a confirmation; still signed in, a new profile can be made", { timeout: 90_000 }, async () => {
    const page = await browser.page();
    const { name, saved } = await profileWithPicture(page);
    const oldAvatar = `${BASE_URL}${saved.body.avatarUrl}`;

    await page.click("#delete_profile");
    await page.waitForSelector("#confirm_dialog[open]");
    assert.match(await page.textContent("#confirm_text"), new RegExp(name));
    await screenshot(page, "12-confirm-delete-profile");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "DELETE" && new URL(r.url()).pathname === "/api/profile"),
      page.click("#confirm_ok"),
    ]);
    assert.equal(response.status(), 204);
    await page.waitForFunction(() => /deleted/.test(document.querySelector("#status").textContent));
    assert.match(await page.textContent("#status"), /still signed in/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), "status");
    await screenshot(page, "13-profile-deleted");

    // Gone for everyone: the profile, the picture; the username is free.
    assert.equal((await getProfile(name)).status, 404);
    assert.equal((await fetch(oldAvatar)).status, 404);
    assert.ok(await page.isVisible("#account_name"), "still signed in");
    assert.ok(await page.isHidden("#profile_danger"));
    assert.equal(await page.inputValue("input[name=username]"), "");
    assert.equal(await page.getAttribute("input[name=username]", "readonly"), null);

    // The same account creates a profile again, under another name.
    const again = uniqueUsername("again");
    await page.fill("input[name=username]", again);
    await page.fill("input[name=full-name]", "Back Again");
    await submitProfile(page);
    assert.equal((await getProfile(again)).status, 200);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

describe("remove picture and delete profile: accessibility", () => {
  const browser = useBrowser();

  for (const [variant, size] of [
    ["desktop", { width: 1024, height: 800 }],
    ["phone", { width: 375, height: 740 }],
  ]) {
    it(`the buttons, both confirmations and the deleted state pass the audit (${variant})`, { timeout: 90_000 }, async () => {
      const page = await browser.page(size);
      await profileWithPicture(page);
      await assertAccessible(page, `account-with-profile (${variant})`);
      for (const button of ["#remove_picture", "#delete_profile"]) {
        await page.click(button);
        await page.waitForSelector("#confirm_dialog[open]");
        await assertAccessible(page, `confirm ${button} (${variant})`);
        await screenshot(page, `a11y-confirm-${button.slice(1)}-${variant}`);
        await page.keyboard.press("Escape");
        await page.waitForFunction(() => !document.querySelector("#confirm_dialog").open);
      }
      await page.click("#delete_profile");
      await page.click("#confirm_ok");
      await page.waitForFunction(() => /deleted/.test(document.querySelector("#status").textContent));
      await assertAccessible(page, `profile-deleted (${variant})`);
      await screenshot(page, `a11y-profile-deleted-${variant}`);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
});
