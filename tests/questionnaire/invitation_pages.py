"""A round's invitation list pages, e-mail (…/e-mail, field 'addresses') or SMS (…/sms, field 'numbers'), as the
tests of both drive them: paste or upload a list, and confirm what the check found."""

from __future__ import annotations

import io
from dataclasses import dataclass

from tests.pages import csrf_token


@dataclass(frozen=True)
class ListPages:
    #: the last part of the page's address
    part: str
    #: the name of the list's field
    field: str

    def url(self, slug: str, tail: str = "") -> str:
        return f"/personale/runder/{slug}/{self.part}{tail}"

    def check(self, client, slug: str, text: str = "", file: tuple[bytes, str] | None = None):
        page = client.get(self.url(slug))
        data = {"csrf_token": csrf_token(page), self.field: text}
        if file is not None:
            data["list_file"] = (io.BytesIO(file[0]), file[1])
        return client.post(self.url(slug), data=data, content_type="multipart/form-data")

    def confirm(self, client, slug: str, text: str):
        checked = self.check(client, slug, text)
        assert checked.status_code == 200, checked.get_data(as_text=True)[:3000]
        hidden = {el.get("name"): el.get("value") for el in checked.doc.iter("input") if el.get("type") == "hidden"}
        return client.post(self.url(slug, "/bekraeft"), data=hidden)


EMAIL_PAGES = ListPages("e-mail", "addresses")
SMS_PAGES = ListPages("sms", "numbers")
