"""The single-machine dispatcher routes by path prefix and answers process-wide paths."""

from __future__ import annotations

from flask import Flask, url_for
from werkzeug.test import Client

from chibo_cli.run import Dispatcher, LoadedService


def service_app(name: str, ready: bool = True) -> Flask:
    app = Flask(name)
    app.add_url_rule("/openapi.json", "openapi", lambda: {"service": name})
    app.add_url_rule("/docs", "docs", lambda: {"spec": url_for("openapi")})
    app.add_url_rule("/readyz", "readyz", lambda: ({"ready": ready}, 200 if ready else 503))
    app.add_url_rule("/<path:rest>", "any", lambda rest: {"service": name, "path": rest})
    return app


def client(ready_meetings: bool = True) -> Client:
    services = {
        "members": LoadedService("members", service_app("members"), ("/org-units", "/members")),
        "meetings": LoadedService(
            "meetings", service_app("meetings", ready_meetings), ("/meetings",)
        ),
    }
    return Client(Dispatcher(services))


def test_requests_go_to_the_service_owning_the_prefix():
    c = client()
    assert c.get("/org-units/u1/tree").json == {"service": "members", "path": "org-units/u1/tree"}
    assert c.get("/members").json["service"] == "members"
    assert c.get("/meetings/m1").json["service"] == "meetings"


def test_a_prefix_only_matches_whole_path_segments():
    response = client().get("/membership")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_each_services_documents_move_under_its_name():
    c = client()
    assert c.get("/members/openapi.json").json == {"service": "members"}
    assert c.get("/meetings/openapi.json").json == {"service": "meetings"}


def test_a_services_docs_page_links_to_its_document_under_its_name():
    assert client().get("/members/docs").json == {"spec": "/members/openapi.json"}


def test_readiness_covers_every_service_in_the_process():
    assert client().get("/readyz").status_code == 200
    response = client(ready_meetings=False).get("/readyz")
    assert response.status_code == 503
    assert response.json["services"] == {"members": True, "meetings": False}
    assert client().get("/livez").json == {"status": "ok"}


def test_the_root_points_to_the_index_of_the_services_documents():
    c = client()
    root = c.get("/")
    assert (root.status_code, root.headers["Location"]) == (302, "/docs")
    index = c.get("/docs").json
    assert index["services"]["members"]["openapi"] == "/members/openapi.json"
    assert index["services"]["meetings"]["paths"] == ["/meetings"]
