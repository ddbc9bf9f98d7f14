"""`strata run` lands drops the way AWS does: each drop source's rule sends every file under its
landing prefix to the landing function (the resource `strata template` generates), which finds
the source owning the key (the longest prefix) and lands each file once."""

from __future__ import annotations

from io import StringIO

import pytest

from strata_dev.console import Console
from strata_dev.deploy import sources_template
from strata_dev.deploy.template import load_template
from strata_dev.local.run import land_drops
from strata_dev.local.stepfunctions import local_step_functions

pytestmark = pytest.mark.filterwarnings("ignore:Dimension 'source' has already been added")


def test_each_drop_goes_to_the_landing_function_and_lands_once_in_its_source(ctx, project_dir):
    # A second drop source nested in the orders prefix: both rules match its files in AWS.
    contract = project_dir / "sources" / "returns.yaml"
    text = (project_dir / "sources" / "orders.yaml").read_text(encoding="utf-8")
    text = text.replace("name: orders", "name: returns").replace("orders/", "orders/returns/")
    contract.write_text(text, encoding="utf-8")
    sources_template.write(project_dir)
    ctx.ports.landing.put_bytes("orders/a.csv", b"Order ID\n1\n")
    ctx.ports.landing.put_bytes("orders/returns/r.csv", b"Order ID\n2\n")

    invoked = []
    with local_step_functions(ctx, project_dir) as machine:
        invoke = machine.invoke

        def spy(resource, event):
            result = invoke(resource, event)
            invoked.append((resource, event["detail"]["object"]["key"], result["status"]))
            return result

        machine.invoke = spy
        landed = land_drops(ctx, machine, project_dir, Console(StringIO()), None)

    assert landed == 2
    # The nested file is sent by both rules: landed (in returns) once, a duplicate the next time.
    assert sorted(invoked) == [
        ("LandFunction", "orders/a.csv", "landed"),
        ("LandFunction", "orders/returns/r.csv", "duplicate"),
        ("LandFunction", "orders/returns/r.csv", "landed"),
    ]
    resources = load_template(project_dir / "template.yaml")["Resources"]
    assert {resource for resource, _, _ in invoked} <= set(resources)
    raw = sorted(info.key.split("/", 1)[0] for info in ctx.ports.raw.list())
    assert raw == ["orders", "returns"]
