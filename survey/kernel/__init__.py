"""The kernel: what every capability may use and what uses no capability.

Nothing here imports from a capability (policies, questionnaire, meetings, results, privacy, staff); `make lint`
checks that with import-linter. A newcomer finds:

- app plumbing: `config` (settings, ROOT), `extensions` (db, babel, csrf, login), `database` (SQLite pragmas),
  `security` (headers, cookies, same-origin check), `ratelimits` (the limits capabilities declare), `errors`
  (error pages, form_again), `health` (/healthz probe), `converters` (URL ids);
- time: `clock` (the one clock, UTC↔Danish time);
- text and language: `i18n` (locale, dates, meeting time spans, numbers), `translations` (per-request catalogue),
  `i18n_cli` (`flask translate`);
- forms: `forms` (BaseForm, HoneypotForm, MaxLength), `fields` (dates, choices, check boxes), `parsers`
  (phone numbers, e-mail addresses);
- output: `rendering` (form pages), `tables` (CSV/XLSX), `urls` (public addresses), `outbox` (every message
  to a person, sent after commit by the channel that reaches them), `mail` (the e-mail channel);
- data files: `datafiles` (YAML with line numbers, loaded in one transaction);
- `codes` (keyed hashes of codes and tokens), `roles` (who may do what).
"""
