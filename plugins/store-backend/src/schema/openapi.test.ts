import express from 'express';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { createOpenApiRouter, spec } from './openapi.generated';

describe('openapi', () => {
  it('the router is built from the contract in openapi.yaml', () => {
    const contract = parse(
      readFileSync(resolve(__dirname, 'openapi.yaml'), 'utf8'),
    );
    expect(spec).toEqual(contract);
  });
});

describe('the validated router', () => {
  it('compiles each route pattern once, not on every request', async () => {
    // The path-to-regexp of express-openapi-validator, whose route lookup
    // tries every route of the contract until one matches (the repository
    // patches it to keep the compiled patterns).
    const pathToRegexp = jest.requireActual(
      require.resolve('path-to-regexp', {
        paths: [require.resolve('express-openapi-validator')],
      }),
    );
    const compile = jest.spyOn(pathToRegexp, 'pathToRegexp');
    const app = express().use(await createOpenApiRouter());
    app.use((_req: express.Request, res: express.Response) =>
      res.status(204).end(),
    );
    for (const path of ['/products/facets', '/usage', '/products/facets']) {
      await request(app).get(path);
    }
    expect(compile).toHaveBeenCalled();
    const patterns = new Set(compile.mock.calls.map(([route]) => route));
    expect(compile.mock.calls.length).toBe(patterns.size);
  });
});
