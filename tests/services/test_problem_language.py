"""Problems in the reader's language, through intake's HTTP API (the mini-program's gateway): with
``Accept-Language: zh-CN`` the title, the detail and each field's message are Chinese; the type, the
status and the field names are those of the English answer, which stays the default."""
from __future__ import annotations

import pytest

from services.intake.app import SPEC
from shared.http.auth import issue_token
from shared.runtime import ServiceRuntime
from tests.support.services import auth, make_settings

from .helpers import VILLAGE, petition_body, problem_of

URL = "/api/v1/petitions"
ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def make_intake():
    """``make_intake(**env)``: intake's Flask test client, on an in-memory store."""
    built: list[ServiceRuntime] = []

    def make(**env):
        runtime = ServiceRuntime(SPEC, make_settings(**env))
        built.append(runtime)
        return runtime.app().test_client(), runtime.context.settings

    yield make
    for runtime in built:
        runtime.stop()


@pytest.fixture
def intake(make_intake):
    return make_intake()


def petitioner(settings, **headers) -> dict:
    return {**auth(settings, "petitioner", "wx-openid-i18n", VILLAGE), **headers}


def messages(problem: dict) -> dict[str, str]:
    return {error["field"]: error["message"] for error in problem["errors"]}


INVALID = petition_body(title="灯", division="152531100999", category="praise", language=True,
                        petitioner_ref="ref_forged", contact={"name": "王某"}, location={"lat": 41.9},
                        group={"size": 1, "representatives": []})
del INVALID["description"]

# what each field at fault reads, in English and in Chinese
EXPECTED = {
    "title": ("Length must be between 2 and 100.", "长度须在2到100之间"),
    "description": ("Missing data for required field.", "缺少必填字段"),
    "division": ("unknown village code: give the 12-digit code of the village (嘎查/村/社区)",
                 "未知的村级区划代码：请填写村（嘎查/村/社区）的12位代码"),
    "category": ("Must be one of: suggestion, accusation, complaint.",
                 "必须是以下之一：suggestion, accusation, complaint"),
    "language": ("Not a valid string.", "不是有效的字符串"),
    "petitioner_ref": ("Unknown field.", "未知字段"),
    "contact.phone": ("give a phone number or an ID number", "请填写电话号码或身份证号码"),
    "location.lat": ("give both lat and lon, or neither", "纬度（lat）和经度（lon）须同时填写或同时不填"),
    "group.size": ("Must be greater than or equal to 2 and less than or equal to 10000.",
                   "必须大于或等于2且小于或等于10000"),
    "group.representatives": ("Length must be between 1 and 5.", "长度须在1到5之间"),
}


def test_an_invalid_petition_is_explained_in_chinese_when_asked(intake):
    client, settings = intake

    problem = problem_of(client.post(URL, json=INVALID, headers=petitioner(settings, **ZH)), 422,
                         "validation-failed")

    assert problem["title"] == "请求内容无效"
    assert problem["detail"] == "部分字段无效。"
    assert messages(problem) == {field: chinese for field, (_, chinese) in EXPECTED.items()}


def test_the_same_petition_is_explained_in_english_when_asked_and_by_default(intake):
    client, settings = intake

    asked = client.post(URL, json=INVALID, headers=petitioner(settings, **EN))
    default = client.post(URL, json=INVALID, headers=petitioner(settings))

    for response in (asked, default):
        problem = problem_of(response, 422, "validation-failed")
        assert problem["title"] == "The request is not valid"
        assert problem["detail"] == "Some fields are not valid."
        assert messages(problem) == {field: english for field, (english, _) in EXPECTED.items()}
        assert response.headers["Content-Language"] == "en"


