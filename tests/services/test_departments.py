"""Responsible departments (/api/v1/departments): coordinators and admins of a banner (or above)
register them; staff list a banner's departments and read one; the workbench finds one by id."""
from __future__ import annotations

import pytest

from services.assignment import departments_api, departments_store
from shared.runtime import ServiceRuntime, ServiceSpec
from tests.support.services import auth

from .helpers import OTHER_BANNER_VILLAGE, VILLAGE, Service, fields_of, problem_of

URL = "/api/v1/departments"
BANNER = VILLAGE[:6]
OTHER_BANNER = OTHER_BANNER_VILLAGE[:6]
SPEC = ServiceSpec(name="assignment", title="departments under test", description="",
                   blueprints=(departments_api.blp,), indexes=departments_store.INDEXES)


@pytest.fixture
def service(settings):
    built = Service(ServiceRuntime(SPEC, settings))
    yield built
    built.runtime.stop()


def as_(service, role="coordinator", division=BANNER) -> dict:
    return auth(service.settings, role, f"{role}-1", division)


def body(**overrides) -> dict:
    return {"name": "东乌珠穆沁旗住房和城乡建设局", "remit": "住房、危房改造、物业纠纷", "banner": BANNER, **overrides}


def create(service, headers=None, **overrides):
    return service.client.post(URL, json=body(**overrides), headers=headers or as_(service))


def stored(service) -> int:
    return service.db[departments_store.DEPARTMENTS].count_documents({})


def test_a_banner_coordinator_registers_a_department_the_workbench_can_look_up(service):
    response = create(service)

    assert response.status_code == 201, response.get_data(as_text=True)
    department = response.get_json()
    assert department["id"].startswith("dep-") and response.headers["Location"] == f"{URL}/{department['id']}"
    assert (department["banner"], department["active"]) == (BANNER, True)
    assert department["created_at"].endswith("+08:00")
    found = departments_store.get(service.db, department["id"])
    assert (found["_id"], found["name"], found["banner"], found["active"]) == (
        department["id"], body()["name"], BANNER, True)
    assert departments_store.get(service.db, "dep-ghost") is None


@pytest.mark.parametrize("role, division", [("coordinator", BANNER), ("admin", "152500"), ("coordinator", "152500")])
def test_coordinators_and_admins_of_the_banner_or_above_register(service, role, division):
    assert create(service, as_(service, role, division)).status_code == 201


@pytest.mark.parametrize("role, division, kind", [
    ("coordinator", VILLAGE[:9], "out-of-scope"),    # a township is below the banner
    ("coordinator", OTHER_BANNER, "out-of-scope"),
    ("agent", BANNER, "forbidden"),
    ("department", BANNER, "forbidden"),
    ("petitioner", BANNER, "forbidden"),
])
def test_others_may_not_register_a_department(service, role, division, kind):
    problem_of(create(service, as_(service, role, division)), 403, kind)

    assert stored(service) == 0


@pytest.mark.parametrize("overrides, field", [
    ({"banner": "152599"}, "banner"),             # well-formed, no such banner
    ({"banner": "152500"}, "banner"),             # the league is not a banner
    ({"banner": VILLAGE}, "banner"),
    ({"name": "局"}, "name"),
    ({"remit": ""}, "remit"),
    ({"active": "perhaps"}, "active"),
    ({"phone": "0479-1234567"}, "phone"),
])
def test_bad_input_is_refused_with_the_field_and_nothing_is_stored(service, overrides, field):
    problem = problem_of(create(service, **overrides), 422, "validation-failed")

    assert field in fields_of(problem)
    assert stored(service) == 0


def test_the_same_name_twice_in_a_banner_is_a_conflict_but_another_banner_may_use_it(service):
    assert create(service).status_code == 201

    problem = problem_of(create(service), 409, "duplicate-department")
    other = create(service, as_(service, "admin", "152500"), banner=OTHER_BANNER)

    assert fields_of(problem) == {"name"} and other.status_code == 201
    assert stored(service) == 2


def keyed(service, key="dep-key-1", sub="coordinator-1", **overrides):
    headers = {**auth(service.settings, "coordinator", sub, BANNER), "Idempotency-Key": key}
    return create(service, headers, **overrides)


