import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import { Provider } from 'oidc-provider';

/** An account of the identity provider. */
export type IdentityProviderAccount = {
  login: string;
  password: string;
  email: string;
  name: string;
};

/** What {@link IdentityProvider.start} needs. */
export type IdentityProviderOptions = {
  port: number;
  client: { id: string; secret: string; redirectUri: string };
  accounts: IdentityProviderAccount[];
};

const INTERACTION = /^\/interaction\/([\w-]+)(?:\/(login|consent))?$/;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * A real OpenID Connect provider (`oidc-provider`, a certified
 * implementation) on the loopback, with a confidential client for the store
 * and a few accounts that sign in with a password. It has its own sign-in
 * and consent pages in place of the package's development ones, which take
 * any login without a password.
 */
export class IdentityProvider {
  private constructor(
    private readonly server: http.Server,
    readonly issuer: string,
  ) {}

  static async start(options: IdentityProviderOptions) {
    const { port, client, accounts } = options;
    const issuer = `http://127.0.0.1:${port}`;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: client.id,
          client_secret: client.secret,
          redirect_uris: [client.redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        },
      ],
      // A key of its own each time, under a new id: a backend that still
      // knows the key of an earlier run fetches the new one.
      jwks: {
        keys: [
          {
            ...privateKey.export({ format: 'jwk' }),
            kid: randomBytes(8).toString('hex'),
            use: 'sig',
          },
        ],
      },
      cookies: { keys: [randomBytes(32).toString('hex')] },
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['name'],
      },
      features: { devInteractions: { enabled: false } },
      // Lifetimes, in seconds, longer than any test.
      ttl: {
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
        AccessToken: 3600,
        IdToken: 3600,
        RefreshToken: 3600,
      },
      interactions: {
        url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      },
      // The store keeps its session by refreshing it, without asking for
      // offline access.
      issueRefreshToken: async (_ctx, c) => c.grantTypeAllowed('refresh_token'),
      async findAccount(_ctx, id) {
        const account = accounts.find(a => a.login === id);
        if (!account) {
          return undefined;
        }
        return {
          accountId: id,
          claims: async () => ({
            sub: id,
            email: account.email,
            email_verified: true,
            name: account.name,
          }),
        };
      },
    });
    const oidc = provider.callback();

    async function interact(
      req: http.IncomingMessage,
      res: http.ServerResponse,
      uid: string,
      step: string | undefined,
    ) {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== uid) {
        throw new Error(`No interaction ${uid}`);
      }
      const { prompt, params } = details;
      if (step === 'login' && req.method === 'POST') {
        const form = await readForm(req);
        const account = accounts.find(
          a =>
            a.login === form.get('login') &&
            a.password === form.get('password'),
        );
        if (account) {
          await provider.interactionFinished(req, res, {
            login: { accountId: account.login },
          });
          return;
        }
        res.statusCode = 401;
      } else if (step === 'consent' && req.method === 'POST') {
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({
              accountId: details.session!.accountId,
              clientId: String(params.client_id),
            });
        const missing = prompt.details.missingOIDCScope as string[] | undefined;
        if (missing) {
          grant!.addOIDCScope(missing.join(' '));
        }
        await provider.interactionFinished(
          req,
          res,
          { consent: { grantId: await grant!.save() } },
          { mergeWithLastSubmission: true },
        );
        return;
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.setHeader('cache-control', 'no-store');
      if (prompt.name === 'login') {
        const refused =
          res.statusCode === 401
            ? '<p role="alert">Wrong login or password</p>'
            : '';
        res.end(
          page(
            'Sign in to Acme',
            `${refused}<form method="post" action="/interaction/${uid}/login">
<label>Login <input name="login" autocomplete="off" required></label>
<label>Password <input name="password" type="password" required></label>
<button type="submit">Sign in</button></form>`,
          ),
        );
        return;
      }
      const scopes = String(params.scope ?? '');
      res.end(
        page(
          'Allow Cloud Store?',
          `<p>Cloud Store asks for: ${escape(scopes)}</p>
<form method="post" action="/interaction/${uid}/consent"><button type="submit">Allow</button></form>`,
        ),
      );
    }

    const server = http.createServer((req, res) => {
      const match = INTERACTION.exec(new URL(req.url!, issuer).pathname);
      if (!match) {
        oidc(req, res);
        return;
      }
      interact(req, res, match[1], match[2]).catch(error => {
        res.statusCode = 400;
        res.end(escape(String(error)));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return new IdentityProvider(server, issuer);
  }

  /** Stops listening and ends the connections the browser keeps open. */
  async stop() {
    const closed = new Promise<void>(resolve =>
      this.server.close(() => resolve()),
    );
    this.server.closeAllConnections();
    await closed;
  }
}
