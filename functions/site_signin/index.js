// The site's sign-in (SiteCdn on): behind the distribution at /_auth/*, the only path served
// without CloudFront's signed cookies. /_auth/signin sends the viewer to Cognito's hosted UI;
// /_auth/callback exchanges the code for tokens at Cognito's token endpoint (with the app
// client's secret, over TLS: a token that arrives there is Cognito's own) and answers with
// CloudFront signed cookies for the whole site, valid COOKIE_HOURS; /_auth/signout clears them.
// No credential is ever written to the site: the private key stays in Secrets Manager.
"use strict";
const crypto = require("crypto");
const sm = require("@aws-sdk/client-secrets-manager");
const idp = require("@aws-sdk/client-cognito-identity-provider");

let cached;

// The app client is looked up by name at run time: its callback URL names the distribution,
// which names this function, so the template cannot hand its id here without a cycle.
async function settings() {
  if (cached) return cached;
  const cognito = new idp.CognitoIdentityProviderClient({});
  const pool = process.env.USER_POOL_ID;
  const listed = await cognito.send(new idp.ListUserPoolClientsCommand({ UserPoolId: pool, MaxResults: 60 }));
  const found = listed.UserPoolClients.find((c) => c.ClientName === process.env.CLIENT_NAME);
  if (!found) throw new Error(`no app client ${process.env.CLIENT_NAME} in ${pool}`);
  const described = await cognito.send(new idp.DescribeUserPoolClientCommand({ UserPoolId: pool, ClientId: found.ClientId }));
  const secret = await new sm.SecretsManagerClient({}).send(
    new sm.GetSecretValueCommand({ SecretId: process.env.PRIVATE_KEY_SECRET_ARN }));
  const client = described.UserPoolClient;
  cached = { client, callback: client.CallbackURLs[0], privateKey: secret.SecretString };
  return cached;
}

// CloudFront's own base64 variant for cookie values.
function cloudfrontBase64(text) {
  return Buffer.from(text).toString("base64").replace(/\+/g, "-").replace(/=/g, "_").replace(/\//g, "~");
}

function signedCookies(origin, privateKey, hours) {
  const expires = Math.floor(Date.now() / 1000) + hours * 3600;
  const policy = JSON.stringify({
    Statement: [{ Resource: `${origin}/*`, Condition: { DateLessThan: { "AWS:EpochTime": expires } } }],
  });
  const signature = crypto.createSign("RSA-SHA1").update(policy).sign(privateKey);
  const attributes = `; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${hours * 3600}`;
  return [
    `CloudFront-Policy=${cloudfrontBase64(policy)}${attributes}`,
    `CloudFront-Signature=${cloudfrontBase64(signature)}${attributes}`,
    `CloudFront-Key-Pair-Id=${process.env.KEY_PAIR_ID}${attributes}`,
  ];
}

function redirect(location, cookies) {
  return { statusCode: 302, headers: { location, "cache-control": "no-store" }, cookies: cookies || [] };
}

exports.handler = async (event) => {
  const { client, callback, privateKey } = await settings();
  const origin = new URL(callback).origin;
  const hosted = process.env.COGNITO_DOMAIN;
  const path = event.rawPath || "/";
  if (path === "/_auth/signin") {
    const query = new URLSearchParams({
      response_type: "code", client_id: client.ClientId, redirect_uri: callback, scope: "openid email",
    });
    return redirect(`${hosted}/oauth2/authorize?${query}`);
  }
  if (path === "/_auth/signout") {
    const gone = ["CloudFront-Policy", "CloudFront-Signature", "CloudFront-Key-Pair-Id"]
      .map((name) => `${name}=; Path=/; Secure; HttpOnly; Max-Age=0`);
    const query = new URLSearchParams({ client_id: client.ClientId, logout_uri: `${origin}/_auth/signin` });
    return redirect(`${hosted}/logout?${query}`, gone);
  }
  if (path === "/_auth/callback") {
    const code = (event.queryStringParameters || {}).code;
    if (!code) return { statusCode: 400, body: "no code: sign in at /_auth/signin" };
    const response = await fetch(`${hosted}/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: "Basic " + Buffer.from(`${client.ClientId}:${client.ClientSecret}`).toString("base64"),
      },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: callback }),
    });
    if (!response.ok) return { statusCode: 403, body: "sign-in refused: sign in again at /_auth/signin" };
    const hours = Number(process.env.COOKIE_HOURS || "8");
    return redirect(`${origin}/index.html`, signedCookies(origin, privateKey, hours));
  }
  return { statusCode: 404, body: "unknown sign-in path" };
};
