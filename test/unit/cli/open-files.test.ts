import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OWN_FILES_MARGIN, openFileLimit, openFileWarning } from '../../../src/cli/open-files.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 1048576              files
Max locked memory         8388608              8388608              bytes
`;

test('the soft open-file limit is read from /proc/self/limits; unlimited or missing is unknown', () => {
  assert.equal(openFileLimit(LIMITS), 1024);
  assert.equal(openFileLimit(LIMITS.replace('1024 ', 'unlimited')), undefined);
  assert.equal(openFileLimit('nothing here'), undefined);
  if (process.platform === 'linux') assert.ok((openFileLimit() ?? 0) > 0);
});

test('a warning, with both numbers and the ulimit fix, only when connections and the margin do not fit', () => {
  assert.match(openFileWarning(10_000, 1024) ?? '', /--max-connections 10000 .*open-file limit of 1024.*ulimit -n 10064/);
  assert.equal(openFileWarning(1024 - OWN_FILES_MARGIN, 1024), undefined);
  assert.notEqual(openFileWarning(1024 - OWN_FILES_MARGIN + 1, 1024), undefined);
  assert.equal(openFileWarning(10_000, undefined), undefined);
});

test('the --metrics listener\'s connections count in the budget', () => {
  assert.equal(openFileWarning(1024 - OWN_FILES_MARGIN, 1024, 16)?.includes('--metrics listener'), true);
  assert.match(openFileWarning(1024 - OWN_FILES_MARGIN, 1024, 16) ?? '', /beyond about 944 .*ulimit -n 1040/);
  assert.equal(openFileWarning(1024 - OWN_FILES_MARGIN - 16, 1024, 16), undefined);
});
