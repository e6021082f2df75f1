"""evote-witness: an independent witness of bulletin-board checkpoints (C2SP tlog-witness, cosignature/v1).

A witness keeps, per log origin, the latest checkpoint it verified and cosigns a newer one only when a
consistency proof shows it extends the old one. ``service.py`` runs the pure decision of
``bulletin_board.log_format.witness_protocol.decide`` inside one database transaction; ``app.py`` is the HTTP
face (``gunicorn 'witness.app:create_app()'``), ``follow.py`` the pull mode and ``cli.py`` the command line.
docs/witnesses.md says what a cosignature promises and how to run a witness.

This package imports only the log library (``bulletin_board.log_format``), never the board's server,
storage or web layers, nor ``voting`` (the import-linter contract "Witness" in ``.importlinter``).
"""

__all__: list[str] = []
