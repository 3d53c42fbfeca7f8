"""Problem documents in the reader's language: English by default, Chinese (简体中文) when the request's
``Accept-Language`` prefers it (``zh``, ``zh-CN``, ``zh-Hans`` ...).

Only the words change: a problem's ``title``, its ``detail`` where a translation is known and each
``errors[].message``; its ``type``, ``status``, ``errors[].field`` and extension members never do
(clients switch on those). A message without a translation stays as it is: translating never fails.

Messages are translated by exact text first (``MESSAGES``, which holds the titles too), then by the
patterns of the parametrised ones (``PATTERNS``: marshmallow's ``Must be one of: a, b.``, ``Length
must be between 2 and 100.``, our ``no such petition`` ...). A new message of ours gets its Chinese
here, next to the others.
"""
from __future__ import annotations

import logging
import re
from typing import Callable

from flask import has_request_context, request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

log = logging.getLogger(__name__)

ENGLISH, CHINESE = "en", "zh"
LANGUAGES = (ENGLISH, CHINESE)
DEFAULT = ENGLISH

# ---------------------------------------------------------------------------------------------------
# exact messages

TITLES = {
    # shared.http.problems.KINDS
    "Bad request": "请求有误",
    "Authentication required": "需要身份认证",
    "Not allowed": "无权操作",
    "Not found": "未找到",
    "Method not allowed": "不支持该请求方法",
    "Conflict": "冲突",
    "Request body too large": "请求内容过大",
    "Unsupported media type": "不支持的媒体类型",
    "The request is not valid": "请求内容无效",
    "Too many requests": "请求过于频繁",
    "Internal error": "内部错误",
    "Service unavailable": "服务暂不可用",
    "Error": "错误",
    # titles the services give their own kinds
    "Precondition required": "缺少前置条件",
    "Petition closed": "信访事项已结束",
    "Empty attachment": "附件为空",
    "Unsupported attachment type": "不支持的附件类型",
    "Attachment too large": "附件过大",
}

MARSHMALLOW = {
    "Missing data for required field.": "缺少必填字段",
    "Field may not be null.": "字段不能为空值（null）",
    "Invalid value.": "值无效",
    "Invalid input.": "输入无效",
    "Invalid input type.": "输入类型无效",
    "Invalid type.": "类型无效",
    "Unknown field.": "未知字段",
    "Not a valid string.": "不是有效的字符串",
    "Not a valid utf-8 string.": "不是有效的 UTF-8 字符串",
    "Not a valid integer.": "不是有效的整数",
    "Not a valid number.": "不是有效的数字",
    "Number too large.": "数值过大",
    "Special numeric values (nan or infinity) are not permitted.": "不允许特殊数值（nan 或 infinity）",
    "Not a valid boolean.": "不是有效的布尔值",
    "Not a valid datetime.": "不是有效的日期时间",
    "Not a valid aware datetime.": "不是带时区的有效日期时间",
    "Not a valid naive datetime.": "不是不带时区的有效日期时间",
    "Not a valid date.": "不是有效的日期",
    "Not a valid time.": "不是有效的时间",
    "Not a valid aware time.": "不是带时区的有效时间",
    "Not a valid naive time.": "不是不带时区的有效时间",
    "Not a valid period of time.": "不是有效的时间段",
    "Not a valid list.": "不是有效的列表",
    "Not a valid tuple.": "不是有效的元组",
    "Not a valid mapping type.": "不是有效的对象（映射）",
    "Not a valid email address.": "不是有效的电子邮件地址",
    "Not a valid URL.": "不是有效的网址（URL）",
    "Not a valid UUID.": "不是有效的 UUID",
    "Not a valid IP address.": "不是有效的 IP 地址",
    "Not a valid IPv4 address.": "不是有效的 IPv4 地址",
    "Not a valid IPv6 address.": "不是有效的 IPv6 地址",
    "Not a valid IP interface.": "不是有效的 IP 接口",
    "Not a valid IPv4 interface.": "不是有效的 IPv4 接口",
    "Not a valid IPv6 interface.": "不是有效的 IPv6 接口",
    "String does not match expected pattern.": "格式不符合要求",
    # webargs
    "Invalid JSON body.": "请求正文不是有效的 JSON",
}