def test_the_same_key_and_body_register_one_department(service):
    first = keyed(service)
    again = keyed(service)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert stored(service) == 1
    assert "idempotency_key" not in again.get_json() and "request_fingerprint" not in again.get_json()


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(service):
    first = keyed(service).get_json()

    problem = problem_of(keyed(service, name="东乌珠穆沁旗自然资源局"), 422, "idempotency-key-reused")

    assert fields_of(problem) == {"Idempotency-Key"}
    assert stored(service) == 1
    assert departments_store.get(service.db, first["id"])["name"] == body()["name"]


def test_two_coordinators_may_use_the_same_key(service):
    one = keyed(service, sub="coordinator-1")
    other = keyed(service, sub="coordinator-2", name="东乌珠穆沁旗自然资源局")

    assert (one.status_code, other.status_code) == (201, 201)
    assert one.get_json()["id"] != other.get_json()["id"] and "Idempotent-Replayed" not in other.headers
    assert stored(service) == 2


def test_a_key_too_long_is_refused_and_stores_nothing(service):
    problem = problem_of(keyed(service, key="k" * 129), 400, "invalid-idempotency-key")

    assert fields_of(problem) == {"Idempotency-Key"}
    assert stored(service) == 0


def test_a_concurrent_request_with_the_same_key_answers_the_department_it_created(service, monkeypatch):
    first = keyed(service).get_json()
    lookups = iter([None])   # the second request looks before the first has inserted
    real = departments_store.find_by_idempotency_key
    monkeypatch.setattr(departments_store, "find_by_idempotency_key", lambda db, key: next(lookups, real(db, key)))

    again = keyed(service)

    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first["id"] and stored(service) == 1


@pytest.fixture
def departments(service):
    admin = as_(service, "admin", "152500")
    names = {"housing": ("住房和城乡建设局", BANNER, True), "police": ("乌里雅斯太派出所", BANNER, True),
             "old": ("原农牧业局", BANNER, False), "far": ("多伦县供电公司", OTHER_BANNER, True)}
    return {key: create(service, admin, name=name, banner=banner, active=active).get_json()["id"]
            for key, (name, banner, active) in names.items()}


def listed(service, headers, **query) -> dict:
    response = service.client.get(URL, query_string=query, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize("role", ["agent", "coordinator", "department", "mediator", "admin"])
def test_staff_list_a_banners_departments_by_name(service, departments, role):
    page = listed(service, as_(service, role, VILLAGE), banner=BANNER)

    assert [item["name"] for item in page["items"]] == sorted(["住房和城乡建设局", "乌里雅斯太派出所", "原农牧业局"])
    assert {item["id"] for item in page["items"]} == {departments[key] for key in ("housing", "police", "old")}
    assert page["total"] == 3


def test_the_list_filters_by_state_and_pages(service, departments):
    headers = as_(service, "agent", VILLAGE)

    active = listed(service, headers, banner=BANNER, active="true")
    first, second = (listed(service, headers, banner=BANNER, per_page=2, page=n) for n in (1, 2))

    assert {item["id"] for item in active["items"]} == {departments["housing"], departments["police"]}
    assert ([len(first["items"]), len(second["items"])], first["total"]) == ([2, 1], 3)


@pytest.mark.parametrize("query, field", [({}, "banner"), ({"banner": "1525"}, "banner"),
                                          ({"banner": BANNER, "per_page": 500}, "per_page")])
def test_listing_needs_a_known_banner(service, query, field):
    response = service.client.get(URL, query_string=query, headers=as_(service, "agent", VILLAGE))

    assert field in fields_of(problem_of(response, 422, "validation-failed"))


@pytest.mark.parametrize("role", ["petitioner", "reporter"])
def test_petitioners_and_reporters_may_not_look_departments_up(service, departments, role):
    headers = as_(service, role, VILLAGE)

    problem_of(service.client.get(URL, query_string={"banner": BANNER}, headers=headers), 403, "forbidden")
    problem_of(service.client.get(f"{URL}/{departments['housing']}", headers=headers), 403, "forbidden")


def test_one_department_is_read_by_id(service, departments):
    headers = as_(service, "mediator", VILLAGE)

    response = service.client.get(f"{URL}/{departments['far']}", headers=headers)

    assert response.status_code == 200
    assert (response.get_json()["name"], response.get_json()["banner"]) == ("多伦县供电公司", OTHER_BANNER)
    problem_of(service.client.get(f"{URL}/dep-ghost", headers=headers), 404, "not-found")
