"""evote-registrar: the credential authority's own tool (issue 17; docs/guide-registrar.md).

The registrar is not the administrator and works on a machine of its own: it reads the voter roll, gives
each voter a fresh credential, prints and e-mails the voting cards, publishes the public list (public key,
style and weight per credential) with a commitment to the roll, and erases the private credentials once
they are delivered. This package imports the voting core, the record's parsers and the log library only
(the import-linter contract ``registrar`` in .importlinter); importing it loads neither fpdf2 nor smtplib.

Modules: ``vault`` (passphrase-sealed files), ``roll`` (the registrar's roll), ``issuing`` (credentials,
public list, roll commitment), ``texts`` (the cards' and e-mails' words in ten languages), ``cards`` (the PDF),
``delivery_log`` and ``mail`` (e-mail delivery, at most once), ``erase``, ``publish`` (the board seam), ``cli``.
"""
