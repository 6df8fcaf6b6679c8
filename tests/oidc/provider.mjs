// A real OpenID Connect provider for isek's tests: node's oidc-provider (npm, a certified
// implementation) on loopback, with one confidential client and a few accounts with groups.
// The sign-in page is this file's own (a plain form that checks the password, and a button
// that declines), so that nothing is fetched from outside loopback.
//
//   node tests/oidc/provider.mjs <port> <config.json>
// config.json: {"client_id", "client_secret", "redirect_uri",
//               "accounts": {"<login>": {"password", "groups": [...], "email", "given_name", "family_name"}}}
// Prints "ready <issuer>" once it listens.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import Provider from 'oidc-provider';

const [port, configFile] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configFile, 'utf-8'));
const issuer = `http://127.0.0.1:${port}`;
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: [config.redirect_uri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'given_name', 'family_name'],
    email: ['email'],
    groups: ['groups'],
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = config.accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, email: account.email, given_name: account.given_name,
                 family_name: account.family_name, groups: account.groups };
      },
    };
  },
});

function page(res, uid, message = '') {
  res.writeHead(message ? 401 : 200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Test-Anbieter</title></head><body>
<main><h1>Anmelden beim Test-Anbieter</h1>${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Benutzer <input name="login" id="login" autocomplete="username"></label>
<label>Passwort <input name="password" id="password" type="password" autocomplete="current-password"></label>
<button type="submit" id="sign-in">Anmelden</button></form>
<form method="post" action="/interaction/${escape(uid)}/abort"><button type="submit" id="decline">Ablehnen</button></form>
</main></body></html>`);
}

async function body(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

async function interaction(req, res) {
  const [, , uid, action] = new URL(req.url, issuer).pathname.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') return page(res, uid);
  if (action === 'abort') {
    return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'declined' },
      { mergeWithLastSubmission: false });
  }
  const form = await body(req);
  const login = form.get('login');
  const account = config.accounts[login];
  if (!account || account.password !== form.get('password')) return page(res, uid, 'Benutzer oder Passwort falsch.');
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { login: { accountId: login }, consent: { grantId } },
    { mergeWithLastSubmission: false });
}

const handler = provider.callback();
http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(String(err));
    });
  } else {
    handler(req, res);
  }
}).listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
