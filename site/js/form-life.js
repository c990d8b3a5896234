// An upload form lives a minute by default (UPLOAD_URL_TTL_SECS): the page asks for one right
// before its upload starts, and asks again when one arrives already spent.

/** Time the POST needs to reach storage once the form is in hand. */
const MARGIN_MS = 2000;

/**
 * Whether a form expiring at `expiresAt` (RFC 3339) leaves no time to start its upload at
 * `nowMs`. A form without a readable expiry is left to storage to judge.
 */
export function formOutlived(expiresAt, nowMs = Date.now()) {
  const end = Date.parse(expiresAt);
  if (Number.isNaN(end)) return false;
  return end - nowMs < MARGIN_MS;
}
