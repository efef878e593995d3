/**
 * Display width of text in a terminal: most characters take one column, East
 * Asian wide characters and emoji take two, combining marks and joiners none.
 * Widths are judged per grapheme cluster, so a ZWJ emoji sequence counts once.
 */
import { stripVTControlCharacters } from 'node:util';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0], [0x23f3, 0x23f3],
  [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2648, 0x2653], [0x267f, 0x267f], [0x2693, 0x2693], [0x26a1, 0x26a1],
  [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5], [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea],
  [0x26f2, 0x26f3], [0x26f5, 0x26f5], [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b],
  [0x2728, 0x2728], [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797],
  [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55],
  [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f],
  [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4], [0x17000, 0x18cff], [0x1b000, 0x1b2ff], [0x1f004, 0x1f004], [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e], [0x1f191, 0x1f19a], [0x1f200, 0x1f251], [0x1f300, 0x1f64f], [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb], [0x1f90c, 0x1f9ff], [0x1fa70, 0x1faff], [0x20000, 0x3fffd],
];

const ZERO_WIDTH = /^[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u0610-\u061a\u064b-\u065f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\ufeff]$/u;

function isWide(codePoint: number): boolean {
  let low = 0;
  let high = WIDE_RANGES.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = WIDE_RANGES[middle]!;
    if (codePoint < start) high = middle - 1;
    else if (codePoint > end) low = middle + 1;
    else return true;
  }
  return false;
}

/** Columns one grapheme cluster takes. */
export function graphemeWidth(grapheme: string): number {
  const first = grapheme.codePointAt(0) ?? 0;
  if (grapheme.length === 1 && first < 0x7f) return first < 0x20 ? 0 : 1;
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (isWide(first) || grapheme.includes('\ufe0f')) return 2;
  return 1;
}

export function graphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

/** Columns `text` takes (ANSI styling must not be in it). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const grapheme of graphemes(text)) width += graphemeWidth(grapheme);
  return width;
}

/** Rows one line of `text` (styling allowed) takes on a screen `columns` wide, wrapped; at least one. */
export function screenRows(text: string, columns: number): number {
  return Math.max(1, Math.ceil(displayWidth(stripVTControlCharacters(text)) / columns));
}

/**
 * Breaks one line of plain text into pieces of at most `width` columns,
 * preferring spaces; a word longer than the width is cut between graphemes.
 */
export function wrapLine(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  const lines: string[] = [];
  let current = '';
  let currentWidth = 0;
  let lastSpace = -1; // index in `current` just after the last space
  let widthAtSpace = 0;
  for (const grapheme of graphemes(text)) {
    const columns = graphemeWidth(grapheme);
    if (currentWidth + columns > limit && current.length > 0) {
      if (lastSpace > 0 && grapheme !== ' ') {
        lines.push(current.slice(0, lastSpace).trimEnd());
        current = current.slice(lastSpace);
        currentWidth -= widthAtSpace;
      } else {
        lines.push(current.trimEnd());
        current = '';
        currentWidth = 0;
      }
      lastSpace = -1;
      if (grapheme === ' ' && current.length === 0) continue;
    }
    current += grapheme;
    currentWidth += columns;
    if (grapheme === ' ') {
      lastSpace = current.length;
      widthAtSpace = currentWidth;
    }
  }
  lines.push(current);
  return lines;
}
