"""The site's sign-in function (functions/site_signin/index.js, SiteCdn on), run in Node with
stand-ins for the AWS SDK and Cognito's token endpoint: the sign-in redirect, the signed
cookies CloudFront checks (a real RSA-SHA1 signature over the policy), and the refusals."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (make tools)")

# Stand-ins for the AWS SDK's modules and the driver that runs the handler's paths.
FIXTURES = Path(__file__).resolve().parent / "site_signin"


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("signin")
    shutil.copytree(FIXTURES, work, dirs_exist_ok=True)
    shutil.copy(REPO / "functions" / "site_signin" / "index.js", work / "index.js")
    env = {
        "PATH": "/usr/bin:/bin",
        "USER_POOL_ID": "eu-west-1_pool",
        "CLIENT_NAME": "strata-prod-site",
        "COGNITO_DOMAIN": "https://strata-prod-site-123.auth.eu-west-1.amazoncognito.com",
        "KEY_PAIR_ID": "K2EXAMPLE",
        "PRIVATE_KEY_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:123:secret:k",
        "COOKIE_HOURS": "8",
    }
    result = subprocess.run(
        [str(NODE), "driver.js", str(work / "index.js")],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


def test_signin_sends_the_viewer_to_cognitos_hosted_page(outcome):
    signin = outcome["signin"]
    assert signin["statusCode"] == 302 and signin["cookies"] == []
    location = signin["headers"]["location"]
    assert location.startswith("https://strata-prod-site-123.auth.eu-west-1.amazoncognito.com/")
    assert "client_id=client-1" in location and "response_type=code" in location
    assert "redirect_uri=https%3A%2F%2Fd111.cloudfront.net%2F_auth%2Fcallback" in location


def test_the_callback_answers_with_cookies_cloudfront_can_verify(outcome):
    callback = outcome["callback"]
    assert callback["statusCode"] == 302
    assert callback["headers"]["location"] == "https://d111.cloudfront.net/index.html"
    assert outcome["verified"] is True
    (statement,) = outcome["policy"]["Statement"]
    assert statement["Resource"] == "https://d111.cloudfront.net/*"
    assert outcome["keyPairId"] == "K2EXAMPLE"
    assert all("Secure; HttpOnly" in cookie for cookie in callback["cookies"])
    # The code was exchanged with the client's secret, never put in a cookie or the site.
    assert outcome["posted"]["url"].endswith("/oauth2/token")
    assert "grant_type=authorization_code" in outcome["posted"]["body"]
    assert not any("s3cret" in cookie for cookie in callback["cookies"])


def test_a_refused_code_or_no_code_gets_no_cookie(outcome):
    assert outcome["refused"]["statusCode"] == 403 and "cookies" not in outcome["refused"]
    assert outcome["nocode"]["statusCode"] == 400
    assert outcome["other"]["statusCode"] == 404


def test_signout_clears_the_cookies(outcome):
    signout = outcome["signout"]
    assert signout["statusCode"] == 302
    assert all("Max-Age=0" in cookie for cookie in signout["cookies"])
    assert len(signout["cookies"]) == 3
