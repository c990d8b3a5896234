// The browser's POST of the presigned form straight to S3, and S3's refusals in words.

import { NetworkError } from "./api.js";
import { formatBytes } from "./formats.js";

/** Parse S3's XML error body into {code, message}; tolerant of empty or non-XML bodies. */
function parseS3Error(text) {
  if (!text) return { code: "", message: "" };
  try {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    if (doc.getElementsByTagName("parsererror").length === 0) {
      const pick = (tag) => {
        const node = doc.getElementsByTagName(tag)[0];
        return node ? node.textContent.trim() : "";
      };
      return { code: pick("Code"), message: pick("Message") };
    }
  } catch {
    // fall through
  }
  return { code: "", message: "" };
}

export function isExpiredRejection(status, s3) {
  if (status !== 400 && status !== 403) return false;
  return /expired/i.test(`${s3.code} ${s3.message}`);
}

export function s3ErrorMessage(status, s3, maxBytes) {
  switch (s3.code) {
    case "EntityTooLarge":
      return `Storage refused the picture because it is too large. Please choose one under ${formatBytes(maxBytes)}.`;
    case "EntityTooSmall":
      return "Storage refused the picture because the file is empty. Please choose another one.";
    case "InvalidPolicyDocument":
      return "Storage refused the upload because it did not match what was authorised. Please choose the picture again.";
    case "SignatureDoesNotMatch":
      return "Storage could not verify the upload's signature. Please reload the page and try again.";
    case "AccessDenied":
      return "Storage refused the upload (access denied). Please choose the picture again; if it keeps happening, reload the page.";
    case "RequestTimeout":
      return "The upload took too long and storage gave up. Please try again.";
    default:
      return `Storage refused the upload (${s3.code || `HTTP ${status}`}). Please try again.`;
  }
}

/**
 * POST the presigned form to S3: every field in order, then `file` last.
 * Resolves {ok:true} or {ok:false, status, s3} ; rejects with NetworkError; resolves
 * {aborted:true} when aborted through the returned handle.
 */
export function postToS3(upload, file, onProgress) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields || {})) {
      form.append(name, value);
    }
    form.append("file", file);

    xhr.open("POST", upload.url);
    xhr.responseType = "text";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) {
        onProgress(Math.min(99, Math.floor((event.loaded / event.total) * 100)));
      }
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve({ ok: true });
      } else {
        resolve({ ok: false, status: xhr.status, s3: parseS3Error(xhr.responseText) });
      }
    });
    xhr.addEventListener("error", () => reject(new NetworkError()));
    xhr.addEventListener("timeout", () => reject(new NetworkError()));
    xhr.addEventListener("abort", () => resolve({ aborted: true }));
    xhr.send(form);
  });
  return { xhr, promise };
}
