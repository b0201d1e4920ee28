"""In-app notifications of the calling user: reminders, due notices and escalations."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..services.notifications import list_notifications, mark_read
from .identity import current_actor, service_context
from .schemas import ApiErrorSchema

blp = Blueprint("notifications", __name__, url_prefix="/api/notifications", description="Notifications")


class EmailStateSchema(Schema):
    status = fields.String(metadata={"description": "pending, sent or failed (after all retries)"})
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    sent_at = fields.DateTime(allow_none=True)


class NotificationSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "reminder, due or escalation"})
    case_id = fields.Integer()
    task_id = fields.Integer(allow_none=True)
    title = fields.String()
    body = fields.String()
    link = fields.String()
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    email = fields.Nested(EmailStateSchema, allow_none=True)


class NotificationListSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Integer()


class NotificationQueryArgs(Schema):
    unread = fields.Boolean(load_default=False)


@blp.route("")
class Notifications(MethodView):
    @blp.arguments(NotificationQueryArgs, location="query")
    @blp.response(200, NotificationListSchema)
    @blp.alt_response(401, schema=ApiErrorSchema)
    def get(self, args):  # type: ignore[no-untyped-def]
        """Your notifications, newest first (`unread=true` for the unread ones only)."""
        return list_notifications(service_context(), current_actor(), unread_only=args["unread"])


@blp.route("/<int:notification_id>/read")
class MarkRead(MethodView):
    @blp.response(200, NotificationSchema)
    @blp.alt_response(403, schema=ApiErrorSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, notification_id: int):  # type: ignore[no-untyped-def]
        """Mark one of your notifications as read."""
        return mark_read(service_context(), current_actor(), notification_id)
