"""Builds healdeck-dots.ttf: filled circles for the colored-circle emoji — 🔴 🟠 🟡 🟢 🔵
(U+1F534, U+1F7E0, U+1F7E1, U+1F7E2, U+1F535); egui's bundled fonts lack three of them, so all
five come from here and look alike. The app colors them per use (severity badges, the mode
toggle). Run with fontTools: `python3 make_dots.py` (not needed to build)."""
import math
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

UPM = 2048
ADV = 2550
CX, CY, R = ADV / 2, 640, 860


def circle():
    pen = TTGlyphPen(None)
    n = 16
    k = 1 / math.cos(math.pi / n)
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n
        pts.append((CX + R * math.cos(a), CY + R * math.sin(a)))
    pen.moveTo((round(pts[0][0]), round(pts[0][1])))
    for i in range(n):
        a = 2 * math.pi * (i + 0.5) / n
        ctrl = (round(CX + R * k * math.cos(a)), round(CY + R * k * math.sin(a)))
        nxt = pts[(i + 1) % n]
        pen.qCurveTo(ctrl, (round(nxt[0]), round(nxt[1])))
    pen.closePath()
    return pen.glyph()


names = [".notdef", "red", "orange", "yellow", "green", "blue"]
fb = FontBuilder(UPM, isTTF=True)
fb.setupGlyphOrder(names)
fb.setupCharacterMap(
    {0x1F534: "red", 0x1F7E0: "orange", 0x1F7E1: "yellow", 0x1F7E2: "green", 0x1F535: "blue"}
)
empty = TTGlyphPen(None).glyph()
fb.setupGlyf({n: (empty if n == ".notdef" else circle()) for n in names})
fb.setupHorizontalMetrics({n: (ADV if n != ".notdef" else 1000, 0) for n in names})
fb.setupHorizontalHeader(ascent=1900, descent=-500)
fb.setupNameTable({"familyName": "healdeck dots", "styleName": "Regular"})
fb.setupOS2(sTypoAscender=1900, sTypoDescender=-500, usWinAscent=1900, usWinDescent=500)
fb.setupPost()
fb.save(__file__.replace("make_dots.py", "healdeck-dots.ttf"))
