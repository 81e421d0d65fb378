"""A log-log line chart as a PNG, with the Python standard library only
(zlib for the compression, a 5x7 bitmap font for the text), so that the
benchmark draws its plot on any machine without a plotting package.

    line_chart(path, series, title, xlabel, ylabel)

series: [(label, (r, g, b), [(x, y), ...]), ...] with x, y > 0.
"""

import math
import struct
import zlib

# 5x7 glyphs, 7 rows of 5 columns each ('#' = ink); text is drawn in capitals.
_FONT = {
    '0': ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
    '1': ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
    '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
    '3': ['#####', '...#.', '..#..', '...#.', '....#', '#...#', '.###.'],
    '4': ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
    '5': ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
    '6': ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
    '7': ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
    '8': ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
    '9': ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
    'A': ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
    'B': ['####.', '#...#', '#...#', '####.', '#...#', '#...#', '####.'],
    'C': ['.###.', '#...#', '#....', '#....', '#....', '#...#', '.###.'],
    'D': ['###..', '#..#.', '#...#', '#...#', '#...#', '#..#.', '###..'],
    'E': ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
    'F': ['#####', '#....', '#....', '####.', '#....', '#....', '#....'],
    'G': ['.###.', '#...#', '#....', '#.###', '#...#', '#...#', '.####'],
    'H': ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
    'I': ['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
    'J': ['..###', '...#.', '...#.', '...#.', '...#.', '#..#.', '.##..'],
    'K': ['#...#', '#..#.', '#.#..', '##...', '#.#..', '#..#.', '#...#'],
    'L': ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
    'M': ['#...#', '##.##', '#.#.#', '#.#.#', '#...#', '#...#', '#...#'],
    'N': ['#...#', '#...#', '##..#', '#.#.#', '#..##', '#...#', '#...#'],
    'O': ['.###.', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
    'P': ['####.', '#...#', '#...#', '####.', '#....', '#....', '#....'],
    'Q': ['.###.', '#...#', '#...#', '#...#', '#.#.#', '#..#.', '.##.#'],
    'R': ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
    'S': ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
    'T': ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
    'U': ['#...#', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
    'V': ['#...#', '#...#', '#...#', '#...#', '#...#', '.#.#.', '..#..'],
    'W': ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '#.#.#', '.#.#.'],
    'X': ['#...#', '#...#', '.#.#.', '..#..', '.#.#.', '#...#', '#...#'],
    'Y': ['#...#', '#...#', '.#.#.', '..#..', '..#..', '..#..', '..#..'],
    'Z': ['#####', '....#', '...#.', '..#..', '.#...', '#....', '#####'],
    ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
    '.': ['.....', '.....', '.....', '.....', '.....', '.##..', '.##..'],
    ',': ['.....', '.....', '.....', '.....', '.##..', '..#..', '.#...'],
    '-': ['.....', '.....', '.....', '#####', '.....', '.....', '.....'],
    '/': ['....#', '....#', '...#.', '..#..', '.#...', '#....', '#....'],
    '(': ['...#.', '..#..', '.#...', '.#...', '.#...', '..#..', '...#.'],
    ')': ['.#...', '..#..', '...#.', '...#.', '...#.', '..#..', '.#...'],
    '=': ['.....', '.....', '#####', '.....', '#####', '.....', '.....'],
    ':': ['.....', '.##..', '.##..', '.....', '.##..', '.##..', '.....'],
    '+': ['.....', '..#..', '..#..', '#####', '..#..', '..#..', '.....'],
    '%': ['##...', '##..#', '...#.', '..#..', '.#...', '#..##', '...##'],
    '_': ['.....', '.....', '.....', '.....', '.....', '.....', '#####'],
    "'": ['..#..', '..#..', '.#...', '.....', '.....', '.....', '.....'],
}


class Canvas:
    def __init__(self, w, h, bg=(255, 255, 255)):
        self.w, self.h = w, h
        self.px = bytearray(bytes(bg) * (w * h))

    def set(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            i = (y * self.w + x) * 3
            self.px[i:i + 3] = bytes(c)

    def rect(self, x0, y0, x1, y1, c):
        for y in range(max(0, y0), min(self.h, y1 + 1)):
            for x in range(max(0, x0), min(self.w, x1 + 1)):
                self.set(x, y, c)

    def line(self, x0, y0, x1, y1, c, width=1):
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        r = width // 2
        for i in range(steps + 1):
            x = round(x0 + (x1 - x0) * i / steps)
            y = round(y0 + (y1 - y0) * i / steps)
            self.rect(x - r, y - r, x - r + width - 1, y - r + width - 1, c)

    def text(self, x, y, s, c=(0, 0, 0), scale=2):
        """Text in capitals; characters without a glyph print as blanks."""
        for ch in s.upper():
            g = _FONT.get(ch, _FONT[" "])
            for row in range(7):
                for col in range(5):
                    if g[row][col] == "#":
                        self.rect(x + col * scale, y + row * scale,
                                  x + col * scale + scale - 1,
                                  y + row * scale + scale - 1, c)
            x += 6 * scale

    def text_vertical(self, x, y, s, c=(0, 0, 0), scale=2):
        """Text rotated a quarter turn counter-clockwise, reading upwards
        from (x, y)."""
        for ch in s.upper():
            g = _FONT.get(ch, _FONT[" "])
            for row in range(7):
                for col in range(5):
                    if g[row][col] == "#":
                        px = x + row * scale
                        py = y - col * scale
                        self.rect(px, py - scale + 1, px + scale - 1, py, c)
            y -= 6 * scale

    def png(self, path):
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3])
                       for y in range(self.h))

        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data +
                    struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n")
            f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)))
            f.write(chunk(b"IDAT", zlib.compress(raw, 9)))
            f.write(chunk(b"IEND", b""))


