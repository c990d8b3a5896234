// Upload forms live a minute: the API signs one at most 60 s ahead, the page asks for one
// right before its upload starts, and asks again, once, when one arrives already spent
// (a slow answer, a tab that slept) instead of sending storage a form it would refuse.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { formOutlived } from "../../site/js/form-life.js";
import {
  makePng,
  openAccountPage,
  settledStatus,
  sha256Base64,
  signUpload,
  tokenFor,
  uniqueUsername,
  useBrowser,
} from "../lib.js";

const isSign = (url) => url.pathname === "/api/uploads";

/** A form from the API, as the page would get it. */
async function freshForm() {
  const probe = Buffer.alloc(10);
  return signUpload(
    { filename: "probe.png", contentType: "image/png", size: 10, checksumSha256: sha256Base64(probe) },
    await tokenFor(uniqueUsername("ttl")),
  );
}

describe("a form's life", () => {
  it("judges a form spent when less than the margin is left", () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    const cases = [
      ["a minute left", "2030-01-01T00:01:00Z", false],
      ["ten seconds left", "2030-01-01T00:00:10Z", false],
      ["one second left", "2030-01-01T00:00:01Z", true],
      ["already past", "2029-12-31T23:59:00Z", true],
      ["no readable expiry", "soon", false],
      ["no expiry at all", undefined, false],
    ];
    for (const [name, expiresAt, spent] of cases) {
      assert.equal(formOutlived(expiresAt, now), spent, name);
    }
  });

  it("the API signs a form for at most a minute", async () => {
    const before = Date.now();
    const signed = await freshForm();
    const after = Date.now();
    assert.equal(signed.status, 201, JSON.stringify(signed.body));
    const expires = Date.parse(signed.body.expiresAt);
    assert.ok(expires - after <= 60_000, `expires ${expires - after} ms after the answer`);
    assert.ok(expires - before > 30_000, "a usable form");
  });
});

describe("a spent form in the page", () => {
  const browser = useBrowser();

  it("asks again for a form that arrives spent, and uploads with the fresh one", { timeout: 60_000 }, async () => {
    const uploadUrl = (await freshForm()).body.upload.url;
    const page = await browser.page();
    await openAccountPage(page);
    let signs = 0;
    let storagePosts = 0;
    page.on("request", (req) => {
      if (req.method() !== "POST") return;
      if (isSign(new URL(req.url()))) signs += 1;
      else if (req.url().startsWith(uploadUrl)) storagePosts += 1;
    });
    // The first form reaches the page as if it had waited past its life on the way.
    await page.route(
      (url) => isSign(url),
      async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        body.expiresAt = new Date(Date.now() - 1000).toISOString();
        await route.fulfill({ response, json: body });
      },
      { times: 1 },
    );
    await page.setInputFiles("#file_input", { name: "late.png", mimeType: "image/png", buffer: makePng(20, 20) });
    const settled = await settledStatus(page);
    assert.equal(settled.state, "uploaded", settled.text);
    assert.equal(signs, 2, "a fresh form was asked for once");
    assert.equal(storagePosts, 1, "the spent form was never sent to storage");
    assert.ok((await page.inputValue("input[name=avatar-key]")).startsWith("incoming/"));
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
