// A published avatar in an <img>: the square variants as a srcset, so the browser fetches
// the smallest one that is sharp at the image's display size and the screen's density,
// never the whole upload. The `sizes` attribute sits in the HTML beside the CSS size.

import { DEFAULT_AVATAR } from "./formats.js";

export const VARIANT_SIZES = [64, 128, 256, 512];

/** A URL as one srcset candidate: spaces and commas would split it. */
const candidate = (url) => url.replace(/[\s,]/g, (c) => encodeURIComponent(c));

/**
 * The avatar of a profile as the API returns it: `{src, srcset}` with the 256 px variant
 * as `src`; without variants (or without a complete set) `avatarUrl` alone (the largest
 * variant, or an avatar published before variants existed); the default picture when
 * there is no avatar.
 */
export function avatarSources(profile) {
  const shown = profile && typeof profile.avatarUrl === "string" && profile.avatarUrl ? profile.avatarUrl : null;
  if (!shown) return { src: DEFAULT_AVATAR, srcset: "" };
  const variants = profile.avatarVariants;
  const complete = variants && typeof variants === "object"
    && VARIANT_SIZES.every((n) => typeof variants[n] === "string" && variants[n]);
  if (!complete) return { src: shown, srcset: "" };
  return {
    src: variants[256],
    srcset: VARIANT_SIZES.map((n) => `${candidate(variants[n])} ${n}w`).join(", "),
  };
}

/** Points `img` at `sources`; the srcset goes first, or a stale one would win over `src`. */
export function showSources(img, { src, srcset }) {
  if (srcset) img.srcset = srcset;
  else img.removeAttribute("srcset");
  img.src = src;
}
