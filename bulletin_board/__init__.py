"""The public bulletin board: an append-only, hash-chained, Merkle-checkpointed election log.

Safe entry points are gathered here; the modules behind them are short and each has one concern
(see docs/board.md). Importing this package does not import Flask: the web application lives in
``bulletin_board.app`` and the command line in ``bulletin_board.cli``.
"""

from .canonical import canonicalize, parse_json_object
from .chain import ChainHead, verify_chain
from .checkpoint import Checkpoint, SignedCheckpoint, election_origin, verify_checkpoint
from .client_checks import check_entry_included, check_log_extends
from .entry import Entry, compute_entry_hash, genesis_hash
from .errors import (
                     BadSignature,
                     BoardError,
                     CanonicalJsonError,
                     ChainBroken,
                     CheckpointMismatch,
                     ElectionExists,
                     InconsistentLog,
                     InvalidInput,
                     MalformedNote,
                     NodeStoreError,
                     OutOfRange,
                     ProofError,
                     RecordError,
                     RootMismatch,
                     UnknownElection,
                     UnknownKey,
                     VerificationError,
)
from .keys import load_board_key, load_or_create_board_key
from .log import BoardLog
from .log_types import AppendContext, AppendResult, ConsistencyProof, ElectionInfo, InclusionProof, ReturnExisting
from .merkle_hash import leaf_hash
from .merkle_verify import verify_consistency, verify_inclusion
from .note import NoteSigner, NoteVerifier
from .record_export import export_from_board, export_from_log
from .record_verify import RecordSummary, verify_exported_record
from .storage import make_engine, migrate

__all__ = [
    "BoardLog", "AppendContext", "AppendResult", "ReturnExisting", "ElectionInfo", "InclusionProof",
    "ConsistencyProof", "Entry", "ChainHead", "Checkpoint", "SignedCheckpoint", "NoteSigner", "NoteVerifier",
    "RecordSummary",
    "canonicalize", "parse_json_object", "genesis_hash", "compute_entry_hash", "leaf_hash", "election_origin",
    "verify_chain", "verify_inclusion", "verify_consistency", "verify_checkpoint", "check_entry_included",
    "check_log_extends", "export_from_log", "export_from_board", "verify_exported_record",
    "make_engine", "migrate", "load_board_key", "load_or_create_board_key",
    "BoardError", "InvalidInput", "CanonicalJsonError", "UnknownElection", "ElectionExists", "OutOfRange",
    "VerificationError", "ChainBroken", "ProofError", "RootMismatch", "MalformedNote", "UnknownKey", "BadSignature",
    "InconsistentLog", "CheckpointMismatch", "NodeStoreError", "RecordError",
]
