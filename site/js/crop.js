// The crop view: the chosen picture in a circular frame; dragging (mouse, pen, touch and
// two-finger pinch), the arrow keys and the zoom slider choose the square that becomes the
// avatar. Coordinates are pixels of the upright picture: the browser decodes with the
// EXIF orientation applied (`image-orientation: from-image`), as the server does.

/** Below this the smallest variant (64 px) would already be an enlargement. */
const SMALLEST_SQUARE = 64;
const MOST_ZOOM = 8;
const ZOOM_STEP = 5; // percent, the slider's step
/** Arrow keys move the picture by this share of the square; Shift by the larger one. */
const KEY_STEP = 0.05;
const KEY_STEP_LARGE = 0.25;
/**
 * The frame shows a margin of the picture around the square, dimmed, so one sees what is
 * left out; this is the margin's share of the frame's width on each side (see .crop-mask).
 */
const FRAME_MARGIN = 0.1;

const clamp = (value, low, high) => Math.min(high, Math.max(low, value));

/**
 * Places `img` inside the clipping square `frame` so that the square `crop` of the picture
 * (`width` × `height`) fills the frame less `margin` (a share of its width) on each side.
 * Shared by the crop frame and the small preview (no margin).
 */
export function placePicture(img, frame, { width, height, x, y, size }, margin = 0) {
  const inset = frame.clientWidth * margin;
  const scale = (frame.clientWidth - 2 * inset) / size;
  img.classList.add("is-placed");
  img.style.width = `${width * scale}px`;
  img.style.height = `${height * scale}px`;
  img.style.transform = `translate(${inset - x * scale}px, ${inset - y * scale}px)`;
}

/** Undoes `placePicture`: the image fills its frame again (object-fit: cover). */
export function unplacePicture(img) {
  img.classList.remove("is-placed");
  img.style.removeProperty("width");
  img.style.removeProperty("height");
  img.style.removeProperty("transform");
}

/**
 * A crop as the API takes it: integers, a square inside the picture, size ≥ 1; null for
 * anything else (e.g. a draft written by an older page).
 */
export function validCrop(crop) {
  if (!crop || typeof crop !== "object") return null;
  const { x, y, size } = crop;
  if (![x, y, size].every(Number.isSafeInteger) || x < 0 || y < 0 || size < 1) return null;
  return { x, y, size };
}

/** "top left", "right", "centre"…: where the square's centre lies, in words. */
function partOf({ width, height, cx, cy, size }) {
  const along = (centre, length, low, high) => {
    if (size >= length - 0.5) return null; // the square spans the whole of it
    const share = centre / length;
    return share < 0.4 ? low : share > 0.6 ? high : null;
  };
  const words = [along(cy, height, "top", "bottom"), along(cx, width, "left", "right")].filter(Boolean);
  return words.length ? words.join(" ") : "centre";
}

