import { stackIdsOf } from './stackIds';

describe('stackIdsOf', () => {
  it('reads the stackIds output of the deploying templates', () => {
    expect(stackIdsOf({ stackIds: 'st-1' })).toEqual(['st-1']);
    expect(stackIdsOf({ stackIds: 4711 })).toEqual(['4711']);
    expect(stackIdsOf({ stackIds: 'st-1, st-2,' })).toEqual(['st-1', 'st-2']);
  });

  it('takes a list of stack ids too', () => {
    expect(stackIdsOf({ stackIds: ['st-1', '', 'st-2', 'st-1'] })).toEqual([
      'st-1',
      'st-2',
    ]);
  });

  it('falls back to the stack links of older outputs', () => {
    expect(
      stackIdsOf({
        links: [
          { title: 'Open', url: 'http://app.localhost' },
          { title: 'Stack', url: '/cloud/stacks/st-4711' },
          {
            title: 'Stack',
            url: 'https://store.example.com/cloud/stacks/st-9?tab=nodes',
          },
        ],
      }),
    ).toEqual(['st-4711', 'st-9']);
  });

  it('finds nothing in an output without stacks', () => {
    expect(stackIdsOf(undefined)).toEqual([]);
    expect(
      stackIdsOf({ links: [{ entityRef: 'component:default/x' }] }),
    ).toEqual([]);
  });
});
