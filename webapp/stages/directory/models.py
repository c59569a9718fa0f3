"""The directories (一单两库): the object directory (检查对象名录库), the inspector roster (执法检查人员名录库), the
check-item library, declared conflicts of interest (回避), and import batches (a file read and planned row by row,
kept server-side until it is committed)."""
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.clock import utcnow
from webapp.core.extensions import db
from webapp.core.tokens import new_token
from webapp.domain import eligibility
from webapp.stages.accounts import jurisdictions
from webapp.stages.accounts.models import Department, User


class Entity(db.Model):
    __tablename__ = "entities"
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(db.String(18), unique=True)  # one directory for the province
    # Where it is supervised: by default the USCC's division code (jurisdictions.entity_jurisdiction), or
    # what an import's registration authority or address says. (Indexed first in ix_entities_eligibility.)
    jurisdiction_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"),
                                                        default=jurisdictions.entity_jurisdiction)
    name: Mapped[str] = mapped_column(db.String(200))
    legal_rep: Mapped[str | None] = mapped_column(db.String(64))
    address: Mapped[str | None] = mapped_column(db.String(300))
    registered_on: Mapped[date | None] = mapped_column()
    # Years whose annual report is filed, as "2021,2022": one column keeps imports and the 1M-row preview simple.
    annual_report_years: Mapped[str] = mapped_column(db.String(200), default="")
    status: Mapped[str] = mapped_column(db.String(32), default="")  # as the registry writes it, e.g. 合格
    risk_level: Mapped[str] = mapped_column(db.String(16))  # domain.risk.LEVELS (ix_entities_risk_level_id)
    category: Mapped[str] = mapped_column(db.String(64), default="", index=True)
    phone: Mapped[str | None] = mapped_column(db.String(32))
    # A USCC that fails the GB 32100 checksum is stored only with a recorded override (see the audit trail).
    checksum_override: Mapped[bool] = mapped_column(default=False)
    checkin_token: Mapped[str] = mapped_column(db.String(32), unique=True, default=new_token)  # 扫码入企 poster
    updated_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    # 0037: no index of its own for risk_level nor jurisdiction_id, which lead two of these (every index is
    # upkeep for each row an import writes: nine of them were most of a 100,000-row commit).
    # 0018: a province's size. Name search by trigram (GIN, pg_trgm) and USCC prefix search under the database's
    # C.UTF-8 collation (text_pattern_ops) on PostgreSQL (plain indexes on SQLite, whose LIKE and range queries
    # use them as they can); a risk-level list pages by (risk_level, id).
    __table_args__ = (
        db.Index("ix_entities_name_trgm", "name", postgresql_using="gin",
                 postgresql_ops={"name": "gin_trgm_ops"}),
        db.Index("ix_entities_uscc_prefix", "uscc",
                 postgresql_ops={"uscc": "text_pattern_ops"}),
        db.Index("ix_entities_risk_level_id", "risk_level", "id"),
        # 0035: every column the eligibility rules read, so that the preview's pass reads this index alone
        # (stages.plans.eligibility; grouped in this order, it aggregates without hashing or sorting)
        db.Index("ix_entities_eligibility", "jurisdiction_id", "category", "status", "risk_level",
                 "annual_report_years", "registered_on"),
    )

    @property
    def report_years(self) -> frozenset[int]:
        return frozenset(int(y) for y in self.annual_report_years.split(",") if y.strip().isdigit())

    def facts(self) -> eligibility.EntityFacts:
        return eligibility.EntityFacts(
            uscc=self.uscc,
            registered_on=self.registered_on,
            annual_report_years=self.report_years,
            status=self.status,
            category=self.category,
            risk=self.risk_level,
        )