def test_only_the_words_change_between_languages(intake):
    client, settings = intake

    english = client.post(URL, json=INVALID, headers=petitioner(settings, **EN))
    chinese = client.post(URL, json=INVALID, headers=petitioner(settings, **ZH))

    en, zh = english.get_json(), chinese.get_json()
    assert chinese.headers["Content-Language"] == "zh"
    assert "Accept-Language" in chinese.headers["Vary"]
    assert {key: zh[key] for key in ("type", "status", "instance")} == \
        {key: en[key] for key in ("type", "status", "instance")}
    assert [error["field"] for error in zh["errors"]] == [error["field"] for error in en["errors"]]
    assert set(zh) == set(en)


@pytest.mark.parametrize("field, value, chinese", [
    ("title", "路" * 101, "长度须在2到100之间"),
    ("description", "坏了", "长度须在5到5000之间"),
    ("title", 5, "不是有效的字符串"),
    ("category", None, "字段不能为空值（null）"),
    ("confirm_not_duplicate", "maybe", "不是有效的布尔值"),
    ("location", {"lat": "north", "lon": 116.1}, "不是有效的数字"),
    ("location", {"lat": 91, "lon": 116.1}, "必须大于或等于-90且小于或等于90"),
    ("contact", {"name": "王某", "phone": "12345"}, "不是手机号码（11位）或固定电话号码（0xxx-xxxxxxx）"),
    ("contact", {"name": "王某", "id_number": "150000"}, "不是有效的18位居民身份证号码"),
    ("group", {"size": "many", "representatives": [{"name": "王某"}]}, "不是有效的整数"),
    ("location", "on the hill", "输入类型无效"),
], ids=["too-long", "too-short", "not-a-string", "null", "not-a-boolean", "not-a-number", "out-of-range",
        "not-a-phone", "not-an-id-number", "not-an-integer", "not-an-object"])
def test_each_kind_of_field_error_reads_in_chinese(intake, field, value, chinese):
    client, settings = intake

    problem = problem_of(client.post(URL, json=petition_body(**{field: value}),
                                     headers=petitioner(settings, **ZH)), 422, "validation-failed")

    [error] = problem["errors"]
    assert error["field"].split(".")[0] == field
    assert error["message"] == chinese


@pytest.mark.parametrize("header", ["zh", "zh-CN", "zh-Hans", "zh-Hans-CN", "en;q=0.5, zh-CN;q=0.9"])
def test_chinese_is_chosen_from_the_accept_language_header(intake, header):
    client, settings = intake

    response = client.post(URL, json=petition_body(title="灯"), headers=petitioner(settings, **{
        "Accept-Language": header}))

    assert problem_of(response, 422, "validation-failed")["title"] == "请求内容无效"
    assert response.headers["Content-Language"] == "zh"


@pytest.mark.parametrize("header", ["en-US,en;q=0.9,zh;q=0.8", "zh-CN;q=0.1, en", "fr", "*", "zh;q=0"])
def test_english_is_kept_unless_chinese_is_preferred(intake, header):
    client, settings = intake

    response = client.post(URL, json=petition_body(title="灯"), headers=petitioner(settings, **{
        "Accept-Language": header}))

    assert problem_of(response, 422, "validation-failed")["title"] == "The request is not valid"
    assert response.headers["Content-Language"] == "en"


def test_query_arguments_keep_their_location(intake):
    client, settings = intake

    problem = problem_of(client.get(URL + "?page=0&per_page=lots", headers=petitioner(settings, **ZH)), 422,
                         "validation-failed")

    assert problem["errors"] == [
        {"field": "page", "location": "query", "message": "必须大于或等于1且小于或等于10000"},
        {"field": "per_page", "location": "query", "message": "不是有效的整数"}]


def test_401_without_a_token(intake):
    client, _ = intake

    response = client.post(URL, json=petition_body(), headers=ZH)

    problem = problem_of(response, 401, "unauthenticated")
    assert problem["title"] == "需要身份认证"
    assert problem["detail"] == "需要 Bearer 令牌"
    assert messages(problem) == {"Authorization": "需要 Bearer 令牌"}
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="daiban"'


