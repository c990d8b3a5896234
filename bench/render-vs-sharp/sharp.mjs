// sharp (its own libvips, one thread) doing what a publish does: the centred square of the
// JPEG at 512 px (shrink-on-load, Lanczos3), 256/128/64 from that 512 px square, each as a
// WebP of the same libwebp quality and effort as this project's variants.
//   node sharp.mjs PICTURE RUNS   → prints the median milliseconds of one publish
import { readFileSync } from "node:fs";
import sharp from "sharp";

sharp.concurrency(1);
sharp.cache(false);
sharp.simd(true);

const [picture, runsArg] = process.argv.slice(2);
const input = readFileSync(picture);
const runs = Number(runsArg ?? 20);
const webp = { quality: 85, effort: 4 };

async function publish() {
  const square = await sharp(input)
    .resize(512, 512, { fit: "cover", position: "centre", kernel: "lanczos3" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { raw: square.info };
  const out = [await sharp(square.data, raw).webp(webp).toBuffer()];
  for (const size of [256, 128, 64]) {
    out.push(await sharp(square.data, raw).resize(size, size, { kernel: "lanczos3" }).webp(webp).toBuffer());
  }
  return out;
}

const sizes = (await publish()).map((b) => b.length);
const times = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  await publish();
  times.push(Number(process.hrtime.bigint() - start) / 1e6);
}
times.sort((a, b) => a - b);
const rss = process.resourceUsage().maxRSS / 1024;
console.log(
  `sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}): median ${times[times.length >> 1].toFixed(1)} ms ` +
    `(min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)}, ${runs} runs), ` +
    `peak RSS ${rss.toFixed(0)} MiB, bytes ${sizes.join("/")}`,
);