class ItemContent:
    """What an 抽查事项 says. The library's item (CheckItem), each version saved of it (CheckItemVersion) and a plan's
    copy (plans' PlanItem) keep the same columns, and `content()` is what goes from one to the next."""

    title: Mapped[str] = mapped_column(db.String(200))
    methods: Mapped[list] = mapped_column(db.JSON, default=list)  # allowed methods, codes of CheckItem.METHODS
    legal_basis: Mapped[str] = mapped_column(db.Text, default="")
    required_qualification: Mapped[str | None] = mapped_column(db.String(64))
    # 抽查事项清单: the national implementation list's code where one exists, how often and how much is drawn.
    national_code: Mapped[str | None] = mapped_column(db.String(64))
    frequency: Mapped[str] = mapped_column(db.String(64), default="", server_default="")  # e.g. 每年一次
    ratio: Mapped[int | None] = mapped_column()  # 抽查比例, whole percent

    def content(self) -> dict:
        return {"title": self.title, "methods": list(self.methods or []), "legal_basis": self.legal_basis or "",
                "required_qualification": self.required_qualification, "national_code": self.national_code,
                "frequency": self.frequency or "", "ratio": self.ratio}


class CheckItem(ItemContent, db.Model):
    """An 抽查事项 of a department's library. Plans copy items into PlanItem, so edits never reach a plan."""

    __tablename__ = "check_items"
    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    department: Mapped["Department"] = relationship("Department")
    points: Mapped[list["CheckPoint"]] = relationship(
        "CheckPoint", order_by="CheckPoint.position", cascade="all, delete-orphan", back_populates="item"
    )

    METHODS = {"document": "书面检查", "onsite": "实地核查", "online": "网络监测", "adopt": "采信其他部门或专业机构结论"}


