// The browser ↔ storage leg: progress on a slow link, aborting a superseded upload,
// a storage refusal, and an expired signature that is re-signed and retried once.

import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  BASE_URL,
  getProfile,
  makePng,
  openAccountPage,
  screenshot,
  settledStatus,
  sha256Base64,
  signUpload,
  submitProfile,
  tokenFor,
  uniqueUsername,
  useBrowser,
} from "../lib.js";

const isSign = (url) => url.pathname === "/api/uploads";

/** The storage URL the API hands out (where the browser POSTs the file). */
async function storageUrl() {
  const probe = Buffer.alloc(10);
  const signed = await signUpload(
    { filename: "probe.png", contentType: "image/png", size: 10, checksumSha256: sha256Base64(probe) },
    await tokenFor(uniqueUsername("probe")),
  );
  assert.equal(signed.status, 201, JSON.stringify(signed.body));
  return signed.body.upload.url;
}

describe("uploads to storage", () => {
  const browser = useBrowser();

  it("shows progress on a slow link and aborts an upload replaced by a new choice", { timeout: 90_000 }, async () => {
    const page = await browser.page();
    await openAccountPage(page);

    const signedKeys = [];
    page.on("response", async (res) => {
      if (res.request().method() === "POST" && isSign(new URL(res.url())) && res.status() === 201) {
        signedKeys.push((await res.json()).key);
      }
    });
    const aborted = [];
    page.on("requestfailed", (req) => {
      if (req.method() === "POST" && !isSign(new URL(req.url()))) aborted.push(req.failure()?.errorText);
    });

    // Throttle uploads to ~96 KB/s so a ~300 KB picture takes a few seconds.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 96 * 1024,
    });

    await page.setInputFiles("#file_input", {
      name: "slow.png",
      mimeType: "image/png",
      buffer: makePng(320, 320, { noise: true }),
    });
    await page.waitForSelector('#status[data-state="uploading"]');
    assert.ok(await page.isDisabled("#profile_form [type=submit]"), "submit is disabled while uploading");
    await page.waitForFunction(() => {
      const p = document.querySelector("#progress").value;
      return p >= 20 && p < 100;
    }, null, { timeout: 20_000 });
    // The percentage is shown beside the bar; the live status line only said "started".
    assert.match(await page.textContent("#progress_text"), /^\d+%$/);
    const status = (await page.textContent("#status")).trim();
    assert.equal(status, "Uploading “slow.png”…");
    await screenshot(page, "02-account-uploading");

    // A new choice replaces the slow upload: the old XHR is aborted.
    await page.setInputFiles("#file_input", { name: "quick.png", mimeType: "image/png", buffer: makePng(24, 24) });
    const settled = await settledStatus(page);
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    assert.equal(settled.state, "uploaded", settled.text);
    assert.match(settled.text, /quick\.png/);
    await page.waitForFunction(() => document.querySelector("#progress").value === 100);
    assert.equal(signedKeys.length, 2);
    assert.equal(await page.inputValue("input[name=avatar-key]"), signedKeys[1], "the key is the last choice's");
    for (let i = 0; i < 50 && aborted.length === 0; i += 1) await page.waitForTimeout(100);
    assert.deepEqual(aborted, ["net::ERR_ABORTED"], "the first upload was aborted");
    assert.ok(await page.isEnabled("#profile_form [type=submit]"));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("explains a storage refusal (tampered signature) in words", { timeout: 60_000 }, async () => {
    const page = await browser.page();
    const username = uniqueUsername();
    await openAccountPage(page);
    await page.fill("input[name=username]", username);

    // Hand the page a presigned form whose signature is wrong; storage must refuse it.
    await page.route((url) => isSign(url), async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      const sig = body.upload.fields["x-amz-signature"];
      body.upload.fields["x-amz-signature"] = (sig[0] === "0" ? "1" : "0") + sig.slice(1);
      await route.fulfill({ response, json: body });
    });
    const [s3] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST" && !isSign(new URL(r.url()))),
      page.setInputFiles("#file_input", { name: "me.png", mimeType: "image/png", buffer: makePng(16, 16) }),
    ]);
    assert.ok([400, 403].includes(s3.status()), `storage answered ${s3.status()}`);

    const settled = await settledStatus(page);
    assert.equal(settled.state, "error");
    assert.match(settled.text, /storage/i);
    assert.doesNotMatch(settled.text, /<\/?[A-Za-z]/);
    assert.equal(await page.inputValue("input[name=avatar-key]"), "");
    assert.ok(await page.isEnabled("#profile_form [type=submit]"));
    await screenshot(page, "04-account-error-storage");
    assert.deepEqual(page.problems, []);
    assert.equal((await getProfile(username)).status, 404);
    await page.context().close();
  });

  it("re-signs and retries once when storage says the signature expired", { timeout: 60_000 }, async () => {
    const page = await browser.page();
    const username = uniqueUsername();
    const uploadUrl = await storageUrl();
    const origin = new URL(BASE_URL).origin;
    await openAccountPage(page);

    let signs = 0;
    page.on("request", (req) => {
      if (req.method() === "POST" && isSign(new URL(req.url()))) signs += 1;
    });
    // The first POST to storage gets S3's answer for an expired policy.
    await page.route(
      (url) => url.href.startsWith(uploadUrl),
      (route) =>
        route.fulfill({
          status: 403,
          headers: { "Content-Type": "application/xml", "Access-Control-Allow-Origin": origin },
          body:
            '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>' +
            "<Message>Invalid according to Policy: Policy expired.</Message><RequestId>E2E</RequestId></Error>",
        }),
      { times: 1 },
    );

    await page.setInputFiles("#file_input", { name: "retry.png", mimeType: "image/png", buffer: makePng(20, 20) });
    const settled = await settledStatus(page);
    assert.equal(settled.state, "uploaded", settled.text);
    assert.equal(signs, 2, "a fresh signature was asked for once");

    // The retried upload really reached storage: the save publishes it.
    await page.fill("input[name=username]", username);
    await page.fill("input[name=full-name]", "Retry Works");
    await submitProfile(page);
    const saved = await getProfile(username);
    assert.equal(saved.status, 200);
    assert.ok(saved.body.avatarUrl.startsWith(`/avatars/${username}/`));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("gives up after one retry if the signature keeps expiring", { timeout: 60_000 }, async () => {
    const page = await browser.page();
    const uploadUrl = await storageUrl();
    const origin = new URL(BASE_URL).origin;
    await openAccountPage(page);

    let uploads = 0;
    await page.route(
      (url) => url.href.startsWith(uploadUrl),
      (route) => {
        uploads += 1;
        return route.fulfill({
          status: 403,
          headers: { "Content-Type": "application/xml", "Access-Control-Allow-Origin": origin },
          body: "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        });
      },
    );
    await page.setInputFiles("#file_input", { name: "late.png", mimeType: "image/png", buffer: makePng(20, 20) });
    const settled = await settledStatus(page);
    assert.equal(settled.state, "error");
    assert.match(settled.text, /expired/i);
    assert.equal(uploads, 2, "one retry, not a loop");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
