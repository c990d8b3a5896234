// Checks a running stack end to end in Chromium, as a person uses it, and prints one line
// per check: sign in, upload straight to storage (and a wrong digest refused there), save,
// read the profile back through the site's origin with the token, the page's and the
// avatar's headers, delete. Run through scripts/check-stack, which finds the stack:
//   CHECK_MODE=aws    a deployed stack: a throwaway Cognito user, created and removed
//                     with the deployer's credentials, signs in through managed login
//   CHECK_MODE=local  the local stack: the development sign-in, no user to create
// Exits 1 when any check fails; the last line names the failed checks.

import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chromium } from "playwright-core";
import { makePng, sha256Base64 } from "./lib.js";

const SITE = (process.env.CHECK_SITE_URL || "").replace(/\/+$/, "");
const MODE = process.env.CHECK_MODE;
const USER_POOL_ID = process.env.CHECK_USER_POOL_ID || "";
const PROXY = process.env.CHECK_PROXY || "";
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

if (!SITE || !["aws", "local"].includes(MODE) || (MODE === "aws" && !USER_POOL_ID)) {
  console.error("check-stack: run it through scripts/check-stack");
  process.exit(2);
}

const AVATAR_HEADERS = {
  "x-content-type-options": (v) => v === "nosniff",
  "content-security-policy": (v) => v === "default-src 'none'; sandbox",
  "cache-control": (v) => v === "public, max-age=31536000, immutable",
  "content-type": (v) => /^image\/(png|jpeg|webp|gif)$/.test(v ?? ""),
};
const PAGE_HEADERS = {
  "x-content-type-options": (v) => v === "nosniff",
  "x-frame-options": (v) => v === "DENY",
  "referrer-policy": (v) => v === "strict-origin-when-cross-origin",
  "content-security-policy": (v) => /(^|;)\s*default-src 'none'/.test(v ?? "") && /frame-ancestors 'none'/.test(v ?? ""),
  "cross-origin-opener-policy": (v) => v === "same-origin",
  ...(SITE.startsWith("https://") ? { "strict-transport-security": (v) => /max-age=31536000/.test(v ?? "") } : {}),
};

// ------------------------------------------------------------------ reporting

const failed = [];
const done = new Set();

