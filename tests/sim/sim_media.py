"""Deterministic content for the NanoPhoto simulator: storyboard script, storyboard PNG
and a playable MP4 whose frames are PNG images.  Standard library only.

Everything here is a pure function of its arguments (record id, sizes), so a resumed
download can be checked byte for byte against a fresh one.
"""
import hashlib
import math
import random
import struct
import zlib

PNG_SIG = b"\x89PNG\r\n\x1a\n"

# 3x5 glyphs: enough for scene labels ("SC1") and frame counters.
_GLYPHS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001001001001", "8": "111101111101111",
    "9": "111101111001111", "S": "111100111001111", "C": "111100100100111",
}


def _digest(*parts):
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).digest()


# ---------------------------------------------------------------- storyboard script

_SCENES = (
    'Opening \u2014 dawn over the skyline; a runner laces up. Caption: "Feel the speed" \U0001F3AC',
    "Close-up on the product; the caf\u00e9 sign reads \u201cCaf\u00e9 \u00c9toile\u201d, cr\u00e8me br\u00fbl\u00e9e on the table",
    "Tracking shot through a night market, neon sign \u4e2d\u6587\u5e7f\u544a \u201c\u901f\u5ea6\u201d \U0001F680",
    "Split screen before/after; a monitor shows the path C:\\ads\\tvc\\scene4",
    "Slow motion: water droplets; overlay na\u00efve \u2192 \u00f1 \u2192 \u00fc \u2192 \u00f8",
    'Crowd cheering; voice-over:\t"Run faster. Run stronger."',
    "Aerial drone shot over mountains \u2014 \u5c71\u306e\u4e0a \u2014 sunrise \U0001F304",
    "Hero shot of the product on a turntable, logo reveal \u2122 \u00a9",
    "End card: tagline, URL and call to action \U0001F45F \u2014 fin.",
)
_FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. "


