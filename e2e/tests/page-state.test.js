// What the page says while it works, and whose size limit it applies: a save in flight
// shows data-state=saving; the pre-check follows the server's maxBytes, not a built-in 5 MiB.

import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import {
  BASE_URL,
  getProfile,
  makePng,
  openAccountPage,
  settledStatus,
  uniqueUsername,
  useBrowser,
  waitForState,
} from "../lib.js";

const MIB = 1024 * 1024;

/** A PNG of `size` bytes: a real 8×8 picture padded with zeros (the page checks no more). */
function pngOfSize(size) {
  const big = Buffer.alloc(size);
  makePng(8, 8).copy(big);
  return big;
}

describe("the page's state and limits", () => {
  const browser = useBrowser();

  it("shows data-state=saving while the save is in flight", async () => {
    const page = await browser.page();
    const username = uniqueUsername();
    await openAccountPage(page, username);
    await page.fill("input[name=username]", username);
    await page.fill("input[name=full-name]", "Saving State");

    // Hold the save until the test has seen the state, then let it through.
    let release;
    const held = new Promise((resolve) => {
      release = resolve;
    });
    await page.route(`${BASE_URL}/api/profile`, async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      await held;
      return route.continue();
    });
    await page.click("#profile_form [type=submit]");
    const text = await waitForState(page, "saving");
    assert.match(text, /Saving/);
    assert.equal(await page.getAttribute("#profile_form", "aria-busy"), "true");
    release();
    await page.waitForURL(/profile\.html/);
    assert.equal((await getProfile(username)).status, 200);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("follows the server's maxBytes in both directions", async () => {
    const page = await browser.page();
    await openAccountPage(page);
    let limit = 8 * MIB;
    const asked = [];
    await page.route(`${BASE_URL}/api/uploads`, async (route) => {
      const { size } = route.request().postDataJSON();
      asked.push(size);
      if (size > 5 * MIB) {
        // The real server's limit is 5 MiB and would answer 413: a stand-in answer shows
        // that the request got past the page's own check, which is what is under test.
        return route.fulfill({
          status: 503,
          contentType: "application/json",
          body: JSON.stringify({ error: { code: "unavailable", message: "Storage is resting; try again." } }),
        });
      }
      const response = await route.fetch();
      const json = await response.json();
      json.maxBytes = limit;
      return route.fulfill({ response, json });
    });

    // A first upload teaches the page the server's limit (8 MiB here).
    await page.setInputFiles("#file_input", { name: "small.png", mimeType: "image/png", buffer: makePng(8, 8) });
    assert.equal((await settledStatus(page)).state, "uploaded");
    assert.match(await page.textContent("#limits_hint"), /8 MB/);

    // 6 MiB is over the page's old built-in 5 MiB but under the server's: the page asks.
    await page.setInputFiles("#file_input", { name: "six.png", mimeType: "image/png", buffer: pngOfSize(6 * MIB) });
    const six = await settledStatus(page);
    assert.equal(six.state, "error");
    assert.match(six.text, /resting/, "the server's answer, not the page's size check");
    assert.ok(asked.includes(6 * MIB), `the page asked to sign 6 MiB: ${asked}`);

    // A lower server limit is applied before asking.
    limit = 1 * MIB;
    await page.setInputFiles("#file_input", { name: "small2.png", mimeType: "image/png", buffer: makePng(9, 9) });
    assert.equal((await settledStatus(page)).state, "uploaded");
    const before = asked.length;
    await page.setInputFiles("#file_input", { name: "two.png", mimeType: "image/png", buffer: pngOfSize(2 * MIB) });
    const two = await settledStatus(page);
    assert.equal(two.state, "error");
    assert.match(two.text, /over the 1 MB limit/);
    assert.equal(asked.length, before, "refused by the page, nothing asked");
    await page.context().close();
  });
});
