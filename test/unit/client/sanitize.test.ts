import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sanitizeLine, sanitizeText } from '../../../src/client/sanitize.js';

/** Nothing that could act on a terminal may survive. */
function assertInert(text: string): void {
  assert.doesNotMatch(text, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, JSON.stringify(text));
  assert.doesNotMatch(text, /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/, JSON.stringify(text));
}

test('hostile strings lose every escape sequence and control character', () => {
  const cases: Array<[string, string]> = [
    ['\u001b[2J\u001b[Hhi', 'hi'], // clear screen, cursor home
    ['a\u001b[1A\u001b[2Kb', 'ab'], // cursor up, erase line
    ['\u001b]0;pwned\u0007title', 'title'], // window title, BEL-terminated
    ['\u001b]2;pwned\u001b\\title', 'title'], // window title, ST-terminated
    ['\u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\', 'link'], // hyperlink
    ['\u001bcreset', 'reset'], // full reset
    ['\u001bP1$qm\u001b\\dcs', 'dcs'], // DCS string
    ['\u009b31mred', '31mred'], // 8-bit CSI: the introducer goes, the rest is plain text
    ['bell\u0007', 'bell'],
    ['back\bspace', 'backspace'],
    ['good\rEVIL', 'goodEVIL'], // carriage return overwrite
    ['nul\u0000byte', 'nulbyte'],
    ['del\u007f', 'del'],
    ['lone escape at end\u001b', 'lone escape at end'],
    ['\u001b[38;5;196mcolour\u001b[0m', 'colour'],
    ['\u001b[?1049h alt screen', ' alt screen'],
  ];
  for (const [input, expected] of cases) {
    const output = sanitizeText(input);
    assert.equal(output, expected, JSON.stringify(input));
    assertInert(output);
  }
});

test('bidirectional overrides are shown, not obeyed', () => {
  assert.equal(sanitizeText('abc\u202Edcb'), 'abc<U+202E>dcb');
  assert.equal(sanitizeText('\u2066x\u2069'), '<U+2066>x<U+2069>');
  assert.equal(sanitizeText('\u200f'), '<U+200F>');
});

test('text keeps newlines and turns tabs into spaces; lines lose newlines', () => {
  assert.equal(sanitizeText('a\tb\nc'), 'a    b\nc');
  assert.equal(sanitizeLine('multi\nline\tname'), 'multi line    name');
  assert.equal(sanitizeText('日本語 👋 é'), '日本語 👋 é');
});
