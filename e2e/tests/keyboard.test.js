// The whole flow with the keyboard alone (Tab, Shift+Tab, Enter, Space; the file chooser
// the keyboard opens is answered with setFiles): sign in through the provider's form,
// choose a refused picture and then a good one, choose its square (frame and zoom slider),
// fill the form, save, land on the profile.
// Along the way: where focus is after each action, and that the live status line
// announces an upload's start and end once each, not every progress tick.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  getProfile,
  makePng,
  screenshot,
  uniqueUsername,
  useBrowser,
  waitForState,
} from "../lib.js";

const WIDTHS = [
  ["desktop", { width: 1024, height: 800 }],
  ["phone", { width: 375, height: 740 }],
];

const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>');

/** What has focus: its id, or its tag and name when it has no id. */
function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return "body";
    return el.id || `${el.tagName.toLowerCase()}${el.name ? `[name=${el.name}]` : ""}${el.type ? `[type=${el.type}]` : ""}`;
  });
}

async function press(page, key) {
  await page.keyboard.press(key);
  return focused(page);
}

/** Presses `key` on the focused drop zone and answers the file chooser it opens. */
async function chooseWithKey(page, key, file) {
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press(key)]);
  await chooser.setFiles(file);
}

/** Records every text the live region shows, and every value the progress bar takes. */
function recordAnnouncements(page) {
  return page.evaluate(() => {
    const status = document.querySelector("#status");
    const progress = document.querySelector("#progress");
    window.announced = [];
    window.progressValues = [];
    new MutationObserver(() => {
      const text = status.textContent.trim();
      if (window.announced.at(-1) !== text) window.announced.push(text);
    }).observe(status, { childList: true, subtree: true, characterData: true });
    // Setting `progress.value` writes its `value` attribute.
    new MutationObserver(() => window.progressValues.push(progress.value)).observe(progress, {
      attributes: true,
      attributeFilter: ["value"],
    });
  });
}

