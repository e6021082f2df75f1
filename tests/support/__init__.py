"""What the tests share: worlds that run elections (board_world, evote_world, booth_board), real processes
(processes), record editors (evote_tools, egk_writer), literal reference checkers (chain_reference), Hypothesis
strategies and the test environment (environment: CI, ../shared, optional modules). Imported as ``support.X``
(pytest puts tests/ on the path, pyproject.toml ``pythonpath``); nothing here is a test.
"""