/** Runs one check unless a check it needs failed; prints `ok`, `FAIL` or `skip` and its name. */
async function check(name, needs, run) {
  const missing = needs.filter((n) => !done.has(n));
  if (missing.length) {
    console.log(`skip ${name} (needs: ${missing.join(", ")})`);
    failed.push(name);
    return undefined;
  }
  try {
    const result = await run();
    const detail = typeof result === "string" ? result : result?.detail;
    console.log(`ok   ${name}${detail ? ` - ${detail}` : ""}`);
    done.add(name);
    return result;
  } catch (error) {
    console.log(`FAIL ${name}: ${String(error?.message ?? error).split("\n")[0]}`);
    failed.push(name);
    return undefined;
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

function headerProblems(headers, wanted) {
  return Object.entries(wanted)
    .filter(([name, ok]) => !ok(headers[name]))
    .map(([name]) => (headers[name] === undefined ? `${name} missing` : `${name}: ${headers[name]}`));
}

// ------------------------------------------------------------------ the throwaway user

/**
 * One Cognito admin call through the AWS CLI with the deployer's credentials. The input
 * goes through stdin, so the password is never on a command line (where `ps` shows it)
 * and never printed.
 */
function cognito(command, input) {
  return execFileSync("aws", ["cognito-idp", command, "--cli-input-json", "file:///dev/stdin", "--output", "json"], {
    input: JSON.stringify({ UserPoolId: USER_POOL_ID, ...input }),
    stdio: ["pipe", "pipe", "pipe"],
    encoding: "utf8",
  });
}

function cliError(error) {
  return new Error(String(error.stderr || error.message).trim().split("\n").pop());
}

// ------------------------------------------------------------------ the checks

const tag = randomBytes(5).toString("hex");
const username = `check_${tag}`;
const email = `check-stack+${tag}@example.com`;
const password = `${randomBytes(18).toString("base64url")}aA1!`;
let userCreated = false;

const launchOptions = {
  executablePath: CHROMIUM,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"],
};
// Everything the browser asks for (the loopback stack included) goes through the proxy.
if (PROXY) launchOptions.proxy = { server: PROXY, bypass: "<-loopback>" };

console.log(`check-stack: ${SITE} (${MODE === "aws" ? "managed login" : "local sign-in"})`);
const browser = await chromium.launch(launchOptions);
const context = await browser.newContext({ baseURL: SITE, viewport: { width: 1024, height: 800 } });
const page = await context.newPage();
page.setDefaultTimeout(30_000);
let profile = null;

try {
  await check("page headers", [], async () => {
    const response = await page.goto(`${SITE}/`);
    expect(response?.status() === 200, `GET / answered ${response?.status()}`);
    const problems = headerProblems(await response.allHeaders(), PAGE_HEADERS);
    expect(problems.length === 0, problems.join("; "));
    return `${Object.keys(PAGE_HEADERS).length} headers`;
  });

  if (MODE === "aws") {
    await check("throwaway user created", [], async () => {
      try {
        cognito("admin-create-user", {
          Username: email,
          UserAttributes: [
            { Name: "email", Value: email },
            { Name: "email_verified", Value: "true" },
          ],
          MessageAction: "SUPPRESS",
        });
        userCreated = true;
        cognito("admin-set-user-password", { Username: email, Password: password, Permanent: true });
      } catch (error) {
        throw cliError(error);
      }
      return email;
    });
  }

  const signInName = MODE === "aws" ? "sign-in through managed login" : "sign-in through the local sign-in";
  await check(signInName, MODE === "aws" ? ["page headers", "throwaway user created"] : ["page headers"], async () => {
    await page.waitForSelector("#sign_in:visible");
    await page.click("#sign_in");
    if (MODE === "aws") {
      await page.waitForURL((url) => url.hostname.endsWith(".amazoncognito.com"));
      await page.fill('input[name="username"]', email);
      const password_ = page.locator('input[name="password"]');
      if (!(await password_.isVisible())) {
        // Managed login can ask for the name first and the password on a second step.
        await page.locator('button[type="submit"]:visible').first().click();
        await password_.waitFor({ state: "visible" });
      }
      await password_.fill(password);
      await page.locator('button[type="submit"]:visible').first().click();
    } else {
      await page.waitForSelector("form input[name=username]");
      await page.fill("form input[name=username]", username);
      await page.click("form [type=submit]");
    }
    // Back on the site (the local sign-in shares its origin, under /local-idp).
    await page.waitForURL((url) => url.origin === new URL(SITE).origin && !url.pathname.startsWith("/local-idp"));
    await page.waitForSelector("#account_name:visible");
    await page.waitForSelector("#profile_form input[name=username]:enabled");
    return (await page.textContent("#account_name"))?.trim();
  });

  const png = makePng(96, 96);
  await check("upload straight to storage", [signInName], async () => {
    const storagePost = page.waitForResponse(
      (r) => r.request().method() === "POST" && new URL(r.url()).origin !== new URL(SITE).origin,
    );
    await page.setInputFiles("#file_input", { name: "check.png", mimeType: "image/png", buffer: png });
    const response = await storagePost;
    await page.waitForFunction(() => ["uploaded", "error"].includes(document.querySelector("#status")?.dataset.state));
    const state = await page.$eval("#status", (s) => ({ state: s.dataset.state, text: s.textContent.trim() }));
    expect(state.state === "uploaded", `the page says: ${state.text}`);
    expect([200, 201, 204].includes(response.status()), `storage answered ${response.status()}`);
    return `${new URL(response.url()).host} answered ${response.status()}`;
  });

  await check("wrong digest refused by storage", [signInName], async () => {
    // A form signed for one picture's SHA-256, posted with other bytes of the same size.
    const signed = await page.evaluate(async (body) => {
      const session = JSON.parse(sessionStorage.getItem("avatars.session") || "null");
      const res = await fetch("/api/uploads", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${session?.accessToken}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    }, { filename: "digest.png", contentType: "image/png", size: png.length, checksumSha256: sha256Base64(png) });
    expect(signed.status === 201, `POST /api/uploads answered ${signed.status}`);
    const other = Buffer.from(png);
    other[other.length - 20] ^= 0xff;
    const form = new FormData();
    for (const [name, value] of Object.entries(signed.body.upload.fields)) form.append(name, value);
    form.append("file", new Blob([other], { type: "image/png" }), "digest.png");
    const res = await fetch(signed.body.upload.url, { method: "POST", body: form });
    const text = await res.text();
    const code = text.match(/<Code>([^<]+)<\/Code>/)?.[1] ?? "no code";
    expect(res.status === 400, `storage answered ${res.status} (${code}) to a wrong digest`);
    return `400 ${code}`;
  });

  await check("save profile", ["upload straight to storage"], async () => {
    await page.fill("input[name=username]", username);
    await page.fill("input[name=full-name]", "Stack Check");
    const saved = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/profile");
    await page.click("#profile_form [type=submit]");
    const response = await saved;
    expect([200, 201].includes(response.status()), `POST /api/profile answered ${response.status()}`);
    await page.waitForURL((url) => url.pathname.endsWith("/profile.html"));
    await page.waitForFunction(() => document.querySelector("#profile_full_name")?.textContent === "Stack Check");
    return `${username}, ${response.status()}`;
  });

  await check("GET /api/me with the token through the site", ["save profile"], async () => {
    const me = page.waitForResponse((r) => r.request().method() === "GET" && new URL(r.url()).pathname === "/api/me");
    await page.goto(`${SITE}/`);
    const response = await me;
    const auth = (await response.request().allHeaders()).authorization ?? "";
    expect(auth.startsWith("Bearer "), "the page sent no bearer token");
    expect(response.status() === 200, `GET /api/me answered ${response.status()}: the token did not reach the API`);
    const body = await response.json();
    expect(body.username === username, `GET /api/me is ${body.username}, not ${username}`);
    return "200";
  });

  profile = await check("public profile read, shared at the edge", ["save profile"], async () => {
    const read = await page.evaluate(async (name) => {
      const res = await fetch(`/api/profile/${name}`);
      return { status: res.status, cacheControl: res.headers.get("cache-control"), body: await res.json().catch(() => null) };
    }, username);
    expect(read.status === 200, `GET /api/profile/${username} answered ${read.status}`);
    expect(/\bs-maxage=\d+/.test(read.cacheControl ?? ""), `Cache-Control: ${read.cacheControl}`);
    expect(read.body?.avatarUrl?.startsWith(`/avatars/${username}/`), `avatarUrl ${read.body?.avatarUrl}`);
    // Only rendered pixels are served: the avatar is its largest variant, not the upload.
    expect(read.body?.avatarUrl === read.body?.avatarVariants?.["512"], `avatarUrl ${read.body?.avatarUrl} is the 512 px variant`);
    return { detail: read.cacheControl, body: read.body };
  });

  await check("avatar headers", ["public profile read, shared at the edge"], async () => {
    const urls = [profile.body.avatarUrl, profile.body.avatarVariants?.["256"]].filter(Boolean);
    // The upload's own path, under either prefix, is no file the edge serves.
    const stem = profile.body.avatarUrl.replace(/^\/avatars\//, "").replace(/-512\.[a-z]+$/, "");
    const originals = ["avatars", "originals"].flatMap((prefix) =>
      ["png", "jpg", "webp", "gif"].map((ext) => `/${prefix}/${stem}.${ext}`));
    const viewer = await context.newPage();
    try {
      for (const url of urls) {
        const response = await viewer.goto(`${SITE}${url}`);
        expect(response?.status() === 200, `GET ${url} answered ${response?.status()}`);
        const problems = headerProblems(await response.allHeaders(), AVATAR_HEADERS);
        expect(problems.length === 0, `${url}: ${problems.join("; ")}`);
      }
      for (const url of originals) {
        const response = await context.request.get(`${SITE}${url}`, { maxRedirects: 0 });
        expect(response.status() !== 200, `GET ${url} (the upload itself) answered 200`);
      }
    } finally {
      await viewer.close();
    }
    return `${urls.length} files; the upload at none of ${originals.length} paths`;
  });

  await check("delete profile", ["save profile"], async () => {
    if (new URL(page.url()).pathname !== "/") await page.goto(`${SITE}/`);
    await page.waitForSelector("#delete_profile:visible");
    await page.click("#delete_profile");
    await page.waitForSelector("#confirm_dialog[open]");
    const deleted = page.waitForResponse((r) => r.request().method() === "DELETE" && new URL(r.url()).pathname === "/api/profile");
    await page.click("#confirm_ok");
    const response = await deleted;
    expect(response.status() === 204, `DELETE /api/profile answered ${response.status()}`);
    // The edge may serve the read above for its few seconds; then the name is gone.
    let status = 0;
    for (let i = 0; i < 20; i += 1) {
      status = await page.evaluate(async (name) => (await fetch(`/api/profile/${name}`)).status, username);
      if (status === 404) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status === 404, `GET /api/profile/${username} still answers ${status}`);
    return "204, then 404";
  });
} finally {
  await browser.close().catch(() => {});
  if (MODE === "aws" && userCreated) {
    await check("throwaway user removed", [], async () => {
      try {
        cognito("admin-delete-user", { Username: email });
      } catch (error) {
        throw cliError(error);
      }
      return email;
    });
  }
}

if (failed.length) {
  console.log(`check-stack: FAILED: ${failed.join(", ")}`);
  process.exit(1);
}
console.log("check-stack: all checks passed");
