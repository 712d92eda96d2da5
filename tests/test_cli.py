"""The command line, run as a user runs it."""
import subprocess
import sys

import pytest


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
    (("--temperature", "0"), "temperature must be a positive number"),
    (("--temperature", "-1"), "temperature must be a positive number"),
    (("--length", "0"), "length must be a positive integer"),
])
def test_sample_rejects_bad_arguments(tmp_path, args, message):
    ck = tmp_path / "m.npz"
    assert run("train", "--text", "soliloquy", "--steps", "2", "--eval-every", "2",
               "--hidden-size", "8", "--seq-len", "10", "--batch-size", "2",
               "--checkpoint", str(ck)).returncode == 0
    out = run("sample", "--checkpoint", str(ck), *args)
    assert out.returncode == 2 and message in out.stderr


def test_sample_without_a_checkpoint_says_so(tmp_path):
    out = run("sample", "--checkpoint", str(tmp_path / "none.npz"))
    assert out.returncode == 2 and "does not exist" in out.stderr


def test_train_rejects_bad_hyper_parameters(tmp_path):
    out = run("train", "--learning-rate", "0", "--checkpoint", str(tmp_path / "x.npz"))
    assert out.returncode == 2 and "learning_rate must be positive" in out.stderr
