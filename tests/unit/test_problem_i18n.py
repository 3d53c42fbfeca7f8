"""The translator of problem documents (shared.http.i18n): every marshmallow message the services can
produce, every problem title, our own frequent messages; untranslated messages stay as they are;
the language a request prefers; ``problems.response`` answering in it."""
from __future__ import annotations

import enum
import json
import re
import uuid

import pytest
from flask import Flask
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from shared.http import i18n, problems
from shared.http.i18n import localise, negotiate, translate
from shared.http.problems import KINDS, Problem, field_error

HAN = re.compile(r"[\u4e00-\u9fff]")


def marshmallow_message(field: fields.Field, value=None, missing: bool = False) -> str:
    """The message marshmallow itself gives when ``value`` is loaded into ``field``."""
    schema = Schema.from_dict({"x": field})()
    with pytest.raises(ValidationError) as raised:
        schema.load({} if missing else {"x": value})
    messages = raised.value.messages["x"]
    [message] = messages["_schema"] if isinstance(messages, dict) else messages
    return message


def schema_message(payload, key: str) -> str:
    with pytest.raises(ValidationError) as raised:
        Schema.from_dict({"x": fields.String()})().load(payload)
    [message] = raised.value.messages[key]
    return message


class Colour(enum.Enum):
    red = 1
    blue = 2


FIELD_CASES = [
    ("required", lambda: marshmallow_message(fields.String(required=True), missing=True), "缺少必填字段"),
    ("null", lambda: marshmallow_message(fields.String(), None), "字段不能为空值（null）"),
    ("string", lambda: marshmallow_message(fields.String(), 5), "不是有效的字符串"),
    ("integer", lambda: marshmallow_message(fields.Integer(), "five"), "不是有效的整数"),
    ("number", lambda: marshmallow_message(fields.Float(), "five"), "不是有效的数字"),
    ("special-number", lambda: marshmallow_message(fields.Float(), "nan"), "不允许特殊数值（nan 或 infinity）"),
    ("number-too-large", lambda: marshmallow_message(fields.Float(), 10 ** 400), "数值过大"),
    ("boolean", lambda: marshmallow_message(fields.Boolean(), "maybe"), "不是有效的布尔值"),
    ("datetime", lambda: marshmallow_message(fields.DateTime(), "yesterday"), "不是有效的日期时间"),
    ("aware-datetime", lambda: marshmallow_message(fields.AwareDateTime(), "2025-04-01T08:00:00"),
     "不是带时区的有效日期时间"),
    ("naive-datetime", lambda: marshmallow_message(fields.NaiveDateTime(), "2025-04-01T08:00:00+08:00"),
     "不是不带时区的有效日期时间"),
    ("date", lambda: marshmallow_message(fields.Date(), "2025-13-40"), "不是有效的日期"),
    ("time", lambda: marshmallow_message(fields.Time(), "25:99"), "不是有效的时间"),
    ("timedelta", lambda: marshmallow_message(fields.TimeDelta(), "long"), "不是有效的时间段"),
    ("list", lambda: marshmallow_message(fields.List(fields.String()), "a"), "不是有效的列表"),
    ("tuple", lambda: marshmallow_message(fields.Tuple((fields.String(),)), "a"), "不是有效的元组"),
    ("mapping", lambda: marshmallow_message(fields.Dict(), "a"), "不是有效的对象（映射）"),
    ("nested", lambda: marshmallow_message(fields.Nested(Schema.from_dict({"y": fields.String()})), "a"),
     "输入类型无效"),
    ("nested-many", lambda: marshmallow_message(fields.Nested(Schema.from_dict({"y": fields.String()}), many=True),
                                                "a"), "类型无效"),
    ("email", lambda: marshmallow_message(fields.Email(), "not-an-address"), "不是有效的电子邮件地址"),
    ("url", lambda: marshmallow_message(fields.Url(), "not a url"), "不是有效的网址（URL）"),
    ("uuid", lambda: marshmallow_message(fields.UUID(), "not-a-uuid"), "不是有效的 UUID"),
    ("ip", lambda: marshmallow_message(fields.IP(), "999.1.1.1"), "不是有效的 IP 地址"),
    ("ipv4", lambda: marshmallow_message(fields.IPv4(), "::1"), "不是有效的 IPv4 地址"),
    ("ipv6", lambda: marshmallow_message(fields.IPv6(), "127.0.0.1"), "不是有效的 IPv6 地址"),
    ("enum", lambda: marshmallow_message(fields.Enum(Colour), "green"), "必须是以下之一：red, blue"),
    ("unknown-field", lambda: schema_message({"x": "a", "y": "b"}, "y"), "未知字段"),
    ("input-type", lambda: schema_message(["a"], "_schema"), "输入类型无效"),
]


