// The accessibility audit of every page state, at desktop and phone widths: axe-core's
// WCAG 2.0/2.1/2.2 A and AA rules must find nothing. Each audited state is also kept as a
// screenshot (a11y-<state>-<width>.png), so a reviewer sees what was audited.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertAccessible } from "../a11y.js";
import {
  makePng,
  openAccountPage,
  saveProfile,
  screenshot,
  statusOf,
  tokenFor,
  uniqueUsername,
  useBrowser,
  waitForState,
} from "../lib.js";

const WIDTHS = [
  ["desktop", { width: 1024, height: 800 }],
  ["phone", { width: 375, height: 740 }],
];

const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>');

/** Audits the page as it is now and keeps a screenshot of what was audited. */
async function auditState(page, state, variant) {
  await screenshot(page, `a11y-${state}-${variant}`);
  await assertAccessible(page, `${state} (${variant})`);
}

/**
 * WCAG 1.4.11 (non-text contrast), which axe does not check: a text field's border is what
 * shows where to type, so it needs 3:1 against the card it sits on.
 */
async function assertFieldOutlines(page, label) {
  const found = await page.evaluate(() => {
    const rgb = (text) => text.match(/[\d.]+/g).slice(0, 3).map(Number);
    const luminance = (c) => {
      const [r, g, b] = c.map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const card = rgb(getComputedStyle(document.querySelector(".card")).backgroundColor);
    return [...document.querySelectorAll("input[type=text]:not(:disabled)")].map((input) => {
      const [hi, lo] = [luminance(rgb(getComputedStyle(input).borderTopColor)), luminance(card)].sort((a, b) => b - a);
      return { name: input.name, ratio: (hi + 0.05) / (lo + 0.05) };
    });
  });
  assert.ok(found.length > 0, `${label}: no text fields found`);
  for (const { name, ratio } of found) assert.ok(ratio >= 3, `${label}: the ${name} field's border is ${ratio.toFixed(2)}:1 against the card`);
}

/**
 * Slows uploads to ~64 KB/s, so an upload can be audited while it runs. The link stays slow
 * until the page closes: changing it under a running upload can stall that upload.
 */
async function throttleUploads(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 20,
    downloadThroughput: -1,
    uploadThroughput: 64 * 1024,
  });
}

/** Chooses a ~170 KB picture on the slow link and audits it mid-upload, then uploaded. */
async function auditUpload(page, variant) {
  await throttleUploads(page);
  await page.setInputFiles("#file_input", { name: "slow.png", mimeType: "image/png", buffer: makePng(240, 240, { noise: true }) });
  await page.waitForFunction(() => {
    const p = document.querySelector("#progress").value;
    return p >= 10 && p < 90;
  }, null, { timeout: 20_000 });
  await auditState(page, "account-uploading", variant);
  await page.waitForSelector('#status[data-state="uploaded"], #status[data-state="error"]', { timeout: 30_000 });
  const { state, text } = await statusOf(page);
  assert.equal(state, "uploaded", text);
  await auditState(page, "account-uploaded", variant);
}

