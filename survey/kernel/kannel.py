"""Kannel's HTTP `sendsms` interface: the SMS gateway the municipality's provider runs (or Kannel itself in front of
an operator's SMPP). One GET per message; Kannel answers 202 when it has queued it. The delivery reports come back
to `dlr-url` (survey.kernel.sms_reports), signed per message so that only the gateway can report."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app

from survey.kernel.sms import OutgoingSms, PermanentFailure, TemporaryFailure, UnknownOutcome, report_signature
from survey.kernel.sms_text import UCS2

#: every report: delivered, failed, buffered, taken by the SMSC, refused by the SMSC
DLR_MASK = 1 | 2 | 4 | 8 | 16
#: Kannel's coding parameter: 0 GSM-7, 2 UCS-2
CODING = {"gsm7": 0, UCS2: 2}


@dataclass(frozen=True)
class KannelBackend:
    url: str
    user: str
    password: str
    sender: str
    report_base: str
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping) -> KannelBackend:
        return cls(
            url=config["SMS_KANNEL_URL"],
            user=config["SMS_KANNEL_USER"],
            password=config["SMS_KANNEL_PASSWORD"],
            sender=config["SMS_SENDER"],
            report_base=(config["SMS_REPORT_BASE_URL"] or config["PUBLIC_BASE_URL"]).rstrip("/"),
            timeout=float(config["SMS_KANNEL_TIMEOUT"]),
        )

    def report_url(self, message_id: int) -> str:
        """The message's dlr-url. Built without a request (`flask sms send` runs in none); Kannel puts the report
        type in place of %d (the signature is hex: no % of its own)."""
        adapter = current_app.url_map.bind("localhost")
        path = adapter.build("sms_reports.report", {"message_id": message_id, "sig": report_signature(message_id)})
        return f"{self.report_base}{path}&type=%d"

    def send(self, sms: OutgoingSms) -> None:
        """One GET. Kannel answers 202 ("0: Accepted for delivery", "3: Queued for later delivery") when it has
        the message; 400 for a number its black/white list refuses or a bad parameter, 403 for a wrong login:
        never retried. No connection or any other status: the gateway did not take it, retried. No answer after
        the request went out: it may have, never retried. The password is in no error text."""
        query = {
            "username": self.user,
            "password": self.password,
            "from": self.sender,
            "to": sms.to,
            "text": sms.text,
            "charset": "UTF-8",
            "coding": CODING[sms.encoding],
            "dlr-mask": DLR_MASK,
            "dlr-url": self.report_url(sms.id),
        }
        try:
            with urllib.request.urlopen(f"{self.url}?{urlencode(query)}", timeout=self.timeout) as answer:
                status, text = answer.status, answer.read(500).decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read(500).decode("utf-8", "replace")
        except urllib.error.URLError as error:  # refused, unreachable: the request did not go out
            raise TemporaryFailure(f"SMS-gatewayen svarer ikke ({error.reason})") from error
        except (OSError, http.client.HTTPException) as error:  # the request went out, the answer did not come
            raise UnknownOutcome(f"SMS-gatewayen svarede ikke på afsendelsen ({type(error).__name__})") from error
        if status in (200, 202):
            return
        if status in (400, 403):
            raise PermanentFailure(f"SMS-gatewayen afviste beskeden ({status}: {text.strip()[:120]})")
        raise TemporaryFailure(f"SMS-gatewayen svarede {status}: {text.strip()[:120]}")