@pytest.mark.parametrize("produce, chinese", [(p, c) for _, p, c in FIELD_CASES],
                         ids=[name for name, _, _ in FIELD_CASES])
def test_each_marshmallow_field_message_has_chinese(produce, chinese):
    assert translate(produce(), "zh") == chinese


def validator_message(validator, value) -> str:
    with pytest.raises(ValidationError) as raised:
        validator(value)
    [message] = raised.value.messages
    return message


VALIDATOR_CASES = [
    ("length-between", validate.Length(min=2, max=100), "灯", "长度须在2到100之间"),
    ("length-min", validate.Length(min=5), "路灯", "长度不能少于5"),
    ("length-max", validate.Length(max=20), "路" * 21, "长度不能超过20"),
    ("length-equal", validate.Length(equal=18), "1234", "长度须为18"),
    ("range-both", validate.Range(min=1, max=30), 31, "必须大于或等于1且小于或等于30"),
    ("range-min", validate.Range(min=1), 0, "必须大于或等于1"),
    ("range-max", validate.Range(max=5), 6, "必须小于或等于5"),
    ("range-exclusive-min", validate.Range(min=0, min_inclusive=False), 0, "必须大于0"),
    ("range-exclusive-max", validate.Range(max=1, max_inclusive=False), 1, "必须小于1"),
    ("range-exclusive-both", validate.Range(min=1, max=9, min_inclusive=False, max_inclusive=False), 9,
     "必须大于1且小于9"),
    ("range-negative-floats", validate.Range(min=-90.0, max=90.0), 91.5, "必须大于或等于-90.0且小于或等于90.0"),
    ("one-of", validate.OneOf(["suggestion", "accusation", "complaint"]), "praise",
     "必须是以下之一：suggestion, accusation, complaint"),
    ("regexp", validate.Regexp(r"^\d+$"), "12a", "格式不符合要求"),
    ("equal", validate.Equal(3), 4, "必须等于3"),
    ("contains-only", validate.ContainsOnly(["zh", "en"]), ["fr"], "所选项中有不在以下范围内的值：zh, en"),
    ("contains-none-of", validate.ContainsNoneOf(["x"]), ["x"], "所选项中有不允许的值：x"),
    ("none-of", validate.NoneOf(["admin"]), "admin", "输入无效"),
    ("predicate", validate.Predicate("isdigit"), "abc", "输入无效"),
]


@pytest.mark.parametrize("validator, value, chinese", [c[1:] for c in VALIDATOR_CASES],
                         ids=[c[0] for c in VALIDATOR_CASES])
def test_each_marshmallow_validator_message_has_chinese(validator, value, chinese):
    assert translate(validator_message(validator, value), "zh") == chinese


@pytest.mark.parametrize("english, chinese", [
    ("Must be one of: a, b.", "必须是以下之一：a, b"),
    ("Length must be between 2 and 100.", "长度须在2到100之间"),
    ("Shorter than minimum length 5.", "长度不能少于5"),
    ("Must be greater than or equal to 1 and less than or equal to 30.", "必须大于或等于1且小于或等于30"),
    ("Invalid JSON body.", "请求正文不是有效的 JSON"),
    ("Invalid value.", "值无效"),
    ("Field may not be null.", "字段不能为空值（null）"),
    ("Not a valid date.", "不是有效的日期"),
    ('"2025-04-01" cannot be formatted as a datetime.', "“2025-04-01”无法格式化为日期时间"),
])
def test_the_messages_named_in_the_issue(english, chinese):
    assert translate(english, "zh") == chinese