# werkzeug's descriptions of the HTTP errors it raises itself (unknown path, wrong method, body too large ...)
WERKZEUG = {
    "The browser (or proxy) sent a request that this server could not understand.": "服务器无法理解该请求。",
    "The server could not verify that you are authorized to access the URL requested. You either supplied "
    "the wrong credentials (e.g. a bad password), or your browser doesn't understand how to supply the "
    "credentials required.": "服务器无法确认您有权访问所请求的网址：凭据有误，或客户端未提供所需凭据。",
    "You don't have the permission to access the requested resource. It is either read-protected or not "
    "readable by the server.": "您无权访问所请求的资源。",
    "The requested URL was not found on the server. If you entered the URL manually please check your "
    "spelling and try again.": "服务器上没有所请求的网址。如果网址是手动输入的，请检查拼写后重试。",
    "The method is not allowed for the requested URL.": "所请求的网址不支持该请求方法。",
    "A conflict happened while processing the request. The resource might have been modified while the "
    "request was being processed.": "处理请求时发生冲突：资源可能在处理期间已被修改。",
    "The data value transmitted exceeds the capacity limit.": "提交的数据超过了容量上限。",
    "The length of the requested URL exceeds the capacity limit for this server. The request cannot be "
    "processed.": "所请求的网址过长，无法处理。",
    "The server does not support the media type transmitted in the request.": "服务器不支持请求中提交的媒体类型。",
    "The request was well-formed but was unable to be followed due to semantic errors.":
        "请求格式正确，但因语义错误无法处理。",
    "This user has exceeded an allotted request count. Try again later.": "请求次数超过限额，请稍后重试。",
    "The server encountered an internal error and was unable to complete your request. Either the server "
    "is overloaded or there is an error in the application.": "服务器发生内部错误，无法完成您的请求。",
    "The server is temporarily unable to service your request due to maintenance downtime or capacity "
    "problems. Please try again later.": "服务器暂时无法处理您的请求，请稍后重试。",
}

