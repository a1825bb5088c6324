"""What the fault tests read on a page: the "prøv igen" message at the top and the values left in the fields."""

from __future__ import annotations

from tests.pages import csrf_token, error_summary, title

PAGE_MESSAGE = "Vi kunne ikke gemme dine svar lige nu. Dine svar står stadig i felterne. Prøv igen om lidt."
SUBMIT_MESSAGE = "Vi kunne ikke sende dine svar lige nu."
#: what the citizen types on the page with the free-text question ("egne-ord", page 5 of Syddjurs)
TYPED = {"kommentar": "Sagsbehandleren ringede tilbage – hver gang. Tak!", "maa-citere": "yes"}


def assert_try_again(response, message: str) -> None:
    """The page the citizen was on, again: HTTP 503, "Fejl: " title, the message first in the error summary,
    and the summary before the page's heading (at the top)."""
    assert response.status_code == 503, response.get_data(as_text=True)[:3000]
    assert title(response).startswith("Fejl: ")
    summary = error_summary(response)
    assert len(summary) == 1 and summary[0][1].startswith(message), summary
    target = summary[0][0].lstrip("#")
    assert response.doc.find(f".//*[@id='{target}']") is not None, "the summary links to something on the page"
    main = response.doc.find(".//main")
    order = [el.get("role") or el.tag for el in main.iter() if el.get("role") == "alert" or el.tag == "h1"]
    assert order[:2] == ["alert", "h1"], order


def textarea_text(response, name: str) -> str:
    return response.doc.find(f".//textarea[@name='{name}']").text or ""


def checked_radio(response, name: str) -> str | None:
    checked = [
        i.get("value") for i in response.doc.iter("input") if i.get("name") == name and i.get("checked") is not None
    ]
    return checked[0] if len(checked) == 1 else None


def submit_form(review) -> dict[str, str]:
    """The review page's "Send svar" form as the browser posts it: its CSRF token and the submission id."""
    submission_id = review.doc.find(".//input[@name='submission_id']").get("value")
    return {"csrf_token": csrf_token(review), "submission_id": submission_id}
