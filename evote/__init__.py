"""evote's composition root: the one place that wires the bulletin board, the voters' booth and the demo
into one web application (:mod:`evote.app`) and one command line (:mod:`evote.cli`, the ``evote`` command).

Nothing else imports this package, and only this package imports the booth (docs/architecture.md; checked by
import-linter): the board knows nothing of the booth, the booth knows the board only through its HTTP API.
"""