describe("accessibility audit (axe-core, WCAG 2.2 AA)", () => {
  const browser = useBrowser();

  for (const [width, viewport] of WIDTHS) {
    it(`account page signed out, and the local sign-in page — ${width}`, { timeout: 60_000 }, async () => {
      const page = await browser.page(viewport);
      await page.goto("/");
      await page.waitForSelector("#sign_in:visible");
      await waitForState(page, "idle");
      await page.waitForFunction(() => /Sign in/.test(document.querySelector("#status").textContent));
      await auditState(page, "account-signed-out", width);

      await Promise.all([page.waitForURL(/\/local-idp\/authorize/), page.click("#sign_in")]);
      await page.waitForSelector("form input[name=username]");
      await auditState(page, "sign-in", width);

      // A name the provider refuses: the form again, with its error tied to the field.
      await page.fill("form input[name=username]", "no spaces allowed");
      await Promise.all([page.waitForLoadState("load"), page.click("form [type=submit]")]);
      await page.waitForSelector("form input[name=username][aria-invalid=true]");
      await auditState(page, "sign-in-error", width);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });

    it(`account page signed in: new account, form error, uploading, uploaded, refused picture — ${width}`, { timeout: 90_000 }, async () => {
      const page = await browser.page(viewport);
      await openAccountPage(page);
      await auditState(page, "account-signed-in", width);
      await assertFieldOutlines(page, `account-signed-in (${width})`);

      // Saving with the form unfilled: the message and the field at fault.
      await page.click("#profile_form [type=submit]");
      await waitForState(page, "error");
      await page.waitForSelector("input[name=username][aria-invalid=true]");
      await auditState(page, "account-form-error", width);

      // Mid-upload: the progress bar and status while the picture is on its way.
      await auditUpload(page, width);

      // A picture the page refuses.
      await page.setInputFiles("#file_input", { name: "drawing.svg", mimeType: "image/svg+xml", buffer: SVG });
      await waitForState(page, "error");
      await auditState(page, "account-upload-error", width);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });

    it(`profile page found, not found and unnamed — ${width}`, { timeout: 60_000 }, async () => {
      const username = uniqueUsername("a11y");
      const saved = await saveProfile({ username, fullName: "Grace Hopper" }, await tokenFor(username));
      assert.equal(saved.status, 201, JSON.stringify(saved.body));

      const page = await browser.page(viewport);
      await page.goto(`/profile.html?username=${encodeURIComponent(username)}`);
      await page.waitForSelector("#profile_full_name:visible");
      await auditState(page, "profile", width);

      await page.goto(`/profile.html?username=${encodeURIComponent(uniqueUsername("nobody"))}`);
      await waitForState(page, "error");
      await page.waitForSelector("#create_link:visible");
      await auditState(page, "profile-not-found", width);

      await page.goto("/profile.html");
      await waitForState(page, "error");
      await auditState(page, "profile-unnamed", width);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }

  // WCAG 1.4.10 Reflow: at 320 CSS px (a 1280 px window zoomed to 400%) nothing needs
  // scrolling sideways, even with a long name and a long error message.
  it("reflows at 320 px wide without scrolling sideways", { timeout: 60_000 }, async () => {
    const page = await browser.page({ width: 320, height: 256 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await openAccountPage(page, uniqueUsername("a_rather_long_account_name_that_must_wrap"));
    assert.ok((await overflow()) <= 0, `signed in: ${await overflow()}px too wide`);
    await page.setInputFiles("#file_input", { name: `${"long-file-name-".repeat(8)}.svg`, mimeType: "image/svg+xml", buffer: SVG });
    await waitForState(page, "error");
    assert.ok((await overflow()) <= 0, `with an error: ${await overflow()}px too wide`);
    await screenshot(page, "a11y-account-upload-error-320px");
    await assertAccessible(page, "account-upload-error (320px)");

    await page.goto(`/profile.html?username=${encodeURIComponent(uniqueUsername("nobody_with_a_long_name"))}`);
    await waitForState(page, "error");
    assert.ok((await overflow()) <= 0, `profile not found: ${await overflow()}px too wide`);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  // The site follows the system's colour scheme: its dark colours must pass too.
  it("the same states in the dark colour scheme", { timeout: 90_000 }, async () => {
    const username = uniqueUsername("a11y");
    const saved = await saveProfile({ username, fullName: "Katherine Johnson" }, await tokenFor(username));
    assert.equal(saved.status, 201, JSON.stringify(saved.body));
    const page = await browser.page();
    await page.emulateMedia({ colorScheme: "dark" });

    await page.goto("/");
    await page.waitForFunction(() => /Sign in/.test(document.querySelector("#status").textContent));
    await auditState(page, "account-signed-out", "dark");
    await Promise.all([page.waitForURL(/\/local-idp\/authorize/), page.click("#sign_in")]);
    await page.waitForSelector("form input[name=username]");
    await auditState(page, "sign-in", "dark");

    await openAccountPage(page);
    await auditState(page, "account-signed-in", "dark");
    await assertFieldOutlines(page, "account-signed-in (dark)");
    await page.click("#profile_form [type=submit]");
    await waitForState(page, "error");
    await auditState(page, "account-form-error", "dark");
    await auditUpload(page, "dark");
    await page.setInputFiles("#file_input", { name: "drawing.svg", mimeType: "image/svg+xml", buffer: SVG });
    await waitForState(page, "error");
    await auditState(page, "account-upload-error", "dark");

    await page.goto(`/profile.html?username=${encodeURIComponent(username)}`);
    await page.waitForSelector("#profile_full_name:visible");
    await auditState(page, "profile", "dark");
    await page.goto(`/profile.html?username=${encodeURIComponent(uniqueUsername("nobody"))}`);
    await waitForState(page, "error");
    await auditState(page, "profile-not-found", "dark");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
