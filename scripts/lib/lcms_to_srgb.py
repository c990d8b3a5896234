"""The reference colour conversion of the variant tests: littleCMS (through Pillow's
ImageCms) turns raw 8-bit pixels described by an ICC profile into sRGB.

    python lcms_to_srgb.py MODE WIDTH HEIGHT PIXELS PROFILE OUT

MODE is RGB, RGBA, L or LA; PIXELS holds the packed pixels, PROFILE the ICC profile; OUT
receives the sRGB pixels (RGB, or RGBA with the alpha untouched), packed.
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
    colour = image.convert("L" if mode.startswith("L") else "RGB")
    srgb = ImageCms.profileToProfile(
        colour,
        source,
        ImageCms.createProfile("sRGB"),
        renderingIntent=ImageCms.Intent.PERCEPTUAL,
        outputMode="RGB",
    )
    if alpha is not None:
        srgb.putalpha(alpha)
    with open(out, "wb") as f:
        f.write(srgb.tobytes())


if __name__ == "__main__":
    main()
