import { UsageRecord } from '@internal/plugin-cloud-common';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NewestFirstCursor } from '../database/CloudStore';
import { csvField, EXPORT_BATCH, usageCsvStream } from './usageCsv';

function record(i: number): UsageRecord {
  return {
    kind: 'node',
    id: `n-${i}`,
    stackId: 's-1',
    stackName: 'shop',
    role: 'app',
    owner: 'group:default/web',
    provider: 'local',
    region: 'local',
    createdBy: 'user:default/developer',
    createdAt: new Date(Date.UTC(2026, 0, 1) - i * 1000).toISOString(),
  };
}

/** Lets every callback the stream machinery has queued run. */
async function settle() {
  for (let i = 0; i < 20; i++) {
    await new Promise(resolve => setImmediate(resolve));
  }
}

describe('csvField', () => {
  it.each([
    [undefined, ''],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['carriage\rreturn', '"carriage\rreturn"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['+1', "'+1"],
    ['@sum', "'@sum"],
  ])('writes %j as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('usageCsvStream', () => {
  it('reads the next batch only once the client has taken the ones before', async () => {
    const PAGES = 50;
    const reads: Array<NewestFirstCursor | undefined> = [];
    const stream = usageCsvStream(async (cursor, limit) => {
      reads.push(cursor);
      const page = reads.length;
      const items = Array.from({ length: limit }, (_, i) =>
        record((page - 1) * limit + i),
      );
      const last = items.at(-1)!;
      return {
        items,
        nextCursor:
          page < PAGES ? { createdAt: last.createdAt, id: last.id } : undefined,
      };
    });

    // a client that takes nothing until told to
    const held: Array<() => void> = [];
    let taking = false;
    let lines = 0;
    const client = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, done) {
        lines += chunk.toString('utf8').split('\n').length - 1;
        if (taking) {
          done();
        } else {
          held.push(done);
        }
      },
    });
    const exported = pipeline(stream, client);

    await settle();
    // the header and a batch or two wait for the client; no more are read
    expect(reads.length).toBeGreaterThanOrEqual(1);
    expect(reads.length).toBeLessThanOrEqual(3);
    await settle();
    expect(reads.length).toBeLessThanOrEqual(3);

    taking = true;
    held.splice(0).forEach(done => done());
    await exported;
    expect(reads).toHaveLength(PAGES);
    expect(reads[0]).toBeUndefined();
    expect(reads[1]).toEqual({
      createdAt: record(EXPORT_BATCH - 1).createdAt,
      id: `n-${EXPORT_BATCH - 1}`,
    });
    expect(lines).toBe(1 + PAGES * EXPORT_BATCH);
  });
});
