// A third-party uploader against the API and the local S3: Uppy's AwsS3 plugin (from npm,
// pinned in package.json) with `getUploadParameters` returning our `upload.url` and
// `upload.fields`. It finishes only when S3's answer carries the ETag and Location headers,
// so this is the check that the local S3 answers a POST upload as S3 does. The test page
// is served by the test itself on the app's origin (the CORS rule names it), under the
// site's own Content-Security-Policy.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  assertShowsAvatar,
  avatarShown,
  BASE_URL,
  getProfile,
  makePng,
  assertOnlyVariantsServed,
  saveProfile,
  screenshot,
  tokenFor,
  uniqueUsername,
  useBrowser,
} from "../lib.js";

const E2E = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const PINNED = JSON.parse(readFileSync(path.join(E2E, "package.json"), "utf8")).devDependencies;
// The `uppy` package's ESM bundle is @uppy/core and @uppy/aws-s3 (pinned alongside it)
// with their dependencies, ready for a browser without a build step.
const UPPY_BUNDLE = readFileSync(path.join(E2E, "node_modules/uppy/dist/uppy.min.mjs"));
const PAGE_PATH = "/__uppy-test";

// The glue the README shows, plus what the test observes. `extra` is merged into the
// signing request (e.g. successActionStatus).
const GLUE = `
import { Uppy, AwsS3 } from "${PAGE_PATH}/uppy.min.mjs";

window.uppyVersions = { core: Uppy.VERSION, awsS3: AwsS3.VERSION };

window.uploadWithUppy = async ({ bytes, name, type, extra, token }) => {
  const uppy = new Uppy();
  uppy.use(AwsS3, {
    shouldUseMultipart: false,
    async getUploadParameters(file) {
      const digest = await crypto.subtle.digest("SHA-256", await file.data.arrayBuffer());
      const checksumSha256 = btoa(String.fromCharCode(...new Uint8Array(digest)));
      const res = await fetch("/api/uploads", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: \`Bearer \${token}\` },
        body: JSON.stringify({ filename: file.name, contentType: file.type, size: file.size, checksumSha256, ...extra }),
      });
      if (!res.ok) throw new Error((await res.json()).error.message);
      const { key, upload } = await res.json();
      uppy.setFileMeta(file.id, { key });
      return { method: "POST", url: upload.url, fields: upload.fields };
    },
  });
  let response = null;
  uppy.on("upload-success", (file, answer) => { response = answer; });
  const id = uppy.addFile({ name, type, data: new Blob([new Uint8Array(bytes)], { type }) });
  // Uppy never settles when S3's answer lacks the ETag header: give up after a while.
  const gaveUp = new Promise((resolve) => setTimeout(() => resolve("timeout"), 20000));
  const outcome = await Promise.race([uppy.upload(), gaveUp]);
  if (outcome === "timeout") return { timedOut: true };
  return {
    successful: outcome.successful.length,
    failed: outcome.failed.map((f) => String(f.error)),
    key: uppy.getFile(id).meta.key,
    uploadURL: response?.uploadURL ?? null,
    etag: response?.body?.etag ?? null,
  };
};
`;

/**
 * Opens a real page of the app (the profile page, with no profile asked for: it only shows
 * a notice) and loads the glue and the bundle into it as same-origin module scripts served
 * by the test, under the site's CSP. The document itself must come from the edge: Chromium
 * lets only a page served from loopback reach the loopback S3.
 */
async function openUppyPage(page) {
  const files = { "glue.js": GLUE, "uppy.min.mjs": UPPY_BUNDLE };
  await page.route(`${BASE_URL}${PAGE_PATH}/*.js`, (route) => fulfillScript(route, files));
  await page.route(`${BASE_URL}${PAGE_PATH}/*.mjs`, (route) => fulfillScript(route, files));
  const document = await page.goto("/profile.html");
  assert.match((await document.allHeaders())["content-security-policy"], /script-src 'self'/);
  await page.addScriptTag({ url: `${PAGE_PATH}/glue.js`, type: "module" });
  await page.waitForFunction(() => window.uploadWithUppy && window.uppyVersions);
}

