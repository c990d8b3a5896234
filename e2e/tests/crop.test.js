// Choosing the square: a picture in four coloured quadrants is zoomed and panned (mouse,
// keys, touch) until the circle shows one quadrant, then saved. The save sends that square in whole pixels of the
// picture, and the profile page shows a square variant (not the original) whose pixels
// are that quadrant's colour. Once with the mouse and keyboard on a desktop, once by touch at phone
// width; the square can never leave the picture.

import assert from "node:assert/strict";
import { crc32 } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { assertAccessible } from "../a11y.js";
import {
  avatarShown,
  getProfile,
  makeQuadrantPng,
  openAccountPage,
  sampleImage,
  screenshot,
  settledStatus,
  submitProfile,
  uniqueUsername,
  useBrowser,
  variantSize,
} from "../lib.js";

const WIDTH = 800;
const HEIGHT = 600;
const RED = [220, 40, 40];
const GREEN = [40, 170, 70];
const BLUE = [40, 70, 220];
const YELLOW = [240, 200, 30];
const QUADRANTS = makeQuadrantPng(WIDTH, HEIGHT, [RED, GREEN, BLUE, YELLOW]);

/** The square the crop view has chosen, as the page will send it. */
function shownCrop(page) {
  return page.$eval("#crop_frame", (frame) => ({
    x: Number(frame.dataset.x),
    y: Number(frame.dataset.y),
    size: Number(frame.dataset.size),
  }));
}

async function pressTimes(page, key, times) {
  for (let i = 0; i < times; i += 1) await page.keyboard.press(key);
}

/** Chooses the quadrant picture and waits for the upload and the crop view. */
async function chooseQuadrants(page) {
  await page.setInputFiles("#file_input", { name: "quadrants.png", mimeType: "image/png", buffer: QUADRANTS });
  await page.waitForSelector("#crop_view:not([hidden])");
  await page.waitForFunction(() => document.querySelector("#crop_frame").dataset.size);
  const settled = await settledStatus(page);
  assert.equal(settled.state, "uploaded", settled.text);
  // Chosen, the square starts as the centred largest one.
  assert.deepEqual(await shownCrop(page), { x: (WIDTH - HEIGHT) / 2, y: 0, size: HEIGHT });
}

/** Records the JSON body of every POST /api/profile. */
function recordSaves(page) {
  const bodies = [];
  page.on("request", (req) => {
    if (req.method() === "POST" && new URL(req.url()).pathname === "/api/profile") bodies.push(JSON.parse(req.postData()));
  });
  return bodies;
}

/** Fills the form, saves, and returns the one crop the save sent. */
async function saveWith(page, username, saves) {
  await page.fill("input[name=username]", username);
  await page.fill("input[name=full-name]", "Crop Tester");
  await submitProfile(page);
  assert.equal(saves.length, 1, "one save");
  const { crop } = saves[0];
  assert.ok(saves[0].avatarKey, "the crop goes with a new picture");
  assert.deepEqual(Object.keys(crop).sort(), ["size", "x", "y"]);
  for (const n of Object.values(crop)) assert.ok(Number.isInteger(n) && n >= 0, `${JSON.stringify(crop)} is whole pixels`);
  assert.ok(crop.size >= 1 && crop.x + crop.size <= WIDTH && crop.y + crop.size <= HEIGHT, `${JSON.stringify(crop)} lies inside ${WIDTH}×${HEIGHT}`);
  return crop;
}

/**
 * On the profile page: the avatar is a square variant chosen from the srcset, not the
 * original, and all of it is `colour`.
 */
