// A real OpenID provider for the tests: panva's certified `oidc-provider` with a minimal sign-in and
// consent interaction of our own (user name + password, allow or deny).
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG holds the signing keys (a private JWKS the test made, so it can also sign a deliberately
// expired token with the same key), the clients, the file with the test accounts (read at every
// look-up, so a test can change someone's roles between two sign-ins), service accounts for the
// client-credentials grant and the API resource server. The provider listens on a free port of
// 127.0.0.1 and prints `READY <issuer>` once it answers.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const accounts = () => JSON.parse(readFileSync(config.accounts_file, 'utf8'));
const bySubject = (sub) => Object.values(accounts()).find((account) => account.sub === sub);
const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function loginPage(uid, error) {
  return page('Test provider: sign in', `
    ${error ? `<p role="alert" id="provider-error">${escape(error)}</p>` : ''}
    <form method="post" action="/interaction/${uid}/login">
      <label>User <input name="login" autocomplete="username" required autofocus></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <button type="submit" id="provider-sign-in">Sign in</button>
    </form>
    <p><a href="/interaction/${uid}/abort" id="provider-cancel">Cancel</a></p>`);
}

function consentPage(uid, clientId) {
  return page('Test provider: allow access', `
    <p>Allow <strong>${escape(clientId)}</strong> to know who you are and your roles?</p>
    <form method="post" action="/interaction/${uid}/confirm">
      <button type="submit" id="provider-allow">Allow</button>
    </form>
    <p><a href="/interaction/${uid}/abort" id="provider-deny">Deny</a></p>`);
}

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return Object.fromEntries(new URLSearchParams(raw));
}

function send(res, status, html) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
}

async function interaction(provider, req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (req.method === 'GET' && action === '') {
    if (prompt.name === 'login') return send(res, 200, loginPage(uid));
    return send(res, 200, consentPage(uid, params.client_id));
  }
  if (req.method === 'GET' && action === 'abort') {
    const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  if (req.method === 'POST' && action === 'login' && prompt.name === 'login') {
    const { login, password } = await formBody(req);
    const account = accounts()[login];
    if (!account || account.password !== password) return send(res, 401, loginPage(uid, 'Wrong user or password'));
    const result = { login: { accountId: account.sub } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  if (req.method === 'POST' && action === 'confirm' && prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const result = { consent: { grantId: await grant.save() } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
  }
  return send(res, 400, page('Bad interaction', '<p>Unexpected request.</p>'));
}

function configuration() {
  const api = config.api;
  return {
    clients: config.clients,
    jwks: config.jwks,
    cookies: { keys: [config.cookie_key] },
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username', 'roles'],
      email: ['email', 'email_verified'],
    },
    async findAccount(_ctx, sub) {
      const account = bySubject(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...account.claims }) };
    },
    // JWT access tokens for the API carry who the caller is, like the big providers' do.
    async extraTokenClaims(_ctx, token) {
      if (!token.resourceServer) return undefined;
      if (token.accountId) {
        const account = bySubject(token.accountId);
        return account ? { preferred_username: account.claims.preferred_username, roles: account.claims.roles } : {};
      }
      return config.service_accounts[token.clientId] || {};
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resource) {
          if (resource !== api.resource) throw new errors.InvalidTarget();
          return { scope: api.scope, audience: api.audience, accessTokenFormat: 'jwt', accessTokenTTL: api.ttl };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Provider error', `<p id="provider-error">${escape(out.error)}: ${escape(out.error_description)}</p>`);
    },
  };
}

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration());
  const handle = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([^/?]+)\/?([a-z]*)/.exec(req.url);
    if (!match) return handle(req, res);
    return interaction(provider, req, res, match[1], match[2]).catch((err) => {
      send(res, 400, page('Interaction failed', `<p id="provider-error">${escape(err.message)}</p>`));
    });
  });
  process.stdout.write(`READY ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
