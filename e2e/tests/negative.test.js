// Refusals: each ends with a human message in #status (data-state=error) and nothing saved.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BASE_URL,
  getProfile,
  makePng,
  openAccountPage,
  saveProfile,
  screenshot,
  settledStatus,
  sha256Base64,
  signUpload,
  tokenFor,
  uniqueUsername,
  useBrowser,
  waitForState,
} from "../lib.js";

const SVG = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="teal"/></svg>',
);

async function assertNotSaved(username) {
  const { status, body } = await getProfile(username);
  assert.equal(status, 404, `profile ${username} must not exist`);
  assert.equal(body?.error?.code, "not_found");
}

function assertHumanMessage(text) {
  assert.ok(text.length >= 15, `a sentence, not a code: ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, /<\/?[A-Za-z]|undefined|null|\[object/, `no markup or JS leftovers: ${text}`);
}

describe("refused pictures", () => {
  const browser = useBrowser();

  it("refuses an SVG file", async () => {
    const page = await browser.page();
    const username = uniqueUsername();
    await openAccountPage(page);
    await page.fill("input[name=username]", username);
    await page.setInputFiles("#file_input", { name: "drawing.svg", mimeType: "image/svg+xml", buffer: SVG });
    const text = await waitForState(page, "error");
    assertHumanMessage(text);
    assert.match(text, /PNG, JPEG, WebP or GIF/);
    assert.equal(await page.inputValue("input[name=avatar-key]"), "");
    await screenshot(page, "04-account-error-svg");
    assert.deepEqual(page.problems, []);
    await assertNotSaved(username);

    // The server is the judge too: it will not sign an SVG upload (and signs nothing
    // without a token).
    const body = { filename: "drawing.svg", contentType: "image/svg+xml", size: SVG.length, checksumSha256: sha256Base64(SVG) };
    assert.equal((await signUpload(body)).status, 401);
    const signed = await signUpload(body, await tokenFor(username));
    assert.equal(signed.status, 415);
    assert.equal(signed.body.error.code, "unsupported_type");
    await page.context().close();
  });

  it("refuses a 6 MiB file", async () => {
    const page = await browser.page();
    const username = uniqueUsername();
    const size = 6 * 1024 * 1024;
    const big = Buffer.alloc(size);
    makePng(8, 8).copy(big);
    await openAccountPage(page);
    await page.fill("input[name=username]", username);
    await page.setInputFiles("#file_input", { name: "huge.png", mimeType: "image/png", buffer: big });
    const text = await waitForState(page, "error");
    assertHumanMessage(text);
    assert.match(text, /5 MB/);
    assert.equal(await page.inputValue("input[name=avatar-key]"), "");
    await screenshot(page, "04-account-error-too-large");
    assert.deepEqual(page.problems, []);
    await assertNotSaved(username);

    const signed = await signUpload(
      { filename: "huge.png", contentType: "image/png", size, checksumSha256: sha256Base64(big) },
      await tokenFor(username),
    );
    assert.equal(signed.status, 413);
    assert.equal(signed.body.error.code, "too_large");
    await page.context().close();
  });

  it("uploads a text file named .png, but the save is refused (422 invalid_avatar)", async () => {
    const page = await browser.page();
    const username = uniqueUsername();
    await openAccountPage(page);
    await page.setInputFiles("#file_input", {
      name: "not-really.png",
      mimeType: "image/png",
      buffer: Buffer.from("This is plain text, not a picture.\n".repeat(20)),
    });
    // The browser and storage accept it: only the server can look inside.
    const uploaded = await settledStatus(page);
    assert.equal(uploaded.state, "uploaded", uploaded.text);

    await page.fill("input[name=username]", username);
    await page.fill("input[name=full-name]", "Not A Picture");
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/profile"),
      page.click("#profile_form [type=submit]"),
    ]);
    assert.equal(response.status(), 422);
    assert.equal((await response.json()).error.code, "invalid_avatar");

    const text = await waitForState(page, "error");
    assertHumanMessage(text);
    assert.match(text, /choose another picture/i);
    assert.ok(new URL(page.url()).pathname.endsWith("/index.html") || new URL(page.url()).pathname === "/", "stays on the form");
    assert.equal(await page.inputValue("input[name=avatar-key]"), "", "the refused key is dropped");
    await screenshot(page, "04-account-error-invalid-avatar");
    assert.deepEqual(page.problems, []);
    await assertNotSaved(username);
    await page.context().close();
  });

  it("marks an invalid username and does not send it", async () => {
    const page = await browser.page();
    await openAccountPage(page);
    let posted = false;
    page.on("request", (req) => {
      if (req.method() === "POST" && new URL(req.url()).pathname === "/api/profile") posted = true;
    });
    await page.fill("input[name=username]", "x!");
    await page.fill("input[name=full-name]", "Someone");
    await page.click("#profile_form [type=submit]");
    const text = await waitForState(page, "error");
    assert.match(text, /username/i);
    assert.equal(await page.getAttribute("input[name=username]", "aria-invalid"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.name), "username");
    assert.equal(posted, false);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("says clearly when a profile does not exist", async () => {
    const page = await browser.page();
    const username = uniqueUsername("nobody");
    await page.goto(`/profile.html?username=${username}`);
    const text = await waitForState(page, "error");
    assert.ok(text.includes(username), text);
    assert.match(text, /no profile/i);
    assert.ok(await page.isHidden("#profile_full_name"));
    await screenshot(page, "06-profile-not-found");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("another account's username is never overwritten", async () => {
    const page = await browser.page();
    const username = uniqueUsername();
    const owner = await tokenFor(username);
    assert.equal((await saveProfile({ username, fullName: "Original Owner" }, owner)).status, 201);
    await openAccountPage(page);
    await page.fill("input[name=username]", username);
    await page.fill("input[name=full-name]", "Somebody Else");
    await page.click("#profile_form [type=submit]");
    const text = await waitForState(page, "error");
    assertHumanMessage(text);
    assert.match(text, /belongs to another account/);
    assert.equal(await page.getAttribute("input[name=username]", "aria-invalid"), "true");
    assert.equal((await getProfile(username)).body.fullName, "Original Owner");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

describe("bodies that are not UTF-8", () => {
  // Through the local edge and the functions as they run: API Gateway (and the edge
  // like it) passes such a body base64-encoded; the functions refuse it, nothing is kept.
  it("are 400 invalid_request on every route that reads a body", async () => {
    const username = uniqueUsername();
    const token = await tokenFor(username);
    const bodies = [
      Buffer.concat([Buffer.from(`{"username":"${username}","fullName":"Zo`), Buffer.from([0xeb]), Buffer.from('"}')]),
      Buffer.from([0x7b, 0xc0, 0xaf, 0x7d]),
      Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
    ];
    for (const path of ["/api/profile", "/api/uploads"]) {
      for (const body of bodies) {
        const res = await fetch(`${BASE_URL}${path}`, {
          method: "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          body,
        });
        assert.equal(res.status, 400, `${path} ${body.toString("hex")}`);
        const answer = await res.json();
        assert.equal(answer.error.code, "invalid_request");
        assert.equal(answer.key, undefined);
      }
    }
    await assertNotSaved(username);
  });
});