@pytest.mark.parametrize("token, chinese", [
    (lambda settings: issue_token(settings, "wx-1", "petitioner", VILLAGE, ttl=-60), "令牌已过期"),
    (lambda settings: "not.a.token", "令牌无效"),
], ids=["expired", "forged"])
def test_401_for_a_bad_token(intake, token, chinese):
    client, settings = intake

    response = client.get(URL, headers={"Authorization": f"Bearer {token(settings)}", **ZH})

    problem = problem_of(response, 401, "unauthenticated")
    assert problem["title"] == "需要身份认证"
    assert messages(problem) == {"Authorization": chinese}


def test_403_for_a_role_not_allowed(intake):
    client, settings = intake

    response = client.post(URL, json=petition_body(),
                           headers={**auth(settings, "agent", "agt-1", VILLAGE), **ZH})

    problem = problem_of(response, 403, "forbidden")
    assert problem["title"] == "无权操作"
    assert problem["detail"] == "角色“agent”无权执行此操作；允许的角色：petitioner"
    assert messages(problem) == {"role": "不允许"}


def test_404_for_an_unknown_path(intake):
    client, _ = intake

    problem = problem_of(client.get("/api/v1/nothing-here", headers=ZH), 404, "not-found")

    assert problem["title"] == "未找到"
    assert problem["detail"] == "服务器上没有所请求的网址。如果网址是手动输入的，请检查拼写后重试。"
    assert problem["instance"] == "/api/v1/nothing-here"


def test_404_for_an_unknown_petition(intake):
    client, settings = intake

    problem = problem_of(client.get(URL + "/pet-unknown", headers=petitioner(settings, **ZH)), 404, "not-found")

    assert problem["title"] == "未找到"
    assert problem["detail"] == "没有此信访事项"
    assert messages(problem) == {"petition_id": "未找到"}


def test_405_keeps_its_allow_header(intake):
    client, settings = intake

    response = client.delete(URL, headers=petitioner(settings, **ZH))

    problem = problem_of(response, 405, "method-not-allowed")
    assert problem["title"] == "不支持该请求方法"
    assert problem["detail"] == "所请求的网址不支持该请求方法。"
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_413_for_a_body_over_the_limit(make_intake):
    client, settings = make_intake(DAIBAN_MAX_BODY_BYTES="2048")

    response = client.post(URL, json=petition_body(description="路灯坏了。" * 700),
                           headers=petitioner(settings, **ZH))

    problem = problem_of(response, 413, "payload-too-large")
    assert problem["title"] == "请求内容过大"
    assert problem["detail"] == "提交的数据超过了容量上限。"


def test_415_for_a_body_that_is_not_json(intake):
    client, settings = intake

    response = client.post(URL, data='{"title": "路灯坏了"}'.encode(), content_type="text/plain",
                           headers=petitioner(settings, **ZH))

    problem = problem_of(response, 415, "unsupported-media-type")
    assert problem["title"] == "不支持的媒体类型"
    assert problem["detail"] == "请发送 application/json 格式的内容"
    assert messages(problem) == {"Content-Type": "收到的是 text/plain"}


def test_400_for_malformed_json(intake):
    client, settings = intake

    response = client.post(URL, data='{"title": "路灯', content_type="application/json",
                           headers=petitioner(settings, **ZH))

    problem = problem_of(response, 400, "malformed-json")
    assert problem["title"] == "请求有误"
    assert problem["detail"] == "请求正文不是有效的 JSON。"
    assert messages(problem) == {"body": "不是有效的 JSON"}


def test_503_readiness_keeps_its_checks(intake):
    client, _ = intake

    problem = problem_of(client.get("/readyz", headers=ZH), 503, "not-ready")

    assert problem["title"] == "服务暂不可用"
    assert problem["detail"].startswith("服务未就绪：") and "consumer" in problem["detail"]
    assert problem["service"] == "intake" and problem["checks"]["store"] == "ok"
