// Sign-in through the real pages (the development provider locally, Cognito's managed
// login on AWS): a session that survives a reload, sign-out, another account that cannot
// save over a profile, and a 401 mid-edit that loses neither the form nor the upload.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  assertShowsAvatar,
  avatarShown,
  getProfile,
  makePng,
  openAccountPage,
  screenshot,
  settledStatus,
  signIn,
  submitProfile,
  uniqueUsername,
  useBrowser,
  waitForState,
} from "../lib.js";

async function saveAndShow(page) {
  await submitProfile(page);
  await page.waitForSelector("#profile_full_name:visible");
}

describe("sign-in", () => {
  const browser = useBrowser();

  it("signs in as a new name, saves, and stays signed in across a reload", { timeout: 90_000 }, async () => {
    const page = await browser.page();
    const name = uniqueUsername("ada");
    await page.goto("/");
    assert.ok(await page.isVisible("#sign_in"), "signed out: Sign in is offered");
    assert.ok(await page.isHidden("#sign_out"));
    assert.ok(await page.isHidden("#account_name"));
    await screenshot(page, "08-signed-out");

    await signIn(page, name);
    assert.equal(await page.textContent("#account_name"), name);
    assert.ok(await page.isHidden("#sign_in"));
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: Object.keys(sessionStorage) }));
    assert.equal(stored.local, 0, "tokens never go to localStorage");
    assert.ok(stored.session.includes("avatars.session"), stored.session.join(","));
    await screenshot(page, "09-signed-in");

    await page.setInputFiles("#file_input", { name: "me.png", mimeType: "image/png", buffer: makePng(40, 40) });
    assert.equal((await settledStatus(page)).state, "uploaded");
    await page.fill("input[name=username]", name);
    await page.fill("input[name=full-name]", "Ada Signed-In");
    await saveAndShow(page);

    // Back on the account page after a reload: still signed in, the profile loads.
    await page.goto("/");
    await page.reload();
    await page.waitForSelector("#account_name:visible");
    await page.waitForFunction(() => document.querySelector("input[name=full-name]")?.value === "Ada Signed-In");
    assert.equal(await page.inputValue("input[name=username]"), name);
    assert.equal(await page.getAttribute("input[name=username]", "readonly"), "");
    const saved = await getProfile(name);
    assertShowsAvatar(await avatarShown(page, "#preview"), saved.body, [40, 40]);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("after signing out, editing needs sign-in again", { timeout: 60_000 }, async () => {
    const page = await browser.page();
    const name = uniqueUsername("bye");
    await openAccountPage(page, name);
    await Promise.all([page.waitForURL((url) => url.pathname === "/"), page.click("#sign_out")]);
    await page.waitForSelector("#sign_in:visible");
    assert.ok(await page.isHidden("#account_name"));
    assert.equal(await page.evaluate(() => sessionStorage.getItem("avatars.session")), null, "the session is gone");
    assert.ok(await page.isDisabled("#profile_form [type=submit]"), "nothing to save while signed out");
    assert.match((await page.textContent("#status")).trim(), /Sign in/);

    // Choosing a picture while signed out starts with signing in.
    await Promise.all([page.waitForURL(/\/local-idp\/authorize/), page.click("#drop_zone")]);
    assert.ok(await page.isVisible("form input[name=username]"));
    await page.context().close();
  });

  it("another account cannot save over a profile and is told why", { timeout: 90_000 }, async () => {
    const owner = await browser.page();
    const name = uniqueUsername("owner");
    await openAccountPage(owner, name);
    await owner.fill("input[name=username]", name);
    await owner.fill("input[name=full-name]", "The Owner");
    await saveAndShow(owner);
    const before = await getProfile(name);

    // A second browser context: another person, signed in as someone else.
    const other = await browser.page();
    await openAccountPage(other, uniqueUsername("mallory"));
    await other.setInputFiles("#file_input", { name: "x.png", mimeType: "image/png", buffer: makePng(16, 16) });
    assert.equal((await settledStatus(other)).state, "uploaded");
    await other.fill("input[name=username]", name);
    await other.fill("input[name=full-name]", "Not The Owner");
    const [response] = await Promise.all([
      other.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/profile"),
      other.click("#profile_form [type=submit]"),
    ]);
    assert.equal(response.status(), 409);
    assert.equal((await response.json()).error.code, "username_taken");
    const text = await waitForState(other, "error");
    assert.match(text, /belongs to another account/);
    assert.equal(await other.evaluate(() => document.activeElement?.name), "username", "focus goes to the field at fault");
    await screenshot(other, "10-username-taken");

    const after = await getProfile(name);
    assert.deepEqual(after.body, before.body, "the owner's profile is unchanged");
    assert.deepEqual(owner.problems, []);
    assert.deepEqual(other.problems, []);
    await owner.context().close();
    await other.context().close();
  });

  it("a 401 mid-edit signs in again and keeps the form and the finished upload", { timeout: 90_000 }, async () => {
    const page = await browser.page();
    const name = uniqueUsername("expired");
    await openAccountPage(page, name);
    await page.setInputFiles("#file_input", { name: "kept.png", mimeType: "image/png", buffer: makePng(240, 160) });
    assert.equal((await settledStatus(page)).state, "uploaded");
    const key = await page.inputValue("input[name=avatar-key]");
    // A square off-centre: zoomed in and moved to the top-left corner.
    await page.focus("#crop_zoom");
    for (let i = 0; i < 20; i += 1) await page.keyboard.press("ArrowRight");
    await page.focus("#crop_frame");
    for (let i = 0; i < 8; i += 1) await page.keyboard.press("Shift+ArrowRight");
    for (let i = 0; i < 8; i += 1) await page.keyboard.press("Shift+ArrowDown");
    const square = { x: 0, y: 0, size: 80 };
    assert.deepEqual(await page.$eval("#crop_frame", (f) => ({ x: +f.dataset.x, y: +f.dataset.y, size: +f.dataset.size })), square);
    const sent = [];
    page.on("request", (req) => {
      if (req.method() === "POST" && new URL(req.url()).pathname === "/api/profile") sent.push(JSON.parse(req.postData()));
    });
    await page.fill("input[name=username]", name);
    await page.fill("input[name=full-name]", "Kept Across Sign-In");

    // The token goes bad while the page is open (revoked, or the tab slept past its
    // expiry): the API answers the save with API Gateway's 401.
    await page.route("**/api/profile", (route) =>
      route.fulfill({ status: 401, contentType: "application/json", body: '{"message":"Unauthorized"}' }),
    );
    await Promise.all([
      page.waitForURL(/\/local-idp\/authorize/),
      page.click("#profile_form [type=submit]"),
    ]);
    await page.unroute("**/api/profile");

    // Signing in again as the same person comes back to the form as it was.
    await page.fill("form input[name=username]", name);
    await Promise.all([page.waitForURL((url) => url.pathname === "/"), page.click("form [type=submit]")]);
    await waitForState(page, "uploaded");
    assert.equal(await page.inputValue("input[name=full-name]"), "Kept Across Sign-In");
    assert.equal(await page.inputValue("input[name=username]"), name);
    assert.equal(await page.inputValue("input[name=avatar-key]"), key, "the finished upload is kept");
    // The picture itself is gone with the page it was chosen in; a small drawing of the
    // chosen square stands in for it, and the square is sent with the upload.
    assert.match(await page.getAttribute("#preview", "src"), /^data:image\//);
    assert.ok(await page.isHidden("#crop_view"), "no crop view without the picture");
    await saveAndShow(page);
    assert.equal(sent.length, 2, "the refused save and the one after signing in");
    assert.deepEqual(sent.map((body) => body.crop), [square, square], "the chosen square is kept across sign-in");
    const saved = await getProfile(name);
    assert.equal(saved.body.fullName, "Kept Across Sign-In");
    assert.match(saved.body.avatarUrl, new RegExp(`^/avatars/${name}/`));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
