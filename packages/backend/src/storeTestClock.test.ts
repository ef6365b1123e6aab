import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readClockOffset } from './storeTestClock';

describe('readClockOffset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'store-clock-'));
  const file = join(dir, 'store-clock');

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is no offset while the file does not exist', () => {
    expect(readClockOffset(file)).toBe(0);
  });

  it('reads whole milliseconds, forwards and back', () => {
    writeFileSync(file, '1296000000\n');
    expect(readClockOffset(file)).toBe(1_296_000_000);
    writeFileSync(file, '-86400000');
    expect(readClockOffset(file)).toBe(-86_400_000);
  });

  it('refuses anything else', () => {
    writeFileSync(file, '2026-12-16');
    expect(() => readClockOffset(file)).toThrow(
      `The store clock file ${file} holds "2026-12-16", not a whole number of milliseconds`,
    );
  });
});
