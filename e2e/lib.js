// Shared helpers for the browser tests: Chromium launch, page setup, test images,
// direct API calls and screenshots. The tests only rely on the HTTP API contract
// (docs/design.md §3) and the page ids (§5), so they run against any stack that honours them.

import { after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";
import { chromium } from "playwright-core";

export const BASE_URL = (process.env.BASE_URL || "http://127.0.0.1:3000").replace(/\/+$/, "");
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "screenshots");

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * The one browser fixture: a headless Chromium for the enclosing `describe`, launched
 * before its tests and closed after them. `browser.page(options)` opens a page as
 * `newPage` does.
 */
export function useBrowser() {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return { page: (options) => newPage(browser, options) };
}

/** Headless Chromium; `chromium.launch` gives every launch a fresh temporary profile. */
export async function launchBrowser() {
  await assertStackIsUp();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

let stackChecked = false;
async function assertStackIsUp() {
  if (stackChecked) return;
  try {
    const res = await fetch(`${BASE_URL}/index.html`);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (error) {
    throw new Error(`The local stack is not answering at ${BASE_URL} (${error.message}). Start it first, or set BASE_URL.`);
  }
  stackChecked = true;
}

/**
 * A new page in its own context. `page.problems` collects console errors and uncaught
 * exceptions; Chromium's "Failed to load resource" lines (logged for every deliberate
 * 4xx answer) are kept apart in `page.failedLoads`.
 */
export async function newPage(browser, { width = 1024, height = 800, hasTouch = false } = {}) {
  // Reduced motion: screenshots show finished states, not CSS transitions midway.
  const context = await browser.newContext({ viewport: { width, height }, baseURL: BASE_URL, reducedMotion: "reduce", hasTouch });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.problems = [];
  page.failedLoads = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    if (/Failed to load resource/i.test(msg.text())) page.failedLoads.push(msg.text());
    else page.problems.push(`console.error: ${msg.text()}`);
  });
  page.on("pageerror", (error) => page.problems.push(`uncaught: ${error.message}`));
  page.on("dialog", (dialog) => {
    page.problems.push(`dialog (${dialog.type()}): ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  return page;
}

export function uniqueUsername(prefix = "e2e") {
  return `${prefix}_${randomBytes(5).toString("hex")}`;
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

// ------------------------------------------------------------------ sign-in

const base64url = (buf) => buf.toString("base64").replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

let authConfig = null;
async function loadAuthConfig() {
  if (!authConfig) authConfig = await (await fetch(`${BASE_URL}/auth-config.json`)).json();
  return authConfig;
}

/**
 * An access token for `name` from the local provider, by the same authorization-code +
 * PKCE exchange the page makes (the form post stands in for the person typing the name).
 */
export async function tokenFor(name) {
  const cfg = await loadAuthConfig();
  const verifier = base64url(randomBytes(32));
  const query = {
    response_type: "code",
    client_id: cfg.clientId,
    redirect_uri: `${BASE_URL}/`,
    scope: cfg.scope,
    state: base64url(randomBytes(8)),
    code_challenge: base64url(createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256",
  };
  const authorize = await fetch(new URL(cfg.authorizationEndpoint, BASE_URL), {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...query, username: name }),
  });
  const location = authorize.headers.get("location");
  if (authorize.status !== 302 || !location) throw new Error(`sign-in as ${name}: HTTP ${authorize.status}`);
  const code = new URL(location).searchParams.get("code");
  const token = await fetch(new URL(cfg.tokenEndpoint, BASE_URL), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: cfg.clientId,
      code,
      redirect_uri: `${BASE_URL}/`,
      code_verifier: verifier,
    }),
  });
  const body = await token.json();
  if (!body.access_token) throw new Error(`token for ${name}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Signs `page` in as `name` through the real pages: Sign in → the provider's form → back. */
export async function signIn(page, name) {
  await page.goto("/");
  await page.click("#sign_in");
  await page.waitForSelector("form input[name=username]");
  await page.fill("form input[name=username]", name);
  await Promise.all([
    page.waitForURL((url) => url.origin === BASE_URL && !url.pathname.startsWith("/local-idp")),
    page.click("form [type=submit]"),
  ]);
  await page.waitForSelector("#account_name:visible");
  await page.waitForSelector("#profile_form input[name=username]:enabled");
}

// ------------------------------------------------------------------ API (contract §3)

export async function getProfile(username) {
  const res = await fetch(`${BASE_URL}/api/profile/${encodeURIComponent(username)}`);
  const body = await res.json().catch(() => null);
  return { status: res.status, body };
}

async function postJson(path, body, token) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(`${BASE_URL}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** `POST /api/profile` with `token` (none: the request is unauthenticated). */
export async function saveProfile(body, token) {
  return postJson("/api/profile", body, token);
}

/** Standard base64 of a buffer's SHA-256, as `checksumSha256` wants it. */
export function sha256Base64(buffer) {
  return createHash("sha256").update(buffer).digest("base64");
}

/** `POST /api/uploads` with `token` (none: the request is unauthenticated). */
export async function signUpload(body, token) {
  return postJson("/api/uploads", body, token);
}

// ------------------------------------------------------------------ page helpers

/** Waits until the upload settles (uploaded or error) and returns {state, text}. */
export async function settledStatus(page) {
  await page.waitForFunction(() => {
    const s = document.querySelector("#status");
    return s && (s.dataset.state === "uploaded" || s.dataset.state === "error");
  });
  return statusOf(page);
}

export async function statusOf(page) {
  return page.$eval("#status", (s) => ({ state: s.dataset.state, text: s.textContent.trim() }));
}

/** Waits for the status line to reach `state` and returns its text. */
export async function waitForState(page, state) {
  await page.waitForSelector(`#status[data-state="${state}"]`);
  return (await statusOf(page)).text;
}

/**
 * Signs in as `name` (a new account per name) and waits until the account page is ready
 * for input, with the account's profile loaded if it has one.
 */
export async function openAccountPage(page, name = uniqueUsername("acct")) {
  await signIn(page, name);
  await page.waitForFunction(() => !/Loading/.test(document.querySelector("#status").textContent));
}

/** Fills what is given of the form, saves, and waits for the profile page. */
export async function submitProfile(page, { username, fullName } = {}) {
  if (username !== undefined) await page.fill("input[name=username]", username);
  if (fullName !== undefined) await page.fill("input[name=full-name]", fullName);
  await Promise.all([page.waitForURL(/profile\.html/), page.click("#profile_form [type=submit]")]);
}

/**
 * The whole flow through the page: signs in as a new account `name`, uploads `file` (a
 * PNG by default), saves the profile, and answers with the name and the saved profile as
 * the API reads it.
 */
export async function signInUploadAndSave(
  page,
  { name = uniqueUsername("flow"), fullName = "Flow Tester", file = { name: "me.png", mimeType: "image/png", buffer: makePng(32, 32) } } = {},
) {
  await openAccountPage(page, name);
  await page.setInputFiles("#file_input", file);
  const settled = await settledStatus(page);
  if (settled.state !== "uploaded") throw new Error(`the upload did not finish: ${settled.text}`);
  await submitProfile(page, { username: name, fullName });
  await page.waitForSelector("#profile_full_name:visible");
  return { name, saved: await getProfile(name) };
}

/**
 * Pixel size of an <img> once it has finished loading (0×0 if it failed). Checked and read
 * in one step: between two steps the page may point the image at a new picture.
 */
export async function imageSize(page, selector) {
  const size = await page.waitForFunction((sel) => {
    const img = document.querySelector(sel);
    return img && img.complete ? { width: img.naturalWidth, height: img.naturalHeight, src: img.src } : null;
  }, selector);
  return size.jsonValue();
}

/**
 * The published avatar an <img> shows, once it has loaded from `/avatars/`: the URL the
 * browser chose (`currentSrc`, from the srcset when there is one) and the pixel size of
 * that file. (`naturalWidth` will not do: with a srcset it is divided by the density the
 * browser chose, so a 256 px variant shown at 144 px reports 144.)
 */
export async function avatarShown(page, selector) {
  await page.waitForFunction((sel) => {
    const img = document.querySelector(sel);
    return img && img.complete && img.currentSrc.includes("/avatars/");
  }, selector);
  return page.$eval(selector, async (img) => {
    const file = new Image();
    file.src = img.currentSrc;
    await file.decode();
    return { src: img.src, currentSrc: img.currentSrc, srcset: img.srcset, width: file.naturalWidth, height: file.naturalHeight };
  });
}

/** The size (64, 128, 256 or 512) named by a variant's URL, `…/{id}-{size}.{ext}`; else null. */
export function variantSize(url) {
  const match = new URL(url, BASE_URL).pathname.match(/-(64|128|256|512)\.(webp|png|jpe?g|gif)$/);
  return match ? Number(match[1]) : null;
}

/**
 * Checks that `shown` (from `avatarShown`) is the profile's avatar as the API lists it: one
 * of its square variants at exactly N×N when it has them, else the cleaned original at
 * `originalSize` ([width, height]).
 */
export function assertShowsAvatar(shown, profile, originalSize) {
  const path = (url) => new URL(url, BASE_URL).pathname;
  if (profile.avatarVariants) {
    const urls = Object.values(profile.avatarVariants).map(path);
    assert.ok(urls.includes(path(shown.currentSrc)), `${shown.currentSrc} is one of the variants ${urls.join(", ")}`);
    const size = variantSize(shown.currentSrc);
    assert.deepEqual([shown.width, shown.height], [size, size], `the ${size} px variant is ${size}×${size}`);
    assert.equal(path(shown.src), path(profile.avatarVariants["256"]), "src is the 256 px variant");
    assert.match(path(shown.currentSrc), /\.webp$/, "the variant shown is a WebP");
    assert.equal(profile.avatarUrl, profile.avatarVariants["512"], "avatarUrl is the largest variant");
  } else {
    assert.equal(path(shown.currentSrc), profile.avatarUrl);
    assert.deepEqual([shown.width, shown.height], originalSize);
  }
}

/**
 * Colours of the file an <img> shows (its `currentSrc`) at points given as fractions of its
 * size, read by drawing it into a canvas at its own size (the image must be same-origin,
 * or the canvas is tainted).
 */
export async function sampleImage(page, selector, points) {
  return page.$eval(
    selector,
    async (img, pts) => {
      const file = new Image();
      file.src = img.currentSrc;
      await file.decode();
      const canvas = document.createElement("canvas");
      canvas.width = file.naturalWidth;
      canvas.height = file.naturalHeight;
      const context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(file, 0, 0);
      return pts.map(([fx, fy]) => {
        const x = Math.min(file.naturalWidth - 1, Math.floor(fx * file.naturalWidth));
        const y = Math.min(file.naturalHeight - 1, Math.floor(fy * file.naturalHeight));
        return [...context.getImageData(x, y, 1, 1).data.slice(0, 3)];
      });
    },
    points,
  );
}

// ------------------------------------------------------------------ test images

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "latin1");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * A real, decodable 8-bit RGB PNG. `noise` fills it with random pixels, which do not
 * compress, so the file size is about width*height*3 (useful to make a slow upload).
 */
export function makePng(width = 64, height = 64, { noise = false } = {}) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const stride = width * 3 + 1;
  const raw = noise ? randomBytes(stride * height) : Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    raw[y * stride] = 0; // filter: none
    if (noise) continue;
    for (let x = 0; x < width; x += 1) {
      const i = y * stride + 1 + x * 3;
      raw[i] = Math.round((x / Math.max(1, width - 1)) * 255);
      raw[i + 1] = Math.round((y / Math.max(1, height - 1)) * 200) + 40;
      raw[i + 2] = 200;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: noise ? 0 : 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * An RGB PNG in four flat quadrants, `colours` = [top-left, top-right, bottom-left,
 * bottom-right] as [r, g, b]: cropping to one quadrant must give that colour alone.
 */
export function makeQuadrantPng(width, height, colours) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const colour = colours[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)];
      raw.set(colour, y * stride + 1 + x * 3);
    }
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(buf) {
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** Width and height of a lossy WebP: a simple one (`VP8 `) or one with alpha (`VP8X`). */
export function webpSize(buf) {
  assert.equal(buf.toString("latin1", 0, 4), "RIFF", "a RIFF file");
  assert.equal(buf.toString("latin1", 8, 12), "WEBP", "a WebP");
  const first = buf.toString("latin1", 12, 16);
  if (first === "VP8X") return { width: 1 + buf.readUIntLE(24, 3), height: 1 + buf.readUIntLE(27, 3) };
  assert.equal(first, "VP8 ", "lossy");
  return { width: buf.readUInt16LE(26) & 0x3fff, height: buf.readUInt16LE(28) & 0x3fff };
}

/**
 * Asserts the profile's avatar is served as rendered pixels only: `avatarUrl` is its 512 px
 * WebP variant, and the upload's own name (`ext`) answers no file under any prefix.
 */
export async function assertOnlyVariantsServed(profile, ext) {
  assert.equal(profile.avatarUrl, profile.avatarVariants?.["512"], "avatarUrl is the largest variant");
  assert.match(profile.avatarUrl, /-512\.webp$/);
  const published = await fetch(`${BASE_URL}${profile.avatarUrl}`);
  assert.equal(published.status, 200);
  assert.equal(published.headers.get("content-type"), "image/webp");
  assert.deepEqual(webpSize(Buffer.from(await published.arrayBuffer())), { width: 512, height: 512 });
  const stem = profile.avatarUrl.replace(/^\/avatars\//, "").replace(/-512\.webp$/, "");
  for (const prefix of ["avatars", "originals"]) {
    const upload = await fetch(`${BASE_URL}/${prefix}/${stem}.${ext}`);
    assert.notEqual(upload.status, 200, `/${prefix}/${stem}.${ext} is no file`);
  }
}
