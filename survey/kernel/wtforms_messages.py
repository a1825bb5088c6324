"""WTForms' own messages in the page's language.

WTForms ships no Danish catalogue, so Flask-WTF's i18n showed "Field cannot be longer than 60 characters." on a
Danish page. Each built-in message (wtforms/locale/wtforms.pot) is given here as Danish source text through our
own catalogue; BaseForm.Meta hands WTForms this object instead of Flask-WTF's."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

#: WTForms' English message id -> our Danish text (translated to English by our catalogue)
BUILT_IN = {
    "Invalid field name '%s'.": _l("Ugyldigt feltnavn '%s'."),
    "Field must be equal to %(other_name)s.": _l("Feltet skal være det samme som %(other_name)s."),
    "Field must be at least %(min)d character long.": _l("Skriv mindst %(min)d tegn."),
    "Field cannot be longer than %(max)d character.": _l("Skriv højst %(max)d tegn."),
    "Field must be exactly %(max)d character long.": _l("Skriv præcis %(max)d tegn."),
    "Field must be between %(min)d and %(max)d characters long.": _l("Skriv mellem %(min)d og %(max)d tegn."),
    "Number must be at least %(min)s.": _l("Tallet skal være mindst %(min)s."),
    "Number must be at most %(max)s.": _l("Tallet må højst være %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Tallet skal være mellem %(min)s og %(max)s."),
    "Date must be at least %(min)s.": _l("Datoen skal være %(min)s eller senere."),
    "Date must be at most %(max)s.": _l("Datoen skal være %(max)s eller før."),
    "Date must be between %(min)s and %(max)s.": _l("Datoen skal være mellem %(min)s og %(max)s."),
    "This field is required.": _l("Udfyld feltet."),
    "Invalid input.": _l("Tjek det, du har skrevet."),
    "Invalid email address.": _l("Skriv en gyldig e-mailadresse, fx navn@eksempel.dk"),
    "Invalid IP address.": _l("Skriv en gyldig adresse."),
    "Invalid Mac address.": _l("Skriv en gyldig adresse."),
    "Invalid URL.": _l("Skriv en gyldig webadresse."),
    "Invalid UUID.": _l("Tjek det, du har skrevet."),
    "Invalid value, must be one of: %(values)s.": _l("Vælg en af disse: %(values)s."),
    "Invalid value, can't be any of: %(values)s.": _l("Du kan ikke vælge: %(values)s."),
    "This field cannot be edited.": _l("Feltet kan ikke ændres."),
    "This field is disabled and cannot have a value.": _l("Feltet kan ikke udfyldes."),
    "Invalid CSRF Token.": _l("Siden har været åben for længe. Tjek dine svar, og send siden igen"),
    "CSRF token missing.": _l("Siden har været åben for længe. Tjek dine svar, og send siden igen"),
    "CSRF failed.": _l("Siden har været åben for længe. Tjek dine svar, og send siden igen"),
    "CSRF token expired.": _l("Siden har været åben for længe. Tjek dine svar, og send siden igen"),
    "Invalid Choice: could not coerce.": _l("Vælg et af svarene."),
    "Choices cannot be None.": _l("Vælg et af svarene."),
    "Not a valid choice.": _l("Vælg et af svarene."),
    "Invalid choice(s): one or more data inputs could not be coerced.": _l("Vælg blandt de viste svar."),
    "'%(value)s' is not a valid choice for this field.": _l("'%(value)s' kan ikke vælges her."),
    "Not a valid datetime value.": _l("Skriv en gyldig dato og et gyldigt klokkeslæt."),
    "Not a valid date value.": _l("Skriv en gyldig dato, fx 31.12.2026."),
    "Not a valid time value.": _l("Skriv et gyldigt klokkeslæt, fx 14.30."),
    "Not a valid week value.": _l("Skriv en gyldig uge."),
    "Not a valid integer value.": _l("Skriv et helt tal."),
    "Not a valid decimal value.": _l("Skriv et tal."),
    "Not a valid float value.": _l("Skriv et tal."),
}


class Translations:
    """What WTForms calls for its messages (gettext, ngettext): our text in the current language.

    A message WTForms adds later and we have not written yet is shown as "Tjek det, du har skrevet.", never in
    English on a Danish page (tests/kernel/test_wtforms_messages.py lists the messages of the installed WTForms)."""

    def gettext(self, string: str) -> str:
        return str(BUILT_IN.get(string, BUILT_IN["Invalid input."]))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        # Danish "tegn" has one form: one text serves both numbers
        return self.gettext(singular)


translations = Translations()
