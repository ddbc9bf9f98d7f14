"""``strata site open``: a deployed site read through a loopback proxy with the caller's own
AWS credentials (moto here): relative links resolve, types are right, nothing else is served."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request

import boto3
import pytest
from moto import mock_aws

from strata_dev.cli.site import proxy_site, site_bucket


@pytest.fixture
def deployed_site():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="strata-prod-site")
        pages = {
            "index.html": '<a href="dashboards/overview.html">Overview</a>',
            "dashboards/overview.html": '<script src="../assets/plotly.min.js"></script>',
            "assets/plotly.min.js": "var Plotly = {};",
        }
        for key, text in pages.items():
            s3.put_object(Bucket="strata-prod-site", Key=key, Body=text.encode())
        server = proxy_site(s3, "strata-prod-site")
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_port}/"
        server.shutdown()
        server.server_close()


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, "", ""


def test_the_proxy_serves_the_bucket_with_relative_links_working(deployed_site):
    status, kind, body = get(deployed_site)
    assert status == 200 and kind.startswith("text/html") and "dashboards/overview.html" in body
    page = urllib.parse.urljoin(deployed_site, "dashboards/overview.html")
    status, _, body = get(page)
    assert status == 200 and "../assets/plotly.min.js" in body
    status, kind, body = get(urllib.parse.urljoin(page, "../assets/plotly.min.js"))
    assert status == 200 and kind.startswith("text/javascript") and body == "var Plotly = {};"
    assert get(deployed_site + "dashboards/missing.html")[0] == 404


class StackOutputs:
    """describe_stacks as CloudFormation answers it (moto's needs extra packages)."""

    def __init__(self, outputs: dict[str, str]) -> None:
        self.outputs = outputs

    def describe_stacks(self, StackName: str) -> dict:
        assert StackName == "strata-prod"
        items = [{"OutputKey": k, "OutputValue": v} for k, v in self.outputs.items()]
        return {"Stacks": [{"StackName": StackName, "Outputs": items}]}


def test_the_bucket_is_found_from_the_stacks_output():
    stack = StackOutputs({"SiteBucketName": "strata-prod-sitebucket-1x2y"})
    assert site_bucket(stack, "strata-prod") == "strata-prod-sitebucket-1x2y"
    with pytest.raises(Exception, match="SiteBucketName"):
        site_bucket(StackOutputs({}), "strata-prod")
