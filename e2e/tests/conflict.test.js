// Two tabs of one account edit its profile: the second save is refused (409) and offers
// the latest version. Each tab signs in on its own (sessions live in sessionStorage).

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  getProfile,
  launchBrowser,
  newPage,
  openAccountPage,
  saveProfile,
  screenshot,
  tokenFor,
  uniqueUsername,
  waitForState,
} from "../lib.js";

describe("concurrent edits", () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it("the second of two tabs gets a conflict and can load the latest version", { timeout: 60_000 }, async () => {
    const username = uniqueUsername();
    // The account is the one "signing in as <username>" gives, in both tabs.
    const token = await tokenFor(username);
    const created = await saveProfile({ username, fullName: "Grace Hopper", expectedVersion: 0 }, token);
    assert.equal(created.status, 201);
    assert.equal(created.body.version, 1);

    const first = await newPage(browser);
    const second = await first.context().newPage();
    second.setDefaultTimeout(15_000);
    second.problems = [];
    second.on("pageerror", (error) => second.problems.push(error.message));
    second.on("console", (msg) => {
      if (msg.type() === "error" && !/Failed to load resource/i.test(msg.text())) second.problems.push(msg.text());
    });

    for (const page of [first, second]) {
      await openAccountPage(page, username);
      await page.waitForFunction(() => document.querySelector("input[name=full-name]")?.value === "Grace Hopper");
    }

    await first.fill("input[name=full-name]", "Grace Brewster Hopper");
    await Promise.all([first.waitForURL(/profile\.html/), first.click("#profile_form [type=submit]")]);
    await first.waitForFunction(() => document.querySelector("#profile_full_name")?.textContent === "Grace Brewster Hopper");

    await second.fill("input[name=full-name]", "Admiral Hopper");
    const [response] = await Promise.all([
      second.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/profile"),
      second.click("#profile_form [type=submit]"),
    ]);
    assert.equal(response.status(), 409);
    assert.equal(response.request().postDataJSON().expectedVersion, 1);
    assert.equal((await response.json()).error.code, "version_conflict");

    const text = await waitForState(second, "error");
    assert.ok(text.length > 20, text);
    const reload = second.getByRole("link", { name: "Load the latest version" });
    assert.ok(await reload.isVisible(), "the conflict offers to load the latest version");
    await screenshot(second, "07-account-conflict");

    // Nothing from the second tab was saved.
    const stored = await getProfile(username);
    assert.equal(stored.body.fullName, "Grace Brewster Hopper");
    assert.equal(stored.body.version, 2);

    // Following the offer loads the latest version, and saving from it then works.
    await reload.click();
    await second.waitForFunction(
      () => document.querySelector("input[name=full-name]")?.value === "Grace Brewster Hopper",
    );
    assert.equal(await second.inputValue("input[name=username]"), username);
    await second.fill("input[name=full-name]", "Admiral Hopper");
    await Promise.all([second.waitForURL(/profile\.html/), second.click("#profile_form [type=submit]")]);
    await second.waitForFunction(() => document.querySelector("#profile_full_name")?.textContent === "Admiral Hopper");
    assert.equal((await getProfile(username)).body.version, 3);

    assert.deepEqual(first.problems, []);
    assert.deepEqual(second.problems, []);
    await first.context().close();
  });
});
