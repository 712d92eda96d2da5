"""The command line, run as a user runs it."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "lstm_course", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_verify_proves_the_catalogue():
    out = run("verify")
    assert out.returncode == 0, out.stderr
    assert "NO " not in out.stdout and "proved in" in out.stdout
    assert "dJ/dC_t (clubbed)" in out.stdout


def test_train_then_sample(tmp_path):
    ck = tmp_path / "m.npz"
    out = run("train", "--text", "soliloquy", "--steps", "6", "--eval-every", "3",
              "--hidden-size", "16", "--seq-len", "20", "--batch-size", "4",
              "--checkpoint", str(ck))
    assert out.returncode == 0, out.stderr
    assert "bits/char" in out.stdout and ck.is_file()
    assert "training" in out.stderr                       # the tqdm bar
    out = run("sample", "--checkpoint", str(ck), "--prime", "To be", "--length", "30")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("To be") and len(out.stdout.rstrip("\n")) >= 35


@pytest.mark.parametrize("args,message", [
    (("--prime", "Zé"), "prime has characters outside the vocabulary"),
    (("--temperature", "0"), "temperature must be a positive, finite number"),
    (("--temperature", "-1"), "temperature must be a positive, finite number"),
    (("--temperature", "nan"), "temperature must be a positive, finite number"),
    (("--temperature", "inf"), "temperature must be a positive, finite number"),
    (("--length", "0"), "length must be a positive integer"),
    (("--seed", "-1"), "--seed must be a non-negative integer, got -1"),
])
def test_sample_rejects_bad_arguments(tmp_path, args, message):
    ck = tmp_path / "m.npz"
    assert run("train", "--text", "soliloquy", "--steps", "2", "--eval-every", "2",
               "--hidden-size", "8", "--seq-len", "10", "--batch-size", "2",
               "--checkpoint", str(ck)).returncode == 0
    out = run("sample", "--checkpoint", str(ck), *args)
    assert out.returncode == 2 and message in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_sample_without_a_checkpoint_says_so(tmp_path):
    out = run("sample", "--checkpoint", str(tmp_path / "none.npz"))
    assert out.returncode == 2 and "does not exist" in out.stderr


SMALL = ("--text", "soliloquy", "--hidden-size", "8", "--seq-len", "10", "--batch-size", "2",
         "--steps", "2", "--eval-every", "2")


@pytest.mark.parametrize("args,message", [
    (("--learning-rate", "0"), "--learning-rate must be a positive, finite number, got 0.0"),
    (("--learning-rate", "inf"), "--learning-rate must be a positive, finite number, got inf"),
    (("--learning-rate", "nan"), "--learning-rate must be a positive, finite number, got nan"),
    (("--clip-norm", "-1"), "--clip-norm must be a finite number >= 0"),
    (("--seed", "-1"), "--seed must be a non-negative integer, got -1"),
    (("--max-minutes", "0"), "--max-minutes must be a positive, finite number, got 0.0"),
    (("--max-minutes", "nan"), "--max-minutes must be a positive, finite number, got nan"),
    (("--max-minutes", "-2"), "--max-minutes must be a positive, finite number"),
    (("--hidden-size", "0"), "--hidden-size must be a positive integer, got 0"),
    (("--steps", "0"), "--steps must be a positive integer, got 0"),
    (("--eval-every", "-5"), "--eval-every must be a positive integer, got -5"),
    (("--resume", "--force"), "--resume and --force exclude each other"),
    (("--threads", "0"), "argument --threads: expected a positive integer, got 0"),
])
def test_train_rejects_bad_options_before_training(tmp_path, args, message):
    out = run("train", *SMALL, "--checkpoint", str(tmp_path / "x.npz"), *args)
    assert out.returncode == 2 and message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and "training" not in out.stderr   # no step was run
    assert not (tmp_path / "x.npz").exists()


@pytest.mark.parametrize("where,message", [
    ("", "checkpoint must be a file path such as checkpoints/hamlet.npz, got ''"),
    ("{tmp}", "is a folder; give a file path such as"),
    ("{tmp}/a_file/x.npz", "a_file is a file, not a folder"),
])
def test_train_checks_the_checkpoint_path_before_the_first_step(tmp_path, where, message):
    (tmp_path / "a_file").write_text("x")
    out = run("train", *SMALL, "--checkpoint", where.format(tmp=tmp_path))
    assert out.returncode == 2 and message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and "training" not in out.stderr


def test_train_never_replaces_a_checkpoint_unless_asked(tmp_path):
    shipped = ROOT / "models" / "hamlet.npz"
    ck = tmp_path / "hamlet.npz"
    ck.write_bytes(shipped.read_bytes())                 # a copy of the shipped model
    out = run("train", *SMALL, "--checkpoint", str(ck))
    assert out.returncode == 2 and ck.read_bytes() == shipped.read_bytes()
    assert out.stderr.strip() == (f"error: checkpoint {ck} already exists: add --resume to "
                                  f"continue training it, or --force to replace it (or choose "
                                  f"another --checkpoint)")
    out = run("train", *SMALL, "--checkpoint", str(ck), "--force")
    assert out.returncode == 0, out.stderr
    assert ck.read_bytes() != shipped.read_bytes()


def test_the_shipped_model_cannot_be_replaced_by_a_command_the_course_shows():
    shown = (ROOT / "README.md").read_text() + (ROOT / "Makefile").read_text()
    shown += "".join("".join(c["source"]) for nb in sorted((ROOT / "notebooks").glob("*.ipynb"))
                     for c in json.loads(nb.read_text())["cells"])
    commands = re.findall(r"lstm_course train[^\n`]*", shown)
    assert commands, "the course shows no training command"
    for command in commands:
        if "models/" in command:
            assert "--force" not in command and "--resume" not in command, command


@pytest.mark.parametrize("name", ["array.npy", "list.npz", "novocab.npz", "unknownkey.npz",
                                  "int32.npz", "nan.npz", "mislabelled.npz", "fewrows.npz",
                                  "trunc.npz"])
@pytest.mark.parametrize("command", ["sample", "train --resume"])
def test_a_bad_checkpoint_is_one_line_not_a_traceback(tmp_path, rng, name, command):
    from test_checkpoint import _bad_files
    import numpy as np
    from lstm_course.hamlet import data, model as charmodel
    from lstm_course.hamlet.config import TrainConfig
    vocab = data.Vocabulary.from_text("to be, or not to be: that is the question. ")
    params = charmodel.init_model(len(vocab), 8, rng=rng, dtype=np.float64)
    path, message = _bad_files(tmp_path, vocab, params,
                               TrainConfig(hidden_size=8, dtype="float64"))[name]
    before = path.read_bytes()
    out = run(*command.split(), "--checkpoint", str(path), *(SMALL if "train" in command else ()))
    assert out.returncode == 2, out.stderr
    assert re.search(message, out.stderr) and str(path) in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert path.read_bytes() == before


def test_every_option_says_what_it_means():
    for command in ("train", "sample", "verify", "course"):
        out = run(command, "--help")
        assert out.returncode == 0
        options = re.findall(r"^  (--[a-z-]+)(.*)$", out.stdout, flags=re.M)
        assert options
        for name, rest in options:
            # the help follows on the same line or the next, indented
            block = out.stdout.split(name, 1)[1].split("\n  --", 1)[0]
            assert len(block.split()) >= 3, f"{command} {name} has no help"
    train_help = run("train", "--help").stdout
    for default in ("(default: 128; 256 with --text canon)", "(default: 0.002)",
                    "(default: 1; 2 with --text canon)",
                    "default: 0, no dropout; 0.2 with --text canon)",
                    "(default: checkpoints/hamlet.npz)",
                    "(default: no limit)", "(default: 1)"):
        assert default in " ".join(train_help.split()), default