describe("keyboard only", () => {
  const browser = useBrowser();

  for (const [width, viewport] of WIDTHS) {
    it(`signs in, uploads, fills the form and saves without a mouse — ${width}`, { timeout: 90_000 }, async () => {
      const page = await browser.page(viewport);
      const username = uniqueUsername("keys");
      page.on("filechooser", () => {}); // Playwright then intercepts the chooser the keys open

      // Signed out: the first Tab stop is Sign in; Enter goes to the provider's form.
      await page.goto("/");
      await page.waitForFunction(() => /Sign in/.test(document.querySelector("#status").textContent));
      assert.equal(await press(page, "Tab"), "sign_in");
      await Promise.all([page.waitForURL(/\/local-idp\/authorize/), page.keyboard.press("Enter")]);
      await page.waitForSelector("form input[name=username]");
      assert.equal(await focused(page), "username", "the provider's form starts in its one field");
      assert.equal(await page.getAttribute("form input[name=username]", "aria-describedby"), "username_hint");
      await page.keyboard.type(username);
      assert.equal(await press(page, "Tab"), "button[type=submit]");
      await Promise.all([
        page.waitForURL((url) => url.pathname === "/" && !url.searchParams.has("code")),
        page.keyboard.press("Enter"),
      ]);
      await page.waitForSelector("#account_name:visible");
      await page.waitForSelector("#profile_form input[name=username]:enabled");

      // Signed in: the Tab order follows the page, and Shift+Tab walks it back.
      const order = [];
      for (let i = 0; i < 5; i += 1) order.push(await press(page, "Tab"));
      assert.deepEqual(order, ["sign_out", "drop_zone", "username", "full_name", "save_button"]);
      for (const expected of ["full_name", "username", "drop_zone"]) assert.equal(await press(page, "Shift+Tab"), expected);

      // A refused picture: focus goes to the message, which the zone now points at;
      // Shift+Tab from the message is the zone again.
      await chooseWithKey(page, "Enter", { name: "drawing.svg", mimeType: "image/svg+xml", buffer: SVG });
      await waitForState(page, "error");
      assert.equal(await focused(page), "status", "focus moves to the error message");
      assert.equal(await page.getAttribute("#drop_zone", "aria-invalid"), "true");
      assert.match(await page.getAttribute("#drop_zone", "aria-describedby"), /\bstatus\b/);
      await screenshot(page, `keyboard-upload-error-${width}`);
      assert.equal(await press(page, "Shift+Tab"), "drop_zone");

      // A good picture on a slow link (Space this time): the status line says "uploading"
      // and "uploaded", once each, while the bar moves through many values.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("Network.enable");
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 96 * 1024 });
      await recordAnnouncements(page);
      await chooseWithKey(page, " ", { name: "walk.png", mimeType: "image/png", buffer: makePng(240, 240, { noise: true }) });
      await page.waitForSelector('#status[data-state="uploaded"]', { timeout: 30_000 });
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      const { announced, progressValues } = await page.evaluate(() => ({ announced: window.announced, progressValues: window.progressValues }));
      assert.deepEqual(announced, ["Uploading “walk.png”…", "“walk.png” is uploaded. Save your profile to use it."]);
      const steps = new Set(progressValues.filter((v) => v > 0 && v < 100));
      assert.ok(steps.size >= 3, `the bar moved through several values (${[...steps].join(", ")}) while the status line spoke twice`);
      assert.equal(await focused(page), "drop_zone", "a finished upload leaves focus where it was");
      assert.equal(await page.getAttribute("#drop_zone", "aria-invalid"), null, "the earlier error is cleared");

      // The crop view comes next in the Tab order: the frame (arrow keys move the
      // picture), then the zoom slider; zoomed in, the square can move.
      assert.equal(await press(page, "Tab"), "crop_frame");
      assert.equal(await press(page, "Tab"), "crop_zoom");
      for (let i = 0; i < 4; i += 1) await page.keyboard.press("ArrowRight");
      assert.equal(await page.getAttribute("#crop_zoom", "aria-valuetext"), "120%");
      assert.equal(await press(page, "Shift+Tab"), "crop_frame");
      const square = () => page.$eval("#crop_frame", (f) => [f.dataset.x, f.dataset.y, f.dataset.size].map(Number));
      assert.deepEqual(await square(), [20, 20, 200], "zooming keeps the centre");
      await page.keyboard.press("Shift+ArrowRight");
      assert.deepEqual(await square(), [0, 20, 200], "Shift+arrow moves the picture a big step, up to the edge");
      await page.keyboard.press("ArrowUp");
      assert.deepEqual(await square(), [0, 30, 200], "an arrow moves the picture a small step");
      assert.equal(await press(page, "Tab"), "crop_zoom");

      // The form: a missing full name sends focus back to that field, which points at
      // the message; then it is filled and saved with Enter on the button.
      assert.equal(await press(page, "Tab"), "username");
      await page.keyboard.type(username);
      assert.equal(await press(page, "Tab"), "full_name");
      assert.equal(await press(page, "Tab"), "save_button");
      await page.keyboard.press("Enter");
      await waitForState(page, "error");
      assert.equal(await focused(page), "full_name", "focus goes to the field at fault");
      assert.match(await page.getAttribute("#full_name", "aria-describedby"), /\bstatus\b/);
      await page.keyboard.type("Keyboard Walker");
      assert.equal(await press(page, "Tab"), "save_button");
      await Promise.all([page.waitForURL(/profile\.html/), page.keyboard.press("Enter")]);

      // The profile page says it is saved and starts at the result.
      await page.waitForSelector("#profile_full_name:visible");
      await page.waitForFunction(() => document.activeElement?.id === "profile_full_name");
      assert.equal(await page.textContent("#profile_full_name"), "Keyboard Walker");
      assert.equal((await page.textContent("#status")).trim(), "Your profile is saved.");
      await screenshot(page, `keyboard-saved-${width}`);
      assert.equal(await press(page, "Tab"), "edit_link");

      const saved = await getProfile(username);
      assert.equal(saved.status, 200);
      assert.match(saved.body.avatarUrl, new RegExp(`^/avatars/${username}/`));
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
});