@pytest.mark.parametrize("status", sorted(KINDS))
def test_every_problem_title_has_chinese(status):
    english = Problem(status).title

    chinese = translate(english, "zh")

    assert chinese != english and HAN.search(chinese), (status, english, chinese)


def test_the_titles_are_distinct_in_chinese():
    titles = [translate(title, "zh") for _, title in KINDS.values()]
    assert len(set(titles)) == len(titles)


@pytest.mark.parametrize("english, chinese", [
    # auth
    ("a bearer token is required", "需要 Bearer 令牌"),
    ("the token has expired", "令牌已过期"),
    ("the token is not valid", "令牌无效"),
    ("the token has no valid role or division", "令牌中没有有效的角色或行政区划"),
    ("role 'agent' may not do this; allowed: petitioner, admin", "角色“agent”无权执行此操作；允许的角色：petitioner, admin"),
    ("not allowed", "不允许"),
    ("division 152531 is outside your scope 152525", "行政区划 152531 不在您的管辖范围 152525 内"),
    ("outside your division", "不在您的管辖区域内"),
    ("the petition is at banner level, above your division", "该信访事项处于旗县级，高于您所在的区划"),
    # bodies
    ("The body is not valid JSON.", "请求正文不是有效的 JSON。"),
    ("not valid JSON", "不是有效的 JSON"),
    ("Some fields are not valid.", "部分字段无效。"),
    ("send application/json", "请发送 application/json 格式的内容"),
    ("send multipart/form-data, application/json", "请发送 multipart/form-data, application/json 格式的内容"),
    ("got text/plain", "收到的是 text/plain"),
    ("got none", "未提供内容类型"),
    # the petition
    ("unknown village code: give the 12-digit code of the village (嘎查/村/社区)",
     "未知的村级区划代码：请填写村（嘎查/村/社区）的12位代码"),
    ("not a mobile (11 digits) or landline (0xxx-xxxxxxx) number", "不是手机号码（11位）或固定电话号码（0xxx-xxxxxxx）"),
    ("not a valid 18-character resident ID number", "不是有效的18位居民身份证号码"),
    ("give a phone number or an ID number", "请填写电话号码或身份证号码"),
    ("give both lat and lon, or neither", "纬度（lat）和经度（lon）须同时填写或同时不填"),
    ("unknown division: give the code of a village, township or banner",
     "未知的行政区划：请填写村（嘎查）、乡镇（苏木）或旗县的代码"),
    # not found
    ("not found", "未找到"),
    ("no such petition", "没有此信访事项"),
    ("no such agent", "没有此代办员"),
    ("no such assignment", "没有此交办事项"),
    ("no such department", "没有此部门"),
    ("no such attachment", "没有此附件"),
    ("no petition with this number and code", "没有与此编号和查询码相符的信访事项"),
    # idempotency, duplicates, final matters
    ("Idempotency-Key must be 1 to 128 characters", "Idempotency-Key 须为1到128个字符"),
    ("this Idempotency-Key was used with a different request body", "此 Idempotency-Key 已用于另一个不同的请求正文"),
    ("already used with another body", "已用于另一个请求正文"),
    ("a similar open petition exists", "已有相似的未办结信访事项"),
    ("an open petition of yours in this village looks like the same matter: follow it, or send the petition "
     "again with confirm_not_duplicate: true to file it anyway",
     "您在本村有一件尚未办结的信访事项与此事项相似：请跟进该事项；如仍要提交，请在重新提交时附上 "
     "confirm_not_duplicate: true"),
    ("same matter as a finally answered petition", "与已终结答复的信访事项属同一事项"),
    # holders, transitions, limits, versions, rate limits
    ("only the agent or coordinator holding this petition may do this", "只有承办此信访事项的代办员或协调员可以执行此操作"),
    ("held by someone else", "由他人承办"),
    ("not possible while the petition is closed", "信访事项处于 closed 状态时不能进行此操作"),
    ("a re_review is not possible after round 2", "第2轮之后不能再申请复核"),
    ("the handling limit can be extended only once (条例 第三十四条)", "办理期限只能延长一次（条例 第三十四条）"),
    ("an extension is 1 to 30 days (条例 第三十四条)", "延期须为1至30天（条例 第三十四条）"),
    ("the assignment was changed by someone else; reload and try again", "该事项已被他人修改，请刷新后重试"),
    ("you saw version 3; it is now 4", "您读取的是版本 3，当前版本为 4"),
    ("stale", "版本已过时"),
    ("the agent changed since you read it; read it again", "代办员信息在您读取后已被修改，请重新读取"),
    ("too many look-ups; try again in 60 s", "查询次数过多，请在60秒后重试"),
    ("too many attempts", "尝试次数过多"),
    # operations
    ("not ready: consumer, broker", "服务未就绪：consumer, broker"),
    ("An internal error occurred; quote request id 4f2a.", "发生内部错误；请告知请求编号 4f2a。"),
    # attachments
    ("a video may be at most 10 MiB (10485760 bytes); this one has 10485761 bytes",
     "视频最大为 10 MiB（10485760 字节）；此文件为 10485761 字节"),
    ("exactly one file part expected, got 2", "应恰好有一个文件部分，收到 2 个"),
])
def test_our_own_messages_have_chinese(english, chinese):
    assert translate(english, "zh") == chinese