def text_width(s, scale=2):
    return len(s) * 6 * scale


def _human(v):
    for unit, div in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if v >= div:
            q = v / div
            return ("%g" % round(q, 1)) + unit
    return "%g" % v


def line_chart(path, series, title, xlabel, ylabel, w=960, h=600):
    c = Canvas(w, h)
    left, right, top, bottom = 110, 30, 50, 150
    pw, ph = w - left - right, h - top - bottom
    xs = [x for _, _, pts in series for x, _ in pts]
    ys = [y for _, _, pts in series for _, y in pts]
    if not xs:
        raise ValueError("nothing to plot")
    lx0, lx1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    ly0, ly1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    lx1 = max(lx1, lx0 + 1)
    ly1 = max(ly1, ly0 + 1)

    def X(v):
        return left + round((math.log10(v) - lx0) / (lx1 - lx0) * pw)

    def Y(v):
        return top + ph - round((math.log10(v) - ly0) / (ly1 - ly0) * ph)

    grid, axis = (225, 225, 225), (60, 60, 60)
    for k in range(lx0, lx1 + 1):
        x = X(10 ** k)
        c.line(x, top, x, top + ph, grid)
        lab = _human(10 ** k)
        c.text(x - text_width(lab) // 2, top + ph + 10, lab, axis)
    for k in range(ly0, ly1 + 1):
        y = Y(10 ** k)
        c.line(left, y, left + pw, y, grid)
        lab = _human(10 ** k)
        c.text(left - 10 - text_width(lab), y - 7, lab, axis)
    c.line(left, top, left, top + ph, axis)
    c.line(left, top + ph, left + pw, top + ph, axis)
    c.text(left + (pw - text_width(title)) // 2, 15, title)
    c.text(left + (pw - text_width(xlabel)) // 2, top + ph + 36, xlabel, axis)
    c.text_vertical(18, top + (ph + text_width(ylabel)) // 2, ylabel, axis)
    for label, color, pts in series:
        pts = sorted(pts)
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            c.line(X(x0), Y(y0), X(x1), Y(y1), color, width=3)
        for x, y in pts:
            c.rect(X(x) - 4, Y(y) - 4, X(x) + 4, Y(y) + 4, color)
    ly = top + ph + 66
    lx = left
    for label, color, _ in series:
        wlab = 30 + text_width(label) + 30
        if lx + wlab > w - right:
            lx = left
            ly += 24
        c.rect(lx, ly + 4, lx + 20, ly + 9, color)
        c.text(lx + 28, ly, label)
        lx += wlab
    c.png(path)