function fulfillScript(route, files) {
  const body = files[new URL(route.request().url()).pathname.split("/").pop()];
  if (!body) return route.fulfill({ status: 404, body: "" });
  return route.fulfill({ status: 200, headers: { "content-type": "text/javascript" }, body });
}

describe("Uppy AwsS3 (POST upload with getUploadParameters)", () => {
  const browser = useBrowser();

  for (const [label, extra, status] of [
    ["S3's default answer (204)", {}, 204],
    ["successActionStatus 201 (XML answer)", { successActionStatus: 201 }, 201],
  ]) {
    it(`uploads a PNG, saves the profile with its key and serves the avatar — ${label}`, { timeout: 90_000 }, async () => {
      const page = await browser.page();
      await openUppyPage(page);
      assert.deepEqual(await page.evaluate(() => window.uppyVersions), {
        core: PINNED["@uppy/core"],
        awsS3: PINNED["@uppy/aws-s3"],
      });

      const answers = [];
      page.on("response", (res) => {
        if (res.request().method() === "POST" && !new URL(res.url()).pathname.startsWith("/api/")) answers.push(res);
      });
      const signed = page.waitForResponse((res) => new URL(res.url()).pathname === "/api/uploads");
      const png = makePng(48, 40);
      const username = uniqueUsername("uppy");
      const token = await tokenFor(username);
      const result = await page.evaluate(
        (args) => window.uploadWithUppy(args),
        { bytes: [...png], name: "me.png", type: "image/png", extra, token },
      );
      assert.ok(!result.timedOut, `Uppy never finished; the page said: ${page.problems.join(" | ")}`);
      assert.deepEqual(result.failed, [], `page: ${[...page.problems, ...page.failedLoads].join(" | ")}`);
      assert.equal(result.successful, 1);
      assert.deepEqual(page.problems, [], "no console errors (Uppy logs one when it cannot read ETag or Location)");

      // What S3 answered, as the browser saw it.
      const { upload } = await (await signed).json();
      assert.equal(answers.length, 1, "one POST straight to S3");
      assert.equal(answers[0].status(), status);
      const headers = await answers[0].allHeaders();
      const location = `${upload.url}/${encodeURIComponent(result.key)}`;
      assert.equal(headers.location, location);
      assert.match(headers.etag, /^"[0-9a-f]{32}"$/);
      assert.equal(result.uploadURL, location, "Uppy reports the object's URL from the Location header");
      assert.equal(result.etag, headers.etag);
      if (status === 201) {
        assert.equal(upload.fields.success_action_status, "201");
        const xml = await answers[0].text();
        assert.match(xml, new RegExp(`<Key>${result.key}</Key>`));
        assert.match(xml, new RegExp(`<ETag>${headers.etag}</ETag>`));
      } else {
        assert.equal(upload.fields.success_action_status, undefined);
      }
      await screenshot(page, `uppy-${status}`);

      // The key Uppy uploaded to is what the profile is saved with; the avatar is served.
      const saved = await saveProfile({ username, fullName: "Uppy User", avatarKey: result.key }, token);
      assert.equal(saved.status, 201, JSON.stringify(saved.body));
      const profile = await getProfile(username);
      assert.equal(profile.status, 200);
      assert.match(profile.body.avatarUrl, new RegExp(`^/avatars/${username}/[0-9a-f-]{36}-512\\.webp$`));
      await assertOnlyVariantsServed(profile.body, "png");

      // And the profile page shows it.
      await page.goto(`/profile.html?username=${encodeURIComponent(username)}`);
      // The page starts with the default picture; this waits for the profile's own.
      assertShowsAvatar(await avatarShown(page, "#profile_avatar"), profile.body, [48, 40]);
      await page.close();
    });
  }
});
