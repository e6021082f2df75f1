"""evote's election record: the payload of every board entry kind (docs/record-format.md §8).

Each module pairs builders (used by the admin, trustees and voters) with parsers that validate a payload
from outside and name the field at fault. The board, the trustee tools and the verifier all go through
these parsers, so a value means the same thing everywhere.
"""
