// Runs the sign-in handler through its paths and prints what it answered (test_site_signin.py).
const crypto = require("crypto");
const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
process.env.TEST_PRIVATE_KEY = privateKey.export({ type: "pkcs1", format: "pem" });
let posted = null;
global.fetch = async (url, options) => {
  posted = { url, auth: options.headers.authorization, body: String(options.body) };
  return { ok: String(options.body).includes("code=good") };
};
const { handler } = require(process.argv[2]);
const plain = (value) => Buffer.from(value.replace(/-/g, "+").replace(/_/g, "=").replace(/~/g, "/"), "base64");
(async () => {
  const out = {};
  out.signin = await handler({ rawPath: "/_auth/signin" });
  out.refused = await handler({ rawPath: "/_auth/callback", queryStringParameters: { code: "bad" } });
  out.nocode = await handler({ rawPath: "/_auth/callback" });
  out.callback = await handler({ rawPath: "/_auth/callback", queryStringParameters: { code: "good" } });
  out.posted = posted;
  const values = Object.fromEntries(out.callback.cookies.map((c) => c.split(";")[0].split(/=(.*)/s).slice(0, 2)));
  const policy = plain(values["CloudFront-Policy"]).toString();
  out.policy = JSON.parse(policy);
  out.verified = crypto.createVerify("RSA-SHA1").update(policy).verify(publicKey, plain(values["CloudFront-Signature"]));
  out.keyPairId = values["CloudFront-Key-Pair-Id"];
  out.signout = await handler({ rawPath: "/_auth/signout" });
  out.other = await handler({ rawPath: "/index.html" });
  console.log(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });
