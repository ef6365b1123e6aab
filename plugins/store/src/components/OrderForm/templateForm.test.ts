import { orderFormManifest } from './templateForm';

describe('orderFormManifest', () => {
  it("leaves out the template's provider and region, which the order sets", () => {
    const manifest = orderFormManifest('3-Tier Web App', [
      {
        title: 'App',
        required: ['name', 'owner', 'provider'],
        properties: {
          name: { type: 'string' },
          owner: { type: 'string', 'ui:field': 'OwnerPicker' },
          provider: { type: 'string', default: 'local' },
          region: { type: 'string', default: 'local' },
        },
      },
    ]);
    expect(manifest.steps).toHaveLength(1);
    expect(manifest.steps[0].title).toBe('App');
    expect(Object.keys(manifest.steps[0].schema.properties as object)).toEqual([
      'name',
      'owner',
    ]);
    expect(manifest.steps[0].schema.required).toEqual(['name', 'owner']);
  });

  it('adds a secrets step whose fields use the Secret field', () => {
    const manifest = orderFormManifest(
      'Database',
      { properties: { name: { type: 'string' } } },
      { schema: { properties: { password: { type: 'string' } } } },
    );
    expect(manifest.steps.map(s => s.title)).toEqual(['Parameters', 'Secrets']);
    expect(manifest.steps[1].schema.properties).toEqual({
      password: { type: 'string', 'ui:field': 'Secret' },
    });
  });
});
