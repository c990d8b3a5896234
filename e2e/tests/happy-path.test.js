// The main flow: choose a picture → preview → presigned POST straight to storage with a
// progress bar → save the form → the profile page shows the published avatar.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  assertShowsAvatar,
  avatarShown,
  BASE_URL,
  getProfile,
  imageSize,
  makePng,
  openAccountPage,
  assertOnlyVariantsServed,
  screenshot,
  settledStatus,
  sha256Base64,
  statusOf,
  submitProfile,
  uniqueUsername,
  useBrowser,
} from "../lib.js";

describe("happy path", () => {
  const browser = useBrowser();

  it("uploads a PNG straight to storage, saves the profile and shows it", { timeout: 90_000 }, async () => {
    const page = await browser.page();
    const username = uniqueUsername();
    const fullName = "Ada Lovelace (e2e)";

    const refused = [];
    page.on("response", (res) => {
      if (res.status() >= 400) refused.push(`${res.status()} ${new URL(res.url()).pathname}`);
    });
    const signs = [];
    page.on("request", (req) => {
      if (req.method() === "POST" && new URL(req.url()).pathname === "/api/uploads") signs.push(req);
    });

    await openAccountPage(page);
    assert.equal((await statusOf(page)).state, "idle");
    const idlePreview = await imageSize(page, "#preview");
    assert.ok(idlePreview.width > 0, "the default avatar is shown before any choice");
    await screenshot(page, "01-account-idle");

    await page.setInputFiles("#file_input", { name: "me.png", mimeType: "image/png", buffer: makePng(64, 64) });

    // Instant local preview, before the upload finishes.
    await page.waitForFunction(() => document.querySelector("#preview").src.startsWith("blob:"));

    const settled = await settledStatus(page);
    assert.equal(settled.state, "uploaded", `upload should succeed, status says: ${settled.text}`);
    assert.equal(settled.text, "“me.png” is uploaded. Save your profile to use it.");
    await page.waitForFunction(() => document.querySelector("#progress").value === 100);
    assert.equal(await page.textContent("#progress_text"), "100%");
    assert.equal(await page.$eval("#progress", (p) => p.max), 100);

    const preview = await imageSize(page, "#preview");
    assert.ok(preview.src.startsWith("blob:"), "preview is the local file");
    assert.deepEqual([preview.width, preview.height], [64, 64]);

    const key = await page.inputValue("input[name=avatar-key]");
    // incoming/{the account's sub}/{uuid v4}.png
    assert.match(key, /^incoming\/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\.png$/);
    assert.equal(signs.length, 1, "one presigned POST was asked for");
    assert.deepEqual(JSON.parse(signs[0].postData()), {
      filename: "me.png",
      contentType: "image/png",
      size: makePng(64, 64).length,
      checksumSha256: sha256Base64(makePng(64, 64)),
    });
    assert.ok(await page.isEnabled("#profile_form [type=submit]"), "submit is enabled after the upload");
    await screenshot(page, "03-account-uploaded");

    await page.fill("input[name=username]", username);
    await page.fill("input[name=full-name]", fullName);
    await Promise.all([
      page.waitForURL((url) => url.pathname.endsWith("/profile.html") && url.searchParams.get("username") === username),
      page.click("#profile_form [type=submit]"),
    ]);

    await page.waitForFunction(
      (name) => document.querySelector("#profile_full_name")?.textContent === name,
      fullName,
    );
    assert.equal(await page.textContent("#profile_username"), username);
    // The page shows a square variant of the avatar (the original when there are none).
    const avatar = await avatarShown(page, "#profile_avatar");
    assertShowsAvatar(avatar, (await getProfile(username)).body, [64, 64]);
    const edit = await page.getAttribute("text=Edit profile", "href");
    assert.equal(new URL(edit, BASE_URL).pathname, "/index.html", "editing is of one's own profile");
    await screenshot(page, "05-profile");

    // The API agrees, and the published avatar is the same picture, as a PNG.
    const saved = await getProfile(username);
    assert.equal(saved.status, 200);
    assert.equal(saved.body.fullName, fullName);
    assert.equal(saved.body.version, 1);
    assert.ok(saved.body.avatarUrl.startsWith(`/avatars/${username}/`), saved.body.avatarUrl);
    // What is served is rendered from pixels: the 512 px WebP, never the uploaded PNG.
    await assertOnlyVariantsServed(saved.body, "png");

    // (4) No console errors anywhere on the happy path.
    assert.deepEqual(page.problems, []);
    // A new account has no profile yet: its one 404 is GET /api/me, and nothing else fails.
    assert.deepEqual(refused, ["404 /api/me"]);
    assert.equal(page.failedLoads.length, 1, page.failedLoads.join(" | "));
    await page.context().close();
  });

  it("edits an existing profile: pre-fills the form and keeps the avatar", { timeout: 60_000 }, async () => {
    const page = await browser.page();
    const username = uniqueUsername();

    // Create it through the page, with a picture.
    await openAccountPage(page);
    await page.setInputFiles("#file_input", { name: "first.png", mimeType: "image/png", buffer: makePng(48, 48) });
    assert.equal((await settledStatus(page)).state, "uploaded");
    await page.fill("input[name=username]", username);
    await page.fill("input[name=full-name]", "First Name");
    await submitProfile(page);
    const created = await getProfile(username);
    assert.equal(created.status, 200);

    // Follow "Edit profile": the form is pre-filled and shows the current avatar.
    await page.click("text=Edit profile");
    await page.waitForFunction(
      (name) => document.querySelector("input[name=full-name]")?.value === name,
      "First Name",
    );
    assert.equal(await page.inputValue("input[name=username]"), username);
    assert.equal(await page.getAttribute("input[name=username]", "readonly"), "", "a username is permanent once saved");
    assertShowsAvatar(await avatarShown(page, "#preview"), created.body, [48, 48]);

    // Change only the name: no new upload, so the avatar stays.
    await page.fill("input[name=full-name]", "Second Name");
    await submitProfile(page);
    await page.waitForFunction(() => document.querySelector("#profile_full_name")?.textContent === "Second Name");
    const updated = await getProfile(username);
    assert.equal(updated.body.version, 2);
    assert.equal(updated.body.avatarUrl, created.body.avatarUrl);

    // Back to the form (perhaps from the back/forward cache): it must not save a stale version.
    await page.goBack();
    await page.waitForURL(/index\.html/);
    await page.waitForSelector("#profile_form [type=submit]:enabled");
    await page.waitForFunction(() => document.querySelector("input[name=full-name]")?.value === "Second Name");
    await page.fill("input[name=full-name]", "Third Name");
    await submitProfile(page);
    await page.waitForFunction(() => document.querySelector("#profile_full_name")?.textContent === "Third Name");
    assert.equal((await getProfile(username)).body.version, 3);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("works with the keyboard and by drag and drop, at phone width", { timeout: 60_000 }, async () => {
    const page = await browser.page({ width: 375, height: 740 });
    await openAccountPage(page);

    // Real labels.
    assert.equal(await page.getAttribute("input[name=username]", "id"), await page.getAttribute("label:has-text('Username')", "for"));
    assert.equal(await page.getAttribute("input[name=full-name]", "id"), await page.getAttribute("label:has-text('Full name')", "for"));
    assert.equal(await page.getAttribute("#status", "aria-live"), "polite");
    assert.ok(await page.$("noscript"), "a <noscript> notice is present");

    // Nothing overflows a 375 px screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);

    // The drop zone is reachable with Tab and opens the picker with Enter and Space.
    await page.focus("body");
    let reached = false;
    for (let i = 0; i < 10 && !reached; i += 1) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.id === "drop_zone");
    }
    assert.ok(reached, "#drop_zone is reachable with the Tab key");
    const outline = await page.$eval("#drop_zone", (el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(outline, "none", "the focused drop zone shows a focus ring");
    await screenshot(page, "02-account-mobile-focus");

    // A standing listener makes Playwright intercept the picker before the key is pressed.
    page.on("filechooser", () => {});
    for (const [key, name] of [["Enter", "enter.png"], [" ", "space.png"]]) {
      await page.focus("#drop_zone");
      const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press(key)]);
      assert.equal(chooser.isMultiple(), false);
      await chooser.setFiles({ name, mimeType: "image/png", buffer: makePng(32, 32) });
      const settled = await settledStatus(page);
      assert.equal(settled.state, "uploaded", settled.text);
      assert.ok(settled.text.includes(name), settled.text);
    }

    // Dropping a file on the zone uploads it too.
    const dataTransfer = await page.evaluateHandle(async (b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
      return dt;
    }, makePng(40, 40).toString("base64"));
    const keyBefore = await page.inputValue("input[name=avatar-key]");
    await page.dispatchEvent("#drop_zone", "dragenter", { dataTransfer });
    await page.dispatchEvent("#drop_zone", "drop", { dataTransfer });
    await page.waitForFunction(
      (before) => {
        const key = document.querySelector("input[name=avatar-key]").value;
        return key && key !== before && document.querySelector("#status").dataset.state === "uploaded";
      },
      keyBefore,
    );
    assert.equal((await imageSize(page, "#preview")).width, 40);
    await screenshot(page, "03-account-mobile-uploaded");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
