"""Conversions between numpy arrays and what the search tables store per block.

Bitmaps are bit(BLOCK) with bit 0 (the leftmost) for the block's first document; they are
written as '0'/'1' text, sent to queries as hex and read back as varbit_send's bytes.
Positions are uint16 little-endian bytes; field lengths Whoosh's one-byte code.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from kbm_map.search.pg.schema import BLOCK

_ZERO, _ONE = ord("0"), ord("1")
BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


def bits_text(positions: Sequence[int] | np.ndarray) -> str:
    """Return the bit string of a block with the bits at these positions set."""
    bits = np.full(BLOCK, _ZERO, dtype=np.uint8)
    bits[np.asarray(positions, dtype=np.int64)] = _ONE
    return bits.tobytes().decode("ascii")


def split_mask(mask: np.ndarray) -> tuple[list[int], list[str]]:
    """Return the blocks with any document in a mask over seqs, and their bits in hex."""
    padded = np.zeros(-(-len(mask) // BLOCK) * BLOCK, dtype=bool)
    padded[: len(mask)] = mask
    per_block = padded.reshape(-1, BLOCK)
    blocks = np.flatnonzero(per_block.any(axis=1))
    return blocks.tolist(), [np.packbits(per_block[b]).tobytes().hex() for b in blocks]


def join_masks(rows: Iterable[tuple[int, bytes]], count: int) -> np.ndarray:
    """Return a mask over count seqs from (block, raw bits as varbit_send writes) rows."""
    mask = np.zeros(-(-count // BLOCK) * BLOCK or BLOCK, dtype=bool)
    for block, raw in rows:
        if (block + 1) * BLOCK > len(mask):
            mask = np.concatenate((mask, np.zeros((block + 1) * BLOCK - len(mask), dtype=bool)))
        mask[block * BLOCK : (block + 1) * BLOCK] = np.unpackbits(np.frombuffer(raw, np.uint8))
    return mask[:count]


def positions_bytes(positions: array) -> bytes:
    """Return positions in a block (an array("H")) as stored: uint16 little-endian."""
    return np.frombuffer(positions, dtype=np.uint16).astype("<u2").tobytes()


def decode_positions(block: int, docs: bytes) -> np.ndarray:
    """Return the seqs of a postings row."""
    return np.frombuffer(docs, dtype="<u2").astype(np.int64) + block * BLOCK


def lengths_bytes(lengths: Iterable[int]) -> bytes:
    """Return field lengths in Whoosh's one-byte code."""
    return bytes(length_to_byte(n) if n else 0 for n in lengths)


def decode_lengths(rows: Iterable[tuple[int, bytes]], count: int, fields: int) -> list[np.ndarray]:
    """Return one float array per field over count seqs from (block, lengths) rows."""
    codes = np.zeros((fields, -(-count // BLOCK) * BLOCK or BLOCK), dtype=np.uint8)
    for block, raw in rows:
        if (block + 1) * BLOCK > codes.shape[1]:
            codes = np.pad(codes, ((0, 0), (0, (block + 1) * BLOCK - codes.shape[1])))
        part = np.frombuffer(raw, dtype=np.uint8).reshape(fields, BLOCK)
        codes[:, block * BLOCK : (block + 1) * BLOCK] = part
    return [BYTE_TO_LENGTH[row[:count]] for row in codes]


def by_block(seqs: Iterable[int]) -> Iterator[tuple[int, list[int]]]:
    """Yield (block, positions in it) of ascending seqs."""
    current, positions = None, []
    for seq in seqs:
        block, position = divmod(seq, BLOCK)
        if block != current:
            if positions:
                yield current, positions
            current, positions = block, []
        positions.append(position)
    if positions:
        yield current, positions