class CheckItemVersion(ItemContent, db.Model):
    """One version of an 抽查事项 as it was saved (the catalogue's history); plans copy the version they use."""

    __tablename__ = "check_item_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(db.ForeignKey("check_items.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"))
    jurisdiction_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)
    version: Mapped[int] = mapped_column()
    check_points: Mapped[list] = mapped_column(db.JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    saved_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    saved_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    saved_by: Mapped["User | None"] = relationship("User")

    __table_args__ = (db.UniqueConstraint("item_id", "version", name="uq_check_item_versions_item_version"),)


class CheckPoint(db.Model):
    __tablename__ = "check_points"
    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(db.ForeignKey("check_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(db.String(300))

    item: Mapped[CheckItem] = relationship(CheckItem, back_populates="points")


class Conflict(db.Model):
    """A declared conflict of interest (回避) between an inspector and an entity; the inspector draw honours it."""

    __tablename__ = "conflicts"
    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(db.ForeignKey("inspector_profiles.id"), index=True)
    entity_id: Mapped[int] = mapped_column(db.ForeignKey("entities.id"), index=True)
    reason: Mapped[str] = mapped_column(db.String(300))
    declared_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    declared_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    inspector: Mapped["InspectorProfile"] = relationship("InspectorProfile")
    entity: Mapped[Entity] = relationship(Entity)

    __table_args__ = (db.UniqueConstraint("inspector_id", "entity_id", name="uq_conflicts_pair"),)


class InspectorProfile(db.Model):
    """An entry of the 执法检查人员名录库. May exist before its person has an account (roster import)."""

    __tablename__ = "inspector_profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(db.String(64))
    department_id: Mapped[int] = mapped_column(db.ForeignKey("departments.id"))
    certificate_no: Mapped[str] = mapped_column(db.String(64), unique=True)  # 执法证号
    valid_from: Mapped[date | None] = mapped_column()
    valid_to: Mapped[date | None] = mapped_column()
    phone: Mapped[str | None] = mapped_column(db.String(32))
    qualifications: Mapped[list] = mapped_column(db.JSON, default=list)  # e.g. ["卫生监督"]
    is_expert: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(db.String(16), default="active")  # active | on_leave

    user: Mapped[User | None] = relationship(User, back_populates="profile")
    department: Mapped[Department] = relationship(Department)

    STATUS_LABELS = {"active": "在岗", "on_leave": "休假/离岗"}

    def valid_throughout(self, start, end) -> bool:
        return (self.valid_from is None or self.valid_from <= start) and (
            self.valid_to is not None and self.valid_to >= end
        )


class ImportBatch(db.Model):
    """One uploaded spreadsheet. The preview is stored here, so the commit applies exactly what was shown and
    never trusts a file posted again."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(db.String(16))  # entities | inspectors | conflicts
    status: Mapped[str] = mapped_column(db.String(16), default="preview")  # reading | unreadable | mapping | preview | committed | discarded
    filename: Mapped[str] = mapped_column(db.String(200), default="")
    file_sha256: Mapped[str] = mapped_column(db.String(64))  # the bytes, in storage()
    file_format: Mapped[str] = mapped_column(db.String(8), default="")  # XLSX | CSV
    encoding: Mapped[str | None] = mapped_column(db.String(16))
    headers: Mapped[list] = mapped_column(db.JSON, default=list)
    mapping: Mapped[dict] = mapped_column(db.JSON, default=dict)  # header -> field ("" = ignore), the office's answer
    unknown_headers: Mapped[list] = mapped_column(db.JSON, default=list)
    summary: Mapped[dict] = mapped_column(db.JSON, default=dict)  # counts per action, blank lines
    # The preview's summaries over all its rows, kept when it is read (batch_views.summarise); None: not kept yet.
    views: Mapped[dict | None] = mapped_column(db.JSON)
    overrides: Mapped[list] = mapped_column(db.JSON, default=list)  # USCCs accepted despite a failing checksum
    department_id: Mapped[int | None] = mapped_column(db.ForeignKey("departments.id"))  # a department admin's scope
    # The office whose directory the batch updates: rows of entities placed elsewhere are rejected "不属本辖区".
    jurisdiction_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    committed_by_id: Mapped[int | None] = mapped_column(db.ForeignKey("users.id"))
    committed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    created_by: Mapped["User | None"] = relationship("User", foreign_keys=[created_by_id])
    department: Mapped["Department | None"] = relationship("Department")

    KIND_LABELS = {"entities": "检查对象名录", "inspectors": "执法人员名录", "conflicts": "回避关系"}
    STATUS_LABELS = {"reading": "读取中", "unreadable": "无法读取",
                     "mapping": "待对应表头", "preview": "预览（未导入）", "committed": "已导入", "discarded": "已放弃"}


class ImportRow(db.Model):
    """A planned row: what the commit will do with it, or why it is rejected, and the cells as written."""

    __tablename__ = "import_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(db.ForeignKey("import_batches.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(db.String(16))  # create | update | unchanged | rejected
    key: Mapped[str | None] = mapped_column(db.String(120))
    data: Mapped[dict] = mapped_column(db.JSON, default=dict)
    changes: Mapped[dict] = mapped_column(db.JSON, default=dict)
    reasons: Mapped[str] = mapped_column(db.Text, default="")
    raw: Mapped[list] = mapped_column(db.JSON, default=list)
    overridable: Mapped[bool] = mapped_column(default=False)
    # A row rejected as "不属本辖区": the jurisdiction it belongs to, whose office sees and downloads it.
    jurisdiction_id: Mapped[int | None] = mapped_column(db.ForeignKey("jurisdictions.id"))

    batch: Mapped[ImportBatch] = relationship(ImportBatch)

    __table_args__ = (db.Index("ix_import_rows_batch_action_line", "batch_id", "action", "line"),
                      db.Index("ix_import_rows_batch_line", "batch_id", "line"),  # all of a batch's rows (0033)
                      # the few rows with one (0037: partial, no entry for the others)
                      db.Index("ix_import_rows_jurisdiction_id", "jurisdiction_id",
                               postgresql_where=text("jurisdiction_id IS NOT NULL"),
                               sqlite_where=text("jurisdiction_id IS NOT NULL")))