OURS = {
    # shared.http: bodies, problems
    "The body is not valid JSON.": "请求正文不是有效的 JSON。",
    "not valid JSON": "不是有效的 JSON",
    "Some fields are not valid.": "部分字段无效。",
    # shared.http.auth
    "a bearer token is required": "需要 Bearer 令牌",
    "the token has expired": "令牌已过期",
    "the token is not valid": "令牌无效",
    "the token has no valid role or division": "令牌中没有有效的角色或行政区划",
    "not allowed": "不允许",
    "outside your division": "不在您的管辖区域内",
    "above your division": "高于您所在区划的层级",
    "not found": "未找到",
    "required": "必填",
    # intake: the petition
    "unknown village code: give the 12-digit code of the village (嘎查/村/社区)":
        "未知的村级区划代码：请填写村（嘎查/村/社区）的12位代码",
    "not a mobile (11 digits) or landline (0xxx-xxxxxxx) number": "不是手机号码（11位）或固定电话号码（0xxx-xxxxxxx）",
    "not a valid 18-character resident ID number": "不是有效的18位居民身份证号码",
    "give a phone number or an ID number": "请填写电话号码或身份证号码",
    "give both lat and lon, or neither": "纬度（lat）和经度（lon）须同时填写或同时不填",
    "unknown division: give the code of a village, township or banner":
        "未知的行政区划：请填写村（嘎查）、乡镇（苏木）或旗县的代码",
    "unknown banner: give the 6-digit code of a banner, county or city": "未知的旗县：请填写旗、县或市的6位代码",
    "unknown division code": "未知的行政区划代码",
    "a public display name only: no phone or ID numbers": "只能填写对外显示的名称，不得包含电话或身份证号码",
    "not a 6, 9 or 12-digit division code": "不是6位、9位或12位的行政区划代码",
    "not a 6-digit banner code": "不是6位的旗县代码",
    "from is after to": "起始日期（from）晚于截止日期（to）",
    # intake: Idempotency-Key
    "Idempotency-Key must be 1 to 128 characters": "Idempotency-Key 须为1到128个字符",
    "1 to 128 characters": "须为1到128个字符",
    "this Idempotency-Key was used with a different request body": "此 Idempotency-Key 已用于另一个不同的请求正文",
    "already used with another body": "已用于另一个请求正文",
    "this Idempotency-Key was used with other content or another petition":
        "此 Idempotency-Key 已用于其他内容或另一信访事项",
    "already used with another upload": "已用于另一次上传",
    # intake: duplicates, final matters
    "an open petition of yours in this village looks like the same matter: follow it, or send the petition "
    "again with confirm_not_duplicate: true to file it anyway":
        "您在本村有一件尚未办结的信访事项与此事项相似：请跟进该事项；如仍要提交，请在重新提交时附上 "
        "confirm_not_duplicate: true",
    "a similar open petition exists": "已有相似的未办结信访事项",
    "this matter was answered on re-review (复核) and is closed for good: the same matter on the same facts "
    "is not accepted again (《信访工作条例》第三十六条)":
        "此事项已经复核答复并终结办理：同一事项基于同一事实和理由不再受理（《信访工作条例》第三十六条）",
    "same matter as a finally answered petition": "与已终结答复的信访事项属同一事项",
    # intake: tracking, preferred agent
    "no petition with this number and code": "没有与此编号和查询码相符的信访事项",
    "number and code do not match a petition": "编号与查询码不匹配任何信访事项",
    "too many attempts": "尝试次数过多",
    "unknown agent": "未知的代办员",
    "the chosen agent no longer takes petitions": "所选代办员已不再承办信访事项",
    "agent inactive": "代办员已停用",
    "the chosen agent serves another banner than the village of the petition":
        "所选代办员服务的旗县与信访事项所在村不同",
    "agent of another banner": "其他旗县的代办员",
    # intake: attachments
    "send exactly one file in the part named file": "请在名为 file 的部分中恰好发送一个文件",
    "the file is empty": "文件为空",
    "empty": "为空",
    "too large": "过大",
    "unsupported type (read from the content)": "不支持的类型（根据内容判断）",
    "the petition is finished (closed or routed out); evidence is no longer added to it. A review request "
    "reopens it.": "该信访事项已结束（已办结或已转入法定途径），不能再添加证据材料。申请复查后将重新办理。",
    # intake: feedback, review and re-review (复查 / 复核)
    "the result of this petition was already rated; feedback is given once": "此信访事项的办理结果已评价过，每件事项只能评价一次",
    "the petition is not closed yet; feedback is given on the written answer": "信访事项尚未办结，评价针对书面答复意见作出",
    "a review is asked for about a written answer; this petition has none yet or is being handled again":
        "复查须针对书面答复意见申请；此信访事项尚无答复，或正在重新办理",
    "a re-review (复核) is asked for about the review answer; ask for a review (复查) first (条例 第三十六条)":
        "复核须针对复查意见申请；请先申请复查（条例 第三十六条）",
    "the review (复查) was answered; what remains is a re-review (复核) (条例 第三十六条)":
        "复查已答复，此后只能申请复核（条例 第三十六条）",
    "This matter was re-reviewed and is final. Under Article 36 of the Regulations on Petition Work, the same "
    "claim on the same facts and reasons is not accepted again.":
        "该事项已经复核，办理终结。依照《信访工作条例》第三十六条，信访人对复核意见不服，仍以同一事实和理由"
        "提出投诉请求的，不再受理。",
    "the petition changed while this request was decided; try again": "处理请求期间信访事项已发生变化，请重试",
    "changed meanwhile": "期间已被修改",
    # assignment: holders, scope, versions
    "only the agent or coordinator holding this petition may do this": "只有承办此信访事项的代办员或协调员可以执行此操作",
    "held by someone else": "由他人承办",
    "only a coordinator of this division may do this": "只有本区划的协调员可以执行此操作",
    "a department may only reply for itself": "部门只能以本部门名义答复",
    "not you": "不是您本人",
    "the assignment was changed by someone else; reload and try again": "该事项已被他人修改，请刷新后重试",
    "stale": "版本已过时",
    "the agent changed since you read it; read it again": "代办员信息在您读取后已被修改，请重新读取",
    "If-Match and version disagree": "If-Match 与 version 不一致",
    "differs from If-Match": "与 If-Match 不一致",
    "send the version you read, as If-Match or version": "请以 If-Match 或 version 提交您读取到的版本",
    "If-Match must be the agent's version (its ETag)": "If-Match 须为代办员的版本（其 ETag）",
    "not a version": "不是版本号",
    "the agent is already inactive": "该代办员已停用",
    "already inactive": "已停用",
    "the banner already has a department of that name": "该旗县已有同名部门",
    "already exists in this banner": "该旗县已存在",
    # assignment: the workflow
    "first contact is already recorded; add a progress note instead": "已记录首次联系，请改为添加进展记录",
    "no open forward to this department": "没有转交给该部门且尚未答复的转办",
    "there is no level above the league": "盟级之上没有更高层级",
    "the handling limit can be extended only once (条例 第三十四条)": "办理期限只能延长一次（条例 第三十四条）",
    "an extension is 1 to 30 days (条例 第三十四条)": "延期须为1至30天（条例 第三十四条）",
    "the handling clock is not running": "办理期限未在计时",
    "the handling limit has already passed; an extension is decided before it runs out (条例 第三十四条)":
        "办理期限已过；延期须在期限届满前决定（条例 第三十四条）",
}

MESSAGES: dict[str, str] = {**TITLES, **MARSHMALLOW, **WERKZEUG, **OURS}

