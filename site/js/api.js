// The app's JSON API: requests, the §3 error shape, and the pages' addresses.

import { accessToken } from "./auth.js";


/** Error raised for a non-2xx API answer, carrying the §3 error body if there was one. */
export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    const err = body && typeof body === "object" && body.error && typeof body.error === "object" ? body.error : null;
    const message = err && typeof err.message === "string" && err.message
      ? err.message
      : `The server answered with an unexpected error (HTTP ${status}). Please try again.`;
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = err && typeof err.code === "string" ? err.code : null;
    this.field = err && typeof err.field === "string" && err.field ? err.field : null;
    // Seconds until a 429's limit resets (the Retry-After header), when the server said.
    this.retryAfter = retryAfter;
  }
}

/** Raised when the server could not be reached at all. */
export class NetworkError extends Error {
  constructor() {
    super("Could not reach the server. Check your connection and try again.");
    this.name = "NetworkError";
  }
}

/** A JSON request; the signed-in user's access token goes along when there is one. */
export async function apiRequest(method, path, body) {
  const init = { method, headers: { Accept: "application/json" } };
  const token = await accessToken();
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new NetworkError();
  }
  if (response.status === 204) return { status: 204, data: null };
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data, retryAfterSeconds(response));
  if (data === null || typeof data !== "object") {
    throw new ApiError(response.status, null);
  }
  return { status: response.status, data };
}

function retryAfterSeconds(response) {
  const value = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  return Number.isInteger(value) && value >= 0 ? value : null;
}

/** "try again in N minutes" for a 429, from its Retry-After (rounded up). */
export function waitMessage(error) {
  if (error.retryAfter === null) return "try again later";
  const minutes = Math.max(1, Math.ceil(error.retryAfter / 60));
  return `try again in ${minutes} minute${minutes === 1 ? "" : "s"}`;
}

export function profilePath(username) {
  return `/api/profile/${encodeURIComponent(username)}`;
}

export function profileUrl(username) {
  return `profile.html?username=${encodeURIComponent(username)}`;
}

export function usernameFromQuery() {
  const value = new URLSearchParams(window.location.search).get("username");
  return value ? value.trim() : "";
}
