// A full name is text wherever it shows. Markup typed into it — an image with an error
// handler, a script end tag followed by a script — appears literally on the public profile
// page and in the account page's form, and no element or handler comes of it.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  openAccountPage,
  saveProfile,
  tokenFor,
  uniqueUsername,
  useBrowser,
} from "../lib.js";

const NAMES = [
  ["an image with an error handler", `<img src=x onerror="window.__injected='img'">`],
  ["a script end tag and a script", `</script><script>window.__injected='script'</script>`],
  ["an SVG with onload", `<svg onload="window.__injected='svg'"></svg>`],
];

/** What the markup could have created, if it had been parsed as HTML. */
async function injected(page) {
  return page.evaluate(() => ({
    flag: window.__injected ?? null,
    imgX: document.querySelectorAll("img[src='x'], img[src$='/x']").length,
    svg: document.querySelectorAll("svg[onload]").length,
    handlers: [...document.querySelectorAll("*")]
      .flatMap((el) => [...el.attributes].filter((a) => a.name.startsWith("on")).map((a) => `${el.tagName} ${a.name}`)),
    inlineScripts: [...document.scripts].filter((s) => !s.src).map((s) => s.textContent),
  }));
}

const CLEAN = { flag: null, imgX: 0, svg: 0, handlers: [], inlineScripts: [] };

describe("markup in a full name", () => {
  const browser = useBrowser();

  for (const [name, fullName] of NAMES) {
    it(`shows ${name} as text on both pages`, { timeout: 60_000 }, async () => {
      const username = uniqueUsername("markup");
      const saved = await saveProfile({ username, fullName }, await tokenFor(username));
      assert.equal(saved.status, 201, JSON.stringify(saved.body));
      assert.equal(saved.body.fullName, fullName, "stored as typed");

      const page = await browser.page();
      await page.goto(`/profile.html?username=${encodeURIComponent(username)}`);
      await page.waitForSelector("#profile_view:not([hidden])");
      assert.equal(await page.textContent("#profile_full_name"), fullName);
      assert.equal(await page.$$eval("#profile_full_name *", (els) => els.length), 0, "no element inside the heading");
      assert.equal(await page.getAttribute("#profile_avatar", "alt"), `Profile picture of ${fullName}`);
      assert.equal(await page.title(), `${fullName} (@${username})`);
      assert.deepEqual(await injected(page), CLEAN, "profile page");

      // The account page loads the same profile into its form.
      await openAccountPage(page, username);
      await page.waitForFunction(() => document.querySelector("input[name=full-name]").value !== "");
      assert.equal(await page.inputValue("input[name=full-name]"), fullName);
      assert.deepEqual(await injected(page), CLEAN, "account page");
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }
});
