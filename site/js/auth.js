// Sign-in: OAuth 2.0 authorization code with PKCE (S256) against the provider that
// /auth-config.json names — Cognito's managed login on AWS, the development provider
// locally. Tokens live in memory and sessionStorage (never localStorage: they end with
// the tab), and are refreshed shortly before they expire.

const SESSION_KEY = "avatars.session";
const PENDING_KEY = "avatars.signin";
const REFRESH_MARGIN_MS = 60_000;

let config = null;
let session = null; // {accessToken, refreshToken, expiresAt, name}
let refreshTimer = null;
const listeners = new Set();

function base64url(bytes) {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function randomString(bytes = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function challengeFor(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The claims of a JWT, for display only: the API, not the page, verifies tokens. */
function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    return JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, "=")));
  } catch {
    return {};
  }
}

function displayName(tokens) {
  const id = tokens.id_token ? claimsOf(tokens.id_token) : {};
  const access = claimsOf(tokens.access_token);
  return id.email || id["cognito:username"] || access.username || "your account";
}

async function loadConfig() {
  if (config) return config;
  const response = await fetch("/auth-config.json", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`Sign-in is not configured (HTTP ${response.status}).`);
  config = await response.json();
  return config;
}

function redirectUri() {
  return `${window.location.origin}/`;
}

function notify() {
  for (const listener of listeners) listener(session);
}

function store(next) {
  session = next;
  if (next) sessionStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(SESSION_KEY);
  scheduleRefresh();
  notify();
}

function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!session || !session.refreshToken) return;
  const wait = Math.max(0, session.expiresAt - Date.now() - REFRESH_MARGIN_MS);
  refreshTimer = setTimeout(() => { refresh().catch(() => store(null)); }, wait);
}

async function tokenRequest(params) {
  const { tokenEndpoint } = await loadConfig();
  const response = await fetch(tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams(params),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || !body.access_token) {
    throw new Error(`Sign-in failed (${body.error || `HTTP ${response.status}`}). Please sign in again.`);
  }
  return body;
}

function sessionFrom(tokens, previous) {
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token || (previous && previous.refreshToken) || null,
    expiresAt: Date.now() + (Number(tokens.expires_in) || 3600) * 1000,
    name: tokens.id_token || !previous ? displayName(tokens) : previous.name,
  };
}

async function refresh() {
  if (!session || !session.refreshToken) throw new Error("No session to refresh.");
  const { clientId } = await loadConfig();
  const tokens = await tokenRequest({
    grant_type: "refresh_token",
    client_id: clientId,
    refresh_token: session.refreshToken,
  });
  store(sessionFrom(tokens, session));
}

/** Goes to the sign-in page; comes back to `returnTo` (this page by default). */
export async function signIn(returnTo = window.location.pathname + window.location.search) {
  const cfg = await loadConfig();
  const verifier = randomString();
  const state = randomString(16);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo }));
  const url = new URL(cfg.authorizationEndpoint, window.location.href);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: cfg.clientId,
    redirect_uri: redirectUri(),
    scope: cfg.scope,
    state,
    code_challenge: await challengeFor(verifier),
    code_challenge_method: "S256",
  }).toString();
  window.location.assign(url.href);
}

export async function signOut() {
  store(null);
  const cfg = await loadConfig();
  const url = new URL(cfg.logoutEndpoint, window.location.href);
  url.search = new URLSearchParams({ client_id: cfg.clientId, logout_uri: redirectUri() }).toString();
  window.location.assign(url.href);
}

/**
 * Restores the tab's session, or finishes a sign-in that just came back with a code.
 * Answers {returnTo?, error?}: where to go next, or why sign-in failed.
 */
export async function startAuth() {
  const params = new URLSearchParams(window.location.search);
  const saved = sessionStorage.getItem(SESSION_KEY);
  if (saved) {
    try {
      session = JSON.parse(saved);
    } catch {
      session = null;
    }
  }
  if (!params.has("code") && !params.has("error")) {
    if (session && session.expiresAt - Date.now() < REFRESH_MARGIN_MS) {
      await refresh().catch(() => store(null));
    }
    scheduleRefresh();
    return {};
  }
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || "null");
  sessionStorage.removeItem(PENDING_KEY);
  const returnTo = pending && pending.returnTo ? pending.returnTo : "/";
  window.history.replaceState(null, "", returnTo);
  if (params.has("error") || !pending || params.get("state") !== pending.state) {
    return { returnTo, error: "Sign-in did not complete. Please try again." };
  }
  try {
    const { clientId } = await loadConfig();
    const tokens = await tokenRequest({
      grant_type: "authorization_code",
      client_id: clientId,
      code: params.get("code"),
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    });
    store(sessionFrom(tokens, null));
    return { returnTo };
  } catch (error) {
    return { returnTo, error: error.message };
  }
}

/** The access token for the API, refreshed first when it is about to expire. */
export async function accessToken() {
  if (!session) return null;
  if (session.expiresAt - Date.now() < REFRESH_MARGIN_MS) {
    await refresh().catch(() => store(null));
  }
  return session ? session.accessToken : null;
}

export function currentSession() {
  return session;
}

export function onSessionChange(listener) {
  listeners.add(listener);
}
