"""API tokens: issued by an office admin per integration, shown once, kept as SHA-256, scoped, revocable.

A token reads `sc_` + 40 URL-safe characters; the first 10 characters are kept as its prefix so that a list can
tell tokens apart without holding them."""
import hashlib
import secrets

from sqlalchemy import select

from webapp.core import audit
from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.domain.refusal import Refused
from webapp.stages.accounts import jurisdictions
from webapp.stages.integration.models import ApiToken

SCOPES = {
    "plans:read": "读取抽查计划和抽取（含公开清单）",
    "records:read": "读取检查记录（一企一表）",
    "results:read": "读取已公示的检查结果和后续监管",
    "directory:read": "读取检查对象名录",
    "directory:write": "上传并提交检查对象名录导入",
}
PREFIX = "sc_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue(name: str, scopes, jurisdiction_id: int, user=None) -> tuple[ApiToken, str]:
    """A new token and its one-time plain text (never stored)."""
    name = (name or "").strip()
    if not name:
        raise Refused("请填写对接系统的名称。", 400)
    if len(name) > 100:
        raise Refused("名称不能超过 100 个字。", 400)
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise Refused("请至少选择一个权限范围" + (f"（未知：{'、'.join(unknown)}）" if unknown else "") + "。", 400)
    if jurisdiction_id is None:
        raise Refused("您的账号未归属任何辖区，不能签发令牌。", 403)
    raw = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken(name=name, scopes=scopes, jurisdiction_id=jurisdiction_id, prefix=raw[:10],
                     token_hash=_hash(raw), created_by_id=getattr(user, "id", None), created_at=utcnow())
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.issue", token, user=user, name=name, scopes=scopes)
    return token, raw


def revoke(token: ApiToken, user=None) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoke", token, user=user, name=token.name)


def authenticate(raw: str) -> ApiToken | None:
    """The live token whose hash matches `raw`, its last use stamped; None for an unknown or revoked one."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(raw)))
    if token is None or token.revoked_at is not None:
        return None
    token.last_used_at = utcnow()
    return token


def of_office(user) -> list[ApiToken]:
    ids = jurisdictions.visible_ids(user)
    return db.session.scalars(select(ApiToken).where(ApiToken.jurisdiction_id.in_(sorted(ids)))
                              .order_by(ApiToken.id.desc())).all()


class TokenPrincipal:
    """What the API's queries are scoped by: the token's jurisdiction and below (like a user's `visible_ids`)."""

    def __init__(self, token: ApiToken):
        self.token = token
        self.id = token.created_by_id
        self.jurisdiction_id = token.jurisdiction_id

    def visible_ids(self) -> set[int]:
        return jurisdictions.below(self.token.jurisdiction_id)