def make_prompt(record_id, nbytes):
    """The 9-scene script (SC1..SC9), exactly `nbytes` long in UTF-8 (nbytes >= 1).

    Holds non-ASCII (BMP and astral), quotes, a backslash, a tab and newlines so that the
    JSON answer carries every kind of escape.  Padded with ASCII filler at the end."""
    tag = record_id[-6:]
    text = "\n".join("SC%d: %s [take %s]" % (i + 1, s, tag) for i, s in enumerate(_SCENES))
    raw = text.encode("utf-8")
    if len(raw) >= nbytes:
        raw = raw[:nbytes].decode("utf-8", "ignore").encode("utf-8")
        return (raw + b" " * (nbytes - len(raw))).decode("utf-8")
    need = nbytes - len(raw)
    pad = (" " + _FILLER * (need // len(_FILLER) + 1))[:need]
    return text + pad


# ---------------------------------------------------------------- raster + PNG

class Canvas:
    """A tiny raster: 1 byte (gray) or 3 bytes (RGB) per pixel, drawn with row spans."""

    def __init__(self, w, h, color):
        self.w, self.h, self.bpp = w, h, len(color)
        self.buf = bytearray(color * (w * h))

    def hspan(self, y, x0, x1, color):
        if y < 0 or y >= self.h:
            return
        x0, x1 = max(0, x0), min(self.w, x1)
        if x1 > x0:
            o = y * self.w * self.bpp
            self.buf[o + x0 * self.bpp:o + x1 * self.bpp] = color * (x1 - x0)

    def rect(self, x0, y0, x1, y1, color):
        for y in range(max(0, y0), min(self.h, y1)):
            self.hspan(y, x0, x1, color)

    def frame(self, x0, y0, x1, y1, t, color):
        self.rect(x0, y0, x1, y0 + t, color)
        self.rect(x0, y1 - t, x1, y1, color)
        self.rect(x0, y0, x0 + t, y1, color)
        self.rect(x1 - t, y0, x1, y1, color)

    def disc(self, cx, cy, r, color, inner=0, bg=None):
        for dy in range(-r, r + 1):
            dx = int(math.sqrt(r * r - dy * dy))
            self.hspan(cy + dy, cx - dx, cx + dx + 1, color)
            if inner and abs(dy) < inner:
                di = int(math.sqrt(inner * inner - dy * dy))
                self.hspan(cy + dy, cx - di, cx + di + 1, bg)

    def triangle(self, cx, top, bottom, half, color):
        for y in range(top, bottom):
            d = half * (y - top) // max(1, bottom - top)
            self.hspan(y, cx - d, cx + d + 1, color)

    def text(self, x, y, s, scale, color):
        for ch in s:
            g = _GLYPHS.get(ch)
            if g:
                for i, bit in enumerate(g):
                    if bit == "1":
                        gx, gy = x + (i % 3) * scale, y + (i // 3) * scale
                        self.rect(gx, gy, gx + scale, gy + scale, color)
            x += 4 * scale

    def png_parts(self, level=9):
        """(head, tail): head = signature+IHDR+IDAT, tail = IEND; a pad chunk fits between."""
        stride = self.w * self.bpp
        raw = b"".join(b"\x00" + self.buf[y * stride:(y + 1) * stride] for y in range(self.h))
        ctype = 0 if self.bpp == 1 else 2
        ihdr = struct.pack(">IIBBBBB", self.w, self.h, 8, ctype, 0, 0, 0)
        head = PNG_SIG + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw, level))
        return head, png_chunk(b"IEND", b"")

    def png(self):
        head, tail = self.png_parts()
        return head + tail


def png_chunk(ctype, data):
    return (struct.pack(">I", len(data)) + ctype + data
            + struct.pack(">I", zlib.crc32(ctype + data) & 0xFFFFFFFF))


# 'paDd': ancillary, private, reserved bit clear, safe-to-copy -> every decoder skips it.
PAD_CHUNK = b"paDd"

BLACK, WHITE = b"\x00", b"\xff"


def _panel(cv, x0, y0, size, idx, shape):
    m, t = 12, 5
    cv.frame(x0 + m, y0 + m, x0 + size - m, y0 + size - m, t, BLACK)
    cv.text(x0 + m + 12, y0 + m + 12, "SC%d" % (idx + 1), 4, BLACK)
    cx, cy, r = x0 + size // 2, y0 + size // 2 + 16, size // 5
    if shape == 0:
        cv.disc(cx, cy, r, BLACK)
    elif shape == 1:
        cv.disc(cx, cy, r, BLACK, inner=r - 10, bg=WHITE)
    elif shape == 2:
        cv.rect(cx - r, cy - r, cx + r, cy + r, BLACK)
    elif shape == 3:
        cv.frame(cx - r, cy - r, cx + r, cy + r, 8, BLACK)
    elif shape == 4:
        cv.triangle(cx, cy - r, cy + r, r, BLACK)
    elif shape == 5:  # stick figure
        cv.disc(cx, cy - r, r // 3, BLACK)
        cv.rect(cx - 4, cy - r + r // 3, cx + 4, cy + r // 2, BLACK)
        cv.rect(cx - r // 2 - 10, cy - r // 3, cx + r // 2 + 10, cy - r // 3 + 7, BLACK)
        cv.rect(cx - r // 3, cy + r // 2, cx - r // 3 + 7, cy + r + 10, BLACK)
        cv.rect(cx + r // 3 - 7, cy + r // 2, cx + r // 3, cy + r + 10, BLACK)
        cv.rect(cx - r // 3, cy + r // 2 - 6, cx + r // 3, cy + r // 2 + 1, BLACK)
    elif shape == 6:  # horizon with a setting sun
        cv.disc(cx, cy + r // 2, r, BLACK, inner=r - 8, bg=WHITE)
        cv.rect(x0 + m + t, cy + r // 2, x0 + size - m - t, cy + r + 30, WHITE)
        cv.rect(x0 + m + t, cy + r // 2, x0 + size - m - t, cy + r // 2 + 6, BLACK)
    else:  # speed lines
        for k in range(5):
            cv.rect(cx - r + 12 * k, cy - r + 18 * k, cx + r, cy - r + 18 * k + 6, BLACK)


def make_storyboard_png(record_id, size=768):
    """A 3x3 black-and-white storyboard: framed panels, labels SC1..SC9, a shape each."""
    h = _digest("storyboard", record_id)
    cv = Canvas(size, size, WHITE)
    p = size // 3
    shapes = sorted(range(8), key=lambda k: h[k])  # a per-record permutation
    for i in range(9):
        _panel(cv, (i % 3) * p, (i // 3) * p, p, i, shapes[i % 8])
    return cv.png()


# ---------------------------------------------------------------- MP4 (ISO BMFF)

def _box(btype, *payload):
    data = b"".join(payload)
    return struct.pack(">I", 8 + len(data)) + btype + data


def _fullbox(btype, version, flags, *payload):
    return _box(btype, struct.pack(">I", (version << 24) | flags), *payload)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
_TIMESCALE = 1000


def _moov(w, h, sizes, fps, mdat_offset):
    n = len(sizes)
    delta = _TIMESCALE // fps
    dur = n * delta
    mvhd = _fullbox(b"mvhd", 0, 0, struct.pack(">IIII", 0, 0, _TIMESCALE, dur),
                    struct.pack(">IH10x", 0x10000, 0x100), _MATRIX, b"\x00" * 24,
                    struct.pack(">I", 2))
    tkhd = _fullbox(b"tkhd", 0, 3, struct.pack(">IIIII", 0, 0, 1, 0, dur), b"\x00" * 8,
                    struct.pack(">hhhH", 0, 0, 0, 0), _MATRIX, struct.pack(">II", w << 16, h << 16))
    mdhd = _fullbox(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, _TIMESCALE, dur, 0x55C4, 0))
    hdlr = _fullbox(b"hdlr", 0, 0, struct.pack(">I", 0), b"vide", b"\x00" * 12, b"VideoHandler\x00")
    vmhd = _fullbox(b"vmhd", 0, 1, b"\x00" * 8)
    dinf = _box(b"dinf", _fullbox(b"dref", 0, 0, struct.pack(">I", 1), _fullbox(b"url ", 0, 1)))
    name = b"PNG"
    entry = _box(b"png ", b"\x00" * 6, struct.pack(">H", 1), b"\x00" * 16,
                 struct.pack(">HHIII", w, h, 0x480000, 0x480000, 0), struct.pack(">H", 1),
                 bytes([len(name)]) + name + b"\x00" * (31 - len(name)), struct.pack(">Hh", 24, -1))
    stbl = _box(b"stbl",
                _fullbox(b"stsd", 0, 0, struct.pack(">I", 1), entry),
                _fullbox(b"stts", 0, 0, struct.pack(">III", 1, n, delta)),
                _fullbox(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, n, 1)),
                _fullbox(b"stsz", 0, 0, struct.pack(">II", 0, n), struct.pack(">%dI" % n, *sizes)),
                _fullbox(b"stco", 0, 0, struct.pack(">II", 1, mdat_offset)))
    minf = _box(b"minf", vmhd, dinf, stbl)
    trak = _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf))
    return _box(b"moov", mvhd, trak)


_FTYP = _box(b"ftyp", b"isom", struct.pack(">I", 0x200), b"isom", b"iso2", b"mp41")


def _video_frame(i, n, w, h, bg, fg):
    cv = Canvas(w, h, bg)
    x = (i * 3) % (w + 12) - 12
    cv.rect(x, 0, x + 12, h, b"\xff\xff\xff")
    cv.disc(w // 2 + int((w // 3) * math.sin(i / 7.0)), h // 2, min(w, h) // 8, fg)
    cv.text(4, 4, "%03d" % i, 2, b"\xff\xd0\x20")
    cv.rect(0, h - 4, w * (i + 1) // n, h, b"\x30\xe0\x60")
    return cv.png_parts()


def make_video(record_id, seconds=10, landscape=True, target=1 << 20, fps=10):
    """A playable MP4 ('png ' video track, moov before mdat), about `target` bytes.

    Sizes are hit exactly when `target` is above the natural size (PNG frames are padded
    with a private chunk of pseudo-random bytes, so a misplaced resume changes the hash);
    below it the clip is shortened."""
    w, h = (160, 90) if landscape else (90, 160)
    d = _digest("video", record_id)
    bg = bytes((d[0] % 48, d[1] % 48, 40 + d[2] % 64))
    fg = bytes((200 + d[3] % 56, 60 + d[4] % 120, d[5] % 90))
    n = max(1, int(seconds) * fps)
    parts = [_video_frame(i, n, w, h, bg, fg) for i in range(n)]
    sizes = [len(a) + len(b) for a, b in parts]

    def overhead(k):
        return len(_FTYP) + len(_moov(w, h, [0] * k, fps, 0)) + 8

    while n > 1 and overhead(n) + sum(sizes[:n]) > target:
        avg = sum(sizes[:n]) / n
        n = max(1, min(n - 1, int((target - overhead(n)) / avg)))
    parts, sizes = parts[:n], sizes[:n]
    extra = target - overhead(n) - sum(sizes)
    rng = random.Random(int.from_bytes(d[:8], "big"))
    frames, tail_free = [], b""
    if extra >= 12 * n:
        per = extra // n
        for k, (a, b) in enumerate(parts):
            plen = per - 12 + (extra - per * n if k == n - 1 else 0)
            frames.append(a + png_chunk(PAD_CHUNK, rng.randbytes(plen)) + b)
    else:
        frames = [a + b for a, b in parts]
        if extra >= 8:
            tail_free = _box(b"free", rng.randbytes(extra - 8))
    sizes = [len(f) for f in frames]
    moov = _moov(w, h, sizes, fps, overhead(n))
    mdat = struct.pack(">I", 8 + sum(sizes)) + b"mdat"
    return b"".join([_FTYP, moov, mdat] + frames + [tail_free])