# ---------------------------------------------------------------------------------------------------
# parametrised messages

COMPARISONS = {"greater than or equal to": "大于或等于", "greater than": "大于",
               "less than or equal to": "小于或等于", "less than": "小于"}
_COMPARISON = "|".join(sorted(map(re.escape, COMPARISONS), key=len, reverse=True))
TEMPORAL = {"datetime": "日期时间", "date": "日期", "time": "时间"}
NOUNS = {"petition": "信访事项", "agent": "代办员", "assignment": "交办事项", "department": "部门",
         "attachment": "附件", "mediation": "调解", "notification": "通知", "policy": "政策"}
LEVELS = {"village": "村（嘎查）级", "township": "乡镇（苏木）级", "banner": "旗县级", "league": "盟市级",
          "province": "自治区级"}
REVIEWS = {"review": "复查", "re_review": "复核", "re-review": "复核"}
ATTACHMENT_KINDS = {"photo": "照片", "audio": "录音", "video": "视频"}

Rule = Callable[[re.Match], "str | None"]


def _range(match: re.Match) -> str:
    first = f"{COMPARISONS[match['op1']]}{match['v1']}"
    if match["op2"] is None:
        return f"必须{first}"
    return f"必须{first}且{COMPARISONS[match['op2']]}{match['v2']}"


def _named(table: dict[str, str], template: str, group: str = "name") -> Rule:
    """A rule whose word ``group`` must have a Chinese name in ``table`` (else: no translation)."""
    def rule(match: re.Match) -> str | None:
        name = table.get(match[group])
        return None if name is None else template.format(name, *match.groups())
    return rule


def _format(template: str) -> Rule:
    return lambda match: template.format(*match.groups())


PATTERNS: list[tuple[re.Pattern, Rule]] = [(re.compile(pattern, re.DOTALL), rule) for pattern, rule in [
    # marshmallow: fields
    (r"^Must be one of: (.*)\.$", _format("必须是以下之一：{0}")),
    (r"^Not a valid (?P<name>datetime|date|time)\.$", _named(TEMPORAL, "不是有效的{0}")),
    (r'^"(.*)" cannot be formatted as an? (?P<name>datetime|date|time)\.$', _named(TEMPORAL, "“{1}”无法格式化为{0}")),
    (r"^'(.*)' cannot be formatted as a timedelta\.$", _format("“{0}”无法格式化为时间段")),
    # marshmallow: validators
    (r"^Length must be between (.+?) and (.+?)\.$", _format("长度须在{0}到{1}之间")),
    (r"^Length must be (.+?)\.$", _format("长度须为{0}")),
    (r"^Shorter than minimum length (.+?)\.$", _format("长度不能少于{0}")),
    (r"^Longer than maximum length (.+?)\.$", _format("长度不能超过{0}")),
    (rf"^Must be (?P<op1>{_COMPARISON}) (?P<v1>.+?)(?: and (?P<op2>{_COMPARISON}) (?P<v2>.+?))?\.$", _range),
    (r"^Must be equal to (.+?)\.$", _format("必须等于{0}")),
    (r"^One or more of the choices you made was not in: (.*)\.$", _format("所选项中有不在以下范围内的值：{0}")),
    (r"^One or more of the choices you made was in: (.*)\.$", _format("所选项中有不允许的值：{0}")),
    # shared.http
    (r"^send ([\w.+-]+/[\w.+-]+(?:, [\w.+-]+/[\w.+-]+)*)$", _format("请发送 {0} 格式的内容")),
    (r"^got ([\w.+-]+/[\w.+-]+|none)$",
     lambda m: "未提供内容类型" if m[1] == "none" else f"收到的是 {m[1]}"),
    (r"^not ready: (.+)$", _format("服务未就绪：{0}")),
    (r"^An internal error occurred; quote request id (.*)\.$", _format("发生内部错误；请告知请求编号 {0}。")),
    (r"^role '([^']*)' may not do this; allowed: (.+)$", _format("角色“{0}”无权执行此操作；允许的角色：{1}")),
    (r"^division (\d+) is outside your scope (\d+)$", _format("行政区划 {0} 不在您的管辖范围 {1} 内")),
    # the services
    (r"^no such (?P<name>\w+)$", _named(NOUNS, "没有此{0}")),
    (r"^too many look-ups; try again in (\d+) s$", _format("查询次数过多，请在{0}秒后重试")),
    (r"^not possible while the petition is (\w+)$", _format("信访事项处于 {0} 状态时不能进行此操作")),
    (r"^a (?P<name>\w+) is not possible after round (\d+)$", _named(REVIEWS, "第{2}轮之后不能再申请{0}")),
    (r"^the petition is at (?P<name>\w+) level, above your division$",
     _named(LEVELS, "该信访事项处于{0}，高于您所在的区划")),
    (r"^feedback is given within (\d+) days of the answer; that time has passed$",
     _format("评价须在答复后{0}日内作出，该期限已过")),
    (r"^kind is one of (.+)$", _format("kind 须为以下之一：{0}")),
    (r"^a (?P<name>[\w-]+) was already asked for; the petition is being reopened at the level above$",
     _named(REVIEWS, "已申请过{0}，该信访事项正在上一级重新办理")),
    (r"^a (?P<name>[\w-]+) is asked for within (\d+) days of the written answer \(条例 (第\S+条)\); "
     r"that time has passed$", _named(REVIEWS, "{0}须在书面答复之日起{2}日内申请（条例 {3}），该期限已过")),
    (r"^you saw version (.+); it is now (.+)$", _format("您读取的是版本 {0}，当前版本为 {1}")),
    (r"^petition is (\w+)$", _format("信访事项状态为 {0}")),
    (r"^exactly one file part expected, got (\d+)$", _format("应恰好有一个文件部分，收到 {0} 个")),
    (r"^larger than (\d+) bytes$", _format("超过 {0} 字节")),
    (r"^an upload may be at most (.+) \((\d+) bytes\) including its multipart envelope$",
     _format("一次上传（含 multipart 封装）最多 {0}（{1} 字节）")),
    (r"^a (?P<name>\w+) may be at most (.+) \((\d+) bytes\); this one has (\d+) bytes$",
     _named(ATTACHMENT_KINDS, "{0}最大为 {2}（{3} 字节）；此文件为 {4} 字节")),
    (r"^the content is not an accepted photo, audio or video type; accepted: (.+)$",
     _format("内容不是可接受的照片、音频或视频类型；可接受的类型：{0}")),
]]


