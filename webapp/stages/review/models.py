"""Review of the 一企一表: decisions (approve / return with a comment), the team's amendments (补充说明) that answer
a return, and inspectors' feedback on a campaign (信息反馈). Signed findings are never edited: all of this sits beside them."""
from webapp.core.clock import utcnow
from webapp.core.extensions import db


class ReviewEvent(db.Model):
    """A reviewer's decision on a record: `approve`, or `return` with a comment the team sees on its phones."""

    __tablename__ = "review_events"
    id = db.Column(db.Integer, primary_key=True)
    record_id = db.Column(
        db.Integer, db.ForeignKey("inspection_records.id", ondelete="CASCADE"), nullable=False, index=True
    )
    action = db.Column(db.String(16), nullable=False)  # approve | return
    comment = db.Column(db.Text, nullable=False, default="")
    by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    record = db.relationship("InspectionRecord")
    by = db.relationship("User")

    ACTION_LABELS = {"approve": "审核通过", "return": "退回"}


class Amendment(db.Model):
    """The team's 补充说明 to a returned record; `client_id` makes a replay from the phone harmless."""

    __tablename__ = "amendments"
    id = db.Column(db.Integer, primary_key=True)
    record_id = db.Column(
        db.Integer, db.ForeignKey("inspection_records.id", ondelete="CASCADE"), nullable=False, index=True
    )
    text = db.Column(db.Text, nullable=False)
    client_id = db.Column(db.String(64), nullable=False, unique=True)
    by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    record = db.relationship("InspectionRecord")
    by = db.relationship("User")


class Feedback(db.Model):
    """信息反馈: an inspector's highlights, lessons and problems of a plan's campaign, for the bureau."""

    __tablename__ = "feedback"
    id = db.Column(db.Integer, primary_key=True)
    plan_id = db.Column(db.Integer, db.ForeignKey("plans.id", ondelete="CASCADE"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    highlights = db.Column(db.Text, nullable=False, default="")
    lessons = db.Column(db.Text, nullable=False, default="")
    problems = db.Column(db.Text, nullable=False, default="")
    at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    plan = db.relationship("Plan")
    user = db.relationship("User")
