"""isek's own date formats per UI language (FORMAT_MODULE_PATH): one way of writing a date in each
language, written out in the UI's words – German "1. Dezember 2026" (Django's), English
"1 December 2026" instead of Django's American "Dec. 1, 2026" next to German-style "1.12.2026"."""
