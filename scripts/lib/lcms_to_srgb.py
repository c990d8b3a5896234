"""The reference colour conversion of the variant tests: littleCMS (through Pillow's
ImageCms) turns raw 8-bit pixels described by an ICC profile into sRGB.

    python lcms_to_srgb.py MODE WIDTH HEIGHT PIXELS PROFILE OUT

MODE is RGB, RGBA, L, LA or CMYK (ink values, 0 for none); PIXELS holds the packed
pixels, PROFILE the ICC profile; OUT receives the sRGB pixels (RGB, or RGBA with the
alpha untouched), packed.

The intent is relative colorimetric: it takes a profile's A2B0 LUT (or its matrix and
curves) as it stands, as browsers' colour engines (skcms, qcms) and the app do. Under the
perceptual intent littleCMS would also scale black points between an ICC v4 profile's
perceptual reference medium and the v2 sRGB profile, darkening the shadows of v4 LUT
profiles by a few levels that no browser shows.
"""

import io
import sys

from PIL import Image, ImageCms


def main():
    mode, width, height, pixels, profile, out = sys.argv[1:]
    size = (int(width), int(height))
    with open(pixels, "rb") as f:
        image = Image.frombytes(mode, size, f.read())
    with open(profile, "rb") as f:
        source = ImageCms.ImageCmsProfile(io.BytesIO(f.read()))
    alpha = image.getchannel("A") if mode.endswith("A") else None
    if mode == "CMYK":
        colour = image
    else:
        colour = image.convert("L" if mode.startswith("L") else "RGB")
    srgb = ImageCms.profileToProfile(
        colour,
        source,
        ImageCms.createProfile("sRGB"),
        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
        outputMode="RGB",
    )
    if alpha is not None:
        srgb.putalpha(alpha)
    with open(out, "wb") as f:
        f.write(srgb.tobytes())


if __name__ == "__main__":
    main()
