"""A citizen walking a survey through the test client, the way a phone does: GET a page, POST it with its token."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.pages import csrf_token

# A complete set of Syddjurs answers: job help (focus area 1), mostly positive, one "Ved ikke".
SYDDJURS_ANSWERS = {
    "din-sag": {"hjaelp": "job"},
    # the job route's own block (show_if hjaelp: job, andet; tilfreds-job only for job)
    "sagen": {"forstaar-afgoerelser": "dont_know", "svar-til-tiden": "2", "tilfreds-job": "1"},
    "overblik": {"ved-hvad-der-sker": "4", "ved-hvem-kontakte": "5"},
    "moedet": {"inddraget": "3", "tilfreds-respekt": "5", "tilfreds-lyttet": "4"},
    "hjaelpen": {"tilfreds-hjaelp": "4", "tilfreds-hverdag": "3"},
    "egne-ord": {"kommentar": "Sagsbehandleren ringede altid tilbage.", "maa-citere": "yes"},
    "om-dig": {"alder": "30-49", "hvem-svarer": "mig-selv"},
}


def path_of(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Citizen:
    def __init__(self, client, round_slug: str):
        self.client = client
        self.round_slug = round_slug
        self.page_url: str | None = None

    def start(self, code: str | None = None):
        page = self.client.get(f"/s/{self.round_slug}/")
        assert page.status_code == 200
        data = {"csrf_token": csrf_token(page)}
        if code is not None:
            data["code"] = code
        response = self.client.post(f"/s/{self.round_slug}/", data=data)
        if response.status_code == 302:
            self.page_url = path_of(response.location)
        return response

    @property
    def token(self) -> str:
        return self.page_url.split("/svar/")[1].split("/")[0]

    def post_page(self, url: str, answers: dict, extra: dict | None = None):
        page = self.client.get(url)
        return self.client.post(url, data={"csrf_token": csrf_token(page), **answers, **(extra or {})})

    def answer_all(self, answers_by_page: dict = SYDDJURS_ANSWERS):
        """Answer every page in order; returns the review URL."""
        url = self.page_url
        for answers in answers_by_page.values():
            response = self.post_page(url, answers)
            assert response.status_code == 302, response.get_data(as_text=True)[:2000]
            url = path_of(response.location)
        assert url.endswith("/tjek")
        return url

    def submit(self, review_url: str):
        review = self.client.get(review_url)
        form = {
            "csrf_token": csrf_token(review),
            "submission_id": review.doc.find(".//input[@name='submission_id']").get("value"),
        }
        return self.client.post(review_url, data=form), form