def test_the_final_matter_explanation_is_the_one_intake_writes_in_chinese():
    from services.intake.aftercare import FINAL_MATTER

    assert translate(FINAL_MATTER["en"], "zh") == FINAL_MATTER["zh"]


@pytest.mark.parametrize("message", [
    "a brand new message nobody translated yet",
    "no such widget",                                          # a noun without a Chinese name
    "the petition is at moon level, above your division",      # a level without one
    "a survey is not possible after round 1",                  # not a review kind
    "Must be one of: a, b",                                    # not marshmallow's (no full stop)
    "",
])
def test_a_message_without_a_translation_stays_as_it_is(message):
    assert translate(message, "zh") == message


@pytest.mark.parametrize("message", ["Missing data for required field.", "Not found", "no such petition"])
def test_english_is_left_alone(message):
    assert translate(message, "en") == message


def test_something_that_is_not_text_is_returned_untouched():
    marker = {"nested": ["Unknown field."]}
    assert translate(marker, "zh") is marker
    assert translate(None, "zh") is None


def test_a_failing_rule_gives_back_the_message_instead_of_an_error(monkeypatch, caplog):
    def broken(_match):
        raise RuntimeError("a rule with a bug")

    monkeypatch.setattr(i18n, "PATTERNS", [(re.compile(r"^explode (\d+)$"), broken)])

    assert translate("explode 3", "zh") == "explode 3"
    assert "could not translate" in caplog.text


def test_localise_changes_words_only():
    body = Problem(422, detail="Some fields are not valid.",
                   errors=[field_error("title", "Length must be between 2 and 100."),
                           {"field": "page", "message": "Not a valid integer.", "location": "query"},
                           field_error("note", "a message nobody translated"), "not a dict"],
                   possible_duplicate_of={"id": "pet-1", "title": "Not found"}).to_dict("/api/v1/petitions")

    chinese = localise(body, "zh")

    assert chinese["title"] == "请求内容无效"
    assert chinese["detail"] == "部分字段无效。"
    assert chinese["errors"] == [{"field": "title", "message": "长度须在2到100之间"},
                                 {"field": "page", "message": "不是有效的整数", "location": "query"},
                                 {"field": "note", "message": "a message nobody translated"}, "not a dict"]
    for key in ("type", "status", "instance", "possible_duplicate_of"):
        assert chinese[key] == body[key]
    assert body["title"] == "The request is not valid"  # the English document is not touched
    assert localise(body, "en") == body


