// Two tabs of one account edit its profile: the second save is refused (409) and offers
// the latest version. Each tab signs in on its own (sessions live in sessionStorage).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  getProfile,
  newPage,
  openAccountPage,
  saveProfile,
  screenshot,
  submitProfile,
  tokenFor,
  uniqueUsername,
  useBrowser,
  waitForState,
} from "../lib.js";

describe("concurrent edits", () => {
  const browser = useBrowser();

  it("the second of two tabs gets a conflict and can load the latest version", { timeout: 60_000 }, async () => {
    const username = uniqueUsername();
    // The account is the one "signing in as <username>" gives, in both tabs.
    const token = await tokenFor(username);
    const created = await saveProfile({ username, fullName: "Grace Hopper", expectedVersion: 0 }, token);
    assert.equal(created.status, 201);
    assert.equal(created.body.version, 1);

    const first = await browser.page();
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
    await submitProfile(first);
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
    await submitProfile(second);
    await second.waitForFunction(() => document.querySelector("#profile_full_name")?.textContent === "Admiral Hopper");
    assert.equal((await getProfile(username)).body.version, 3);

    assert.deepEqual(first.problems, []);
    assert.deepEqual(second.problems, []);
    await first.context().close();
  });
});