async function assertProfileShows(page, username, colour, margin = 0.05) {
  const profile = await getProfile(username);
  assert.equal(profile.status, 200);
  assert.ok(profile.body.avatarVariants, `the profile lists its variants: ${JSON.stringify(profile.body)}`);
  const shown = await avatarShown(page, "#profile_avatar");
  assert.notEqual(new URL(shown.currentSrc).pathname, profile.body.avatarUrl, "the page does not load the original");
  const size = variantSize(shown.currentSrc);
  assert.ok(size, `${shown.currentSrc} is a variant (…-{64|128|256|512}.{ext})`);
  assert.match(new URL(shown.currentSrc).pathname, /\.webp$/, "the variant shown is a WebP");
  assert.deepEqual([shown.width, shown.height], [size, size]);
  assert.match(shown.srcset, /\s64w,.*\s128w,.*\s256w,.*\s512w$/);
  const far = 1 - margin;
  const points = [[0.5, 0.5], [margin, margin], [far, margin], [margin, far], [far, far]];
  const colours = await sampleImage(page, "#profile_avatar", points);
  colours.forEach((rgb, i) => {
    const off = Math.max(...rgb.map((v, c) => Math.abs(v - colour[c])));
    assert.ok(off <= 24, `pixel at ${points[i]} is ${rgb}, expected about ${colour}`);
  });
}

/** A big-endian TIFF header and one IFD entry: Orientation (0x0112) = 6, "rotate 90° clockwise to show". */
const ORIENTATION_6 = Buffer.from([
  0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08,
  0x00, 0x01,
  0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00,
]);

/**
 * A picture of `type` (image/jpeg or image/png) drawn in the page, `width` × `height` as
 * stored, left half red and right half blue, with EXIF orientation 6 as a phone writes it
 * (a JPEG's APP1, a PNG's eXIf chunk): shown upright, it is `height` × `width`, red on top.
 */
async function rotatedPicture(page, width, height, type) {
  const base64 = await page.evaluate(
    async ([w, h, red, blue, mime]) => {
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const context = canvas.getContext("2d");
      context.fillStyle = `rgb(${red})`;
      context.fillRect(0, 0, w / 2, h);
      context.fillStyle = `rgb(${blue})`;
      context.fillRect(w / 2, 0, w / 2, h);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, mime, 0.95));
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let text = "";
      for (const byte of bytes) text += String.fromCharCode(byte);
      return btoa(text);
    },
    [width, height, RED, BLUE, type],
  );
  const drawn = Buffer.from(base64, "base64");
  if (type === "image/png") {
    // An eXIf chunk right after IHDR (signature 8 bytes + IHDR 25), before the image data.
    const kindAndData = Buffer.concat([Buffer.from("eXIf", "latin1"), ORIENTATION_6]);
    const chunk = Buffer.alloc(kindAndData.length + 8);
    chunk.writeUInt32BE(ORIENTATION_6.length, 0);
    kindAndData.copy(chunk, 4);
    chunk.writeUInt32BE(crc32(kindAndData), 4 + kindAndData.length);
    return Buffer.concat([drawn.subarray(0, 33), chunk, drawn.subarray(33)]);
  }
  const payload = Buffer.concat([Buffer.from("Exif\0\0", "latin1"), ORIENTATION_6]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([drawn.subarray(0, 2), app1, payload, drawn.subarray(2)]);
}