export function initCrop({ container, frame, image, zoom, position, mirror }) {
  // null until a chosen picture has decoded; then its size and the square's centre and
  // side, kept fractional so that slow drags and zooms do not snap to whole pixels.
  let picture = null;
  let generation = 0;
  // A crop restored from a draft, for an upload whose picture is no longer in the page.
  let restored = null;

  const side = () => Math.min(picture.width, picture.height);
  /** On screen, the width of the square being chosen (the frame less its margins). */
  const squareWidth = () => frame.clientWidth * (1 - 2 * FRAME_MARGIN);

  /** The square as the API takes it: whole pixels, inside the picture. */
  function value() {
    if (!picture) return restored;
    const size = clamp(Math.round(picture.size), 1, side());
    return {
      x: clamp(Math.round(picture.cx - size / 2), 0, picture.width - size),
      y: clamp(Math.round(picture.cy - size / 2), 0, picture.height - size),
      size,
    };
  }

  /** Keeps the square inside the picture: it can never show anything outside it. */
  function keepInside() {
    const half = picture.size / 2;
    picture.cx = clamp(picture.cx, half, picture.width - half);
    picture.cy = clamp(picture.cy, half, picture.height - half);
  }

  function render() {
    if (!picture) return;
    const exact = { width: picture.width, height: picture.height, x: picture.cx - picture.size / 2, y: picture.cy - picture.size / 2, size: picture.size };
    placePicture(image, frame, exact, FRAME_MARGIN);
    if (mirror.img.src === image.src) placePicture(mirror.img, mirror.frame, exact);
    const percent = Math.round((side() / picture.size) * 100);
    zoom.value = String(percent);
    zoom.setAttribute("aria-valuetext", `${percent}%`);
    position.textContent = `Zoom ${percent}%: the circle shows the ${partOf(picture)} of the picture.`;
    const chosen = value();
    frame.dataset.x = String(chosen.x);
    frame.dataset.y = String(chosen.y);
    frame.dataset.size = String(chosen.size);
  }

  /** Zooms to `percent` of the largest square, keeping the centre where it is. */
  function zoomTo(percent) {
    const max = Number(zoom.max);
    picture.size = side() / (clamp(percent, 100, max) / 100);
    keepInside();
    render();
  }

  /** Moves the picture by (dx, dy) screen pixels, as a drag does: the square moves the other way. */
  function pan(dx, dy) {
    const perPixel = picture.size / squareWidth();
    picture.cx -= dx * perPixel;
    picture.cy -= dy * perPixel;
    keepInside();
    render();
  }

  /** Shows `src` in the frame at the centred largest square; hides the view if it cannot decode. */
  async function load(src) {
    generation += 1;
    const mine = generation;
    picture = null;
    restored = null;
    for (const key of ["x", "y", "size"]) delete frame.dataset[key];
    image.src = src;
    try {
      await image.decode();
    } catch {
      if (mine === generation) clear();
      return;
    }
    if (mine !== generation) return;
    const width = image.naturalWidth;
    const height = image.naturalHeight;
    if (!width || !height) {
      clear();
      return;
    }
    const smallest = Math.min(width, height);
    const most = clamp(Math.floor((smallest / SMALLEST_SQUARE) * (100 / ZOOM_STEP)) * ZOOM_STEP, 100, MOST_ZOOM * 100);
    zoom.max = String(most);
    zoom.disabled = most === 100;
    picture = { width, height, cx: width / 2, cy: height / 2, size: smallest };
    container.hidden = false;
    render();
  }

  /** Hides the view; no crop is sent (the server then takes the centred largest square). */
  function clear() {
    generation += 1;
    picture = null;
    restored = null;
    container.hidden = true;
    image.removeAttribute("src");
    position.textContent = "";
    unplacePicture(image);
    unplacePicture(mirror.img);
    for (const key of ["x", "y", "size"]) delete frame.dataset[key];
  }

  /** A crop kept across sign-in: sent with the restored upload, though its picture is gone. */
  function restore(crop) {
    clear();
    restored = validCrop(crop);
  }

  /**
   * The chosen square drawn small (a data: URL), so a draft kept across sign-in can show
   * what will be published; null when there is no picture in the page.
   */
  function thumbnail(px = 224) {
    if (!picture) return null;
    const { x, y, size } = value();
    const canvas = document.createElement("canvas");
    canvas.width = px;
    canvas.height = px;
    const context = canvas.getContext("2d");
    if (!context) return null;
    context.drawImage(image, x, y, size, size, 0, 0, px, px);
    return canvas.toDataURL("image/webp", 0.85);
  }

  // ---- pointer: one pointer pans, two pinch-zoom (touch-action: none hands both to us)

  const pointers = new Map();

  frame.addEventListener("pointerdown", (event) => {
    if (!picture || (event.pointerType === "mouse" && event.button !== 0)) return;
    frame.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    frame.classList.add("is-dragging");
  });

  frame.addEventListener("pointermove", (event) => {
    const last = pointers.get(event.pointerId);
    if (!last || !picture) return;
    const before = [...pointers.values()].map((p) => ({ ...p }));
    pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
    const now = [...pointers.values()];
    if (now.length === 1) {
      pan(event.clientX - last.x, event.clientY - last.y);
      return;
    }
    const [a0, b0] = before;
    const [a1, b1] = now;
    const spread0 = Math.hypot(a0.x - b0.x, a0.y - b0.y);
    const spread1 = Math.hypot(a1.x - b1.x, a1.y - b1.y);
    pan((a1.x + b1.x - a0.x - b0.x) / 2, (a1.y + b1.y - a0.y - b0.y) / 2);
    if (spread0 > 0) zoomTo((side() / picture.size) * 100 * (spread1 / spread0));
  });

  const release = (event) => {
    pointers.delete(event.pointerId);
    if (pointers.size === 0) frame.classList.remove("is-dragging");
  };
  frame.addEventListener("pointerup", release);
  frame.addEventListener("pointercancel", release);
  frame.addEventListener("lostpointercapture", release);

  // ---- keys: arrows move the picture (as a drag does), + and − zoom

  const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  frame.addEventListener("keydown", (event) => {
    if (!picture || event.altKey || event.ctrlKey || event.metaKey) return;
    const arrow = ARROWS[event.key];
    if (arrow) {
      event.preventDefault();
      const step = (event.shiftKey ? KEY_STEP_LARGE : KEY_STEP) * squareWidth();
      pan(arrow[0] * step, arrow[1] * step);
    } else if (event.key === "+" || event.key === "=" || event.key === "-") {
      event.preventDefault();
      zoomTo(Number(zoom.value) + (event.key === "-" ? -2 : 2) * ZOOM_STEP);
    }
  });

  // A trackpad pinch arrives as a wheel event with ctrlKey (so does Ctrl+wheel): zoom the
  // picture, not the page. A plain wheel still scrolls the page past the frame.
  frame.addEventListener(
    "wheel",
    (event) => {
      if (!picture || !event.ctrlKey) return;
      event.preventDefault();
      zoomTo((side() / picture.size) * 100 * Math.exp(-event.deltaY / 200));
    },
    { passive: false },
  );

  zoom.addEventListener("input", () => {
    if (picture) zoomTo(Number(zoom.value));
  });

  // A phone turned sideways resizes the frame: the same square, drawn at the new size.
  new ResizeObserver(render).observe(frame);

  return { load, clear, restore, value, thumbnail };
}
