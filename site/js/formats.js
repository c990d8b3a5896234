// What the page accepts, in one place: the file picker's filter, the hint and the refusals.

export const ACCEPTED_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];
const TYPE_NAMES = ["PNG", "JPEG", "WebP", "GIF"];
/** "PNG, JPEG, WebP or GIF" */
export const ACCEPTED_NAMES = `${TYPE_NAMES.slice(0, -1).join(", ")} or ${TYPE_NAMES.at(-1)}`;

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024; // the server's default; its `maxBytes` wins
export const DEFAULT_AVATAR = "default-avatar.svg";

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? "byte" : "bytes"}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

export function quoteName(name) {
  return `“${name}”`;
}