def translate(message: str, language: str = CHINESE) -> str:
    """``message`` in ``language``; as it is when English is asked for or no translation is known."""
    if language != CHINESE or not isinstance(message, str):
        return message
    try:
        exact = MESSAGES.get(message)
        if exact is not None:
            return exact
        for pattern, rule in PATTERNS:
            match = pattern.match(message)
            if match:
                translated = rule(match)
                if translated is not None:
                    return translated
    except Exception:  # a translation is a courtesy: never the cause of an error
        log.warning("could not translate a problem message", exc_info=True)
    return message


def localise(body: dict, language: str) -> dict:
    """A problem document with its ``title``, ``detail`` and ``errors[].message`` in ``language``;
    every other member (``type``, ``status``, ``errors[].field``, extensions) as it is."""
    if language != CHINESE:
        return body
    out = dict(body)
    for key in ("title", "detail"):
        if isinstance(out.get(key), str):
            out[key] = translate(out[key], language)
    if isinstance(out.get("errors"), list):
        out["errors"] = [{**error, "message": translate(error["message"], language)}
                         if isinstance(error, dict) and isinstance(error.get("message"), str) else error
                         for error in out["errors"]]
    return out


def negotiate(accept_languages, default: str = DEFAULT) -> str:
    """The language a request prefers, from werkzeug's parsed ``Accept-Language`` (``request.
    accept_languages``, most preferred first; ties in the client's order): the first range naming
    Chinese (``zh``, ``zh-CN``, ``zh-Hans`` ...; Mongolian ``mn`` too, until it has its own) or English (``en-*``, or ``*``, any) decides;
    a range with q=0 is refused; ``*``, nothing, or only other languages → ``default``."""
    for value, quality in accept_languages:
        if quality <= 0:
            continue
        primary = value.replace("_", "-").split("-", 1)[0].strip().lower()
        if primary in (CHINESE, "mn"):  # no Mongolian messages yet: Mongolian readers get Chinese, as on timelines
            return CHINESE
        if primary == ENGLISH:
            return ENGLISH
        if primary == "*":
            return default
    return default


def header_language(header: str | None, default: str) -> str:
    """The language of a raw ``Accept-Language`` value, by the same rule (for texts that are not
    problems: timelines, notifications, labels, each with its own default)."""
    if not header:
        return default
    return negotiate(parse_accept_header(header, LanguageAccept), default)


def request_language() -> str:
    """The current request's language for problems (English outside a request)."""
    if not has_request_context():
        return DEFAULT
    try:
        return negotiate(request.accept_languages)
    except Exception:
        log.warning("could not read Accept-Language", exc_info=True)
        return DEFAULT
