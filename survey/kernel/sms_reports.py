"""The endpoint Kannel calls with delivery reports (dlr-url). Each message's URL carries its own signature
(survey.kernel.sms.report_signature), checked in constant time: nobody but the gateway that got the message can
change its status."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from survey.kernel.sms import record_report, report_signature_valid

bp = Blueprint("sms_reports", __name__)


@bp.get("/sms/rapport/<int:message_id>")
def report(message_id: int):
    signature = request.args.get("sig", "")
    kind = request.args.get("type", "")
    if not report_signature_valid(message_id, signature):
        abort(403)
    if not kind.isascii() or not kind.isdigit() or len(kind) > 3:
        abort(400)
    if not record_report(message_id, int(kind)):
        abort(404)
    return Response(status=204, mimetype="text/plain")