def _accept(header: str) -> LanguageAccept:
    return parse_accept_header(header, LanguageAccept)


@pytest.mark.parametrize("header, language", [
    ("", "en"),
    ("zh", "zh"), ("zh-CN", "zh"), ("zh-Hans", "zh"), ("zh-Hans-CN", "zh"), ("ZH-cn", "zh"), ("zh_CN", "zh"),
    ("en", "en"), ("en-US", "en"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("en-US,en;q=0.9,zh;q=0.8", "en"),
    ("en;q=0.5, zh-CN", "zh"),                 # q-values, not the order written, decide
    ("zh-CN;q=0.1, en;q=0.2", "en"),
    ("zh, en", "zh"), ("en, zh", "en"),          # equal q: the client's order
    ("fr", "en"), ("fr, zh;q=0.5", "zh"), ("mn", "zh"), ("mn-Mong", "zh"),
    ("zh;q=0", "en"),                           # refused outright
    ("*", "en"), ("*;q=0.1, zh;q=0.5", "zh"),
])
def test_the_language_a_request_prefers(header, language):
    assert negotiate(_accept(header)) == language


@pytest.fixture
def app():
    return Flask(f"i18n-{uuid.uuid4().hex[:6]}")


def _body(resp) -> dict:
    return json.loads(resp.get_data(as_text=True))


def test_response_answers_in_chinese_when_the_request_prefers_it(app):
    problem = Problem(404, detail="no such petition", errors=[field_error("petition_id", "not found")])

    with app.test_request_context("/api/v1/petitions/p1", headers={"Accept-Language": "zh-CN,en;q=0.5"}):
        resp = problems.response(problem, "/api/v1/petitions/p1")

    assert resp.mimetype == problems.MEDIA_TYPE
    assert resp.headers["Content-Language"] == "zh"
    assert "Accept-Language" in resp.headers["Vary"]
    assert _body(resp) == {"type": "urn:daiban:problem:not-found", "title": "未找到", "status": 404,
                           "detail": "没有此信访事项", "instance": "/api/v1/petitions/p1",
                           "errors": [{"field": "petition_id", "message": "未找到"}]}


def test_response_stays_english_without_accept_language_and_outside_a_request(app):
    problem = Problem(404, detail="no such petition", errors=[field_error("petition_id", "not found")])
    english = {"type": "urn:daiban:problem:not-found", "title": "Not found", "status": 404,
               "detail": "no such petition", "errors": [{"field": "petition_id", "message": "not found"}]}

    with app.test_request_context("/"):
        in_request = problems.response(problem)
    outside = problems.response(problem)

    for resp in (in_request, outside):
        assert _body(resp) == english
        assert resp.headers["Content-Language"] == "en"


def test_response_may_be_asked_for_a_language(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        resp = problems.response(Problem(409), language="zh")

    assert _body(resp)["title"] == "冲突"
    assert resp.headers["Content-Language"] == "zh"


def test_response_keeps_the_problem_headers(app):
    problem = Problem(401, detail="a bearer token is required", headers={"WWW-Authenticate": 'Bearer realm="daiban"'})

    with app.test_request_context("/", headers={"Accept-Language": "zh"}):
        resp = problems.response(problem)

    assert resp.headers["WWW-Authenticate"] == 'Bearer realm="daiban"'
    assert _body(resp)["detail"] == "需要 Bearer 令牌"


def test_response_answers_in_english_if_localising_breaks(app, monkeypatch, caplog):
    def broken(body, language):
        raise RuntimeError("a bug in localise")

    monkeypatch.setattr(i18n, "localise", broken)

    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        resp = problems.response(Problem(429, detail="too many look-ups; try again in 5 s"))

    assert resp.status_code == 429
    assert _body(resp)["title"] == "Too many requests"
    assert resp.headers["Content-Language"] == "en"
    assert "could not localise" in caplog.text