describe("crop", () => {
  const browser = useBrowser();

  it("zooms with the slider, pans with the mouse and keys, and publishes the chosen quadrant", { timeout: 90_000 }, async () => {
    const page = await browser.page();
    const username = uniqueUsername("crop");
    const saves = recordSaves(page);
    await openAccountPage(page);
    assert.ok(await page.isHidden("#crop_view"), "no crop view before a picture is chosen");
    await chooseQuadrants(page);
    assert.equal(await page.getAttribute("label[for=crop_zoom]", "for"), "crop_zoom");
    assert.equal(await page.getAttribute("#crop_zoom", "type"), "range");
    assert.ok(await page.getAttribute("#crop_frame", "aria-label"), "the frame has a name");
    assert.equal(await page.getAttribute("#crop_frame", "aria-describedby"), "crop_hint crop_position");
    const where = () => page.textContent("#crop_position");
    assert.equal(await where(), "Zoom 100%: the circle shows the centre of the picture.");
    await assertAccessible(page, "crop view (desktop)");

    // At full size the square can only move sideways, and never past either edge.
    await page.focus("#crop_frame");
    await pressTimes(page, "Shift+ArrowLeft", 10);
    assert.deepEqual(await shownCrop(page), { x: WIDTH - HEIGHT, y: 0, size: HEIGHT }, "stops at the right edge");
    await pressTimes(page, "Shift+ArrowUp", 3);
    assert.deepEqual(await shownCrop(page), { x: WIDTH - HEIGHT, y: 0, size: HEIGHT }, "no room to move up or down");
    await pressTimes(page, "Shift+ArrowRight", 10);
    assert.deepEqual(await shownCrop(page), { x: 0, y: 0, size: HEIGHT }, "stops at the left edge");

    // Zoom to 200% with the slider's keys: the square halves around the same centre.
    await page.focus("#crop_zoom");
    await pressTimes(page, "ArrowRight", 20);
    assert.equal(await page.inputValue("#crop_zoom"), "200");
    assert.equal(await page.getAttribute("#crop_zoom", "aria-valuetext"), "200%");
    assert.deepEqual(await shownCrop(page), { x: 150, y: 150, size: 300 });

    // A mouse drag moves the picture with the pointer, and back again.
    const box = await page.locator("#crop_frame").boundingBox();
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };

    // Ctrl+wheel (a trackpad pinch) zooms around the same centre, and back.
    await page.mouse.move(centre.x, centre.y);
    await page.keyboard.down("Control");
    await page.mouse.wheel(0, -100);
    await page.waitForFunction(() => Number(document.querySelector("#crop_frame").dataset.size) < 300);
    const pinched = await shownCrop(page);
    assert.ok(Math.abs(pinched.x + pinched.size / 2 - 300) <= 0.5, `zooming keeps the centre: ${JSON.stringify(pinched)}`);
    assert.equal(pinched.y, pinched.x);
    await page.mouse.wheel(0, 100);
    await page.keyboard.up("Control");
    await page.waitForFunction(() => Number(document.querySelector("#crop_frame").dataset.size) === 300);
    assert.deepEqual(await shownCrop(page), { x: 150, y: 150, size: 300 });
    const drag = async (dx, dy) => {
      await page.mouse.move(centre.x, centre.y);
      await page.mouse.down();
      await page.mouse.move(centre.x + dx, centre.y + dy, { steps: 8 });
      await page.mouse.up();
    };
    await drag(40, 0);
    const moved = await shownCrop(page);
    assert.ok(moved.x < 150 && moved.y === 150, `dragging right shows more of the left: ${JSON.stringify(moved)}`);
    await drag(-40, 0);
    assert.deepEqual(await shownCrop(page), { x: 150, y: 150, size: 300 });

    // A drag that runs far past the frame (the pointer is captured) stops at the edge.
    await drag(5 - centre.x, 0);
    assert.deepEqual(await shownCrop(page), { x: WIDTH - 300, y: 150, size: 300 });

    // Then keys: down until the circle shows the top-right quadrant alone (more presses
    // keep it inside the picture), and one big step back to the right.
    await page.focus("#crop_frame");
    await pressTimes(page, "Shift+ArrowDown", 6);
    await pressTimes(page, "ArrowDown", 3);
    await page.keyboard.press("Shift+ArrowRight");
    assert.deepEqual(await shownCrop(page), { x: 425, y: 0, size: 300 });
    assert.equal(await where(), "Zoom 200%: the circle shows the top right of the picture.");
    await screenshot(page, "crop-desktop");

    const crop = await saveWith(page, username, saves);
    assert.deepEqual(crop, { x: 425, y: 0, size: 300 });
    await assertProfileShows(page, username, GREEN);
    await screenshot(page, "crop-desktop-profile");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  for (const [type, name] of [["image/jpeg", "phone.jpg"], ["image/png", "edited.png"]]) {
    it(`crops a picture turned by its EXIF orientation 6 (${type}) in upright pixels`, { timeout: 90_000 }, async () => {
      const page = await browser.page();
      const username = uniqueUsername("upright");
      const saves = recordSaves(page);
      await openAccountPage(page);
      // Stored 400 × 200, red left and blue right; upright 200 × 400, red on top.
      const photo = await rotatedPicture(page, 400, 200, type);
      await page.setInputFiles("#file_input", { name, mimeType: type, buffer: photo });
      await page.waitForFunction(() => document.querySelector("#crop_frame").dataset.size);
      assert.equal((await settledStatus(page)).state, "uploaded");
      assert.deepEqual(await shownCrop(page), { x: 0, y: 100, size: 200 }, "the centred square of the upright picture");
      await page.focus("#crop_frame");
      await pressTimes(page, "Shift+ArrowDown", 4);
      assert.deepEqual(await shownCrop(page), { x: 0, y: 0, size: 200 }, "the upright picture's top");
      await page.fill("input[name=username]", username);
      await page.fill("input[name=full-name]", "Upright Tester");
      await submitProfile(page);
      assert.deepEqual(saves.map((body) => body.crop), [{ x: 0, y: 0, size: 200 }]);
      // The server turns the picture upright before cropping, as the browser did: the top
      // square is red.
      await assertProfileShows(page, username, RED, 0.1);
      assert.deepEqual(page.problems, []);
      await page.context().close();
    });
  }

  it("pans by touch at phone width, and a new picture starts again from its centre", { timeout: 90_000 }, async () => {
    const page = await browser.page({ width: 360, height: 740, hasTouch: true });
    const username = uniqueUsername("touch");
    const saves = recordSaves(page);
    await openAccountPage(page);
    await chooseQuadrants(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the crop view fits a 360 px screen (${overflow}px too wide)`);
    await assertAccessible(page, "crop view (phone)");

    // Zoom in, then drag the picture up and to the right with one finger: the square
    // moves down and left, into the bottom-left quadrant, and stops at the picture's edge.
    await page.focus("#crop_zoom");
    await pressTimes(page, "ArrowRight", 20);
    await page.$eval("#crop_frame", (el) => el.scrollIntoView({ block: "center" }));
    const box = await page.locator("#crop_frame").boundingBox();
    // From near the frame's bottom-left to near its top-right: a long drag on a small screen.
    const start = { x: box.x + box.width * 0.15, y: box.y + box.height * 0.85 };
    const cdp = await page.context().newCDPSession(page);
    const touch = (type, points) => cdp.send("Input.dispatchTouchEvent", { type, touchPoints: points });
    await touch("touchStart", [start]);
    for (let i = 1; i <= 10; i += 1) {
      await touch("touchMove", [{ x: start.x + (box.width * 0.7 * i) / 10, y: start.y - (box.height * 0.7 * i) / 10 }]);
    }
    await touch("touchEnd", []);
    const dragged = await shownCrop(page);
    assert.equal(dragged.size, 300);
    assert.equal(dragged.y, HEIGHT - 300, "stops at the bottom edge");
    assert.ok(dragged.x >= 0 && dragged.x + 300 <= WIDTH / 2, `${JSON.stringify(dragged)} is in the bottom-left quadrant`);
    await screenshot(page, "crop-phone");

    // Choosing the picture again starts from the centred largest square.
    await chooseQuadrants(page);
    assert.equal(await page.inputValue("#crop_zoom"), "100");
    await page.focus("#crop_zoom");
    await pressTimes(page, "ArrowRight", 20);
    await touch("touchStart", [start]);
    for (let i = 1; i <= 10; i += 1) {
      await touch("touchMove", [{ x: start.x + (box.width * 0.7 * i) / 10, y: start.y - (box.height * 0.7 * i) / 10 }]);
    }
    await touch("touchEnd", []);
    const crop = await saveWith(page, username, saves);
    assert.deepEqual(crop, dragged, "the same drag gives the same square");
    await assertProfileShows(page, username, BLUE);
    await screenshot(page, "crop-phone-profile");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});
