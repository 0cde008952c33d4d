"""Every challenge: a submission that returns the wrong kind from an entry point gets WA with the contract's
message, never JE (before contracts, a test's ``.shape`` of an int was an AttributeError: a judge error).

Each case is the challenge's first accepted solution with one entry point overridden, graded for real (process backend).
"""

from __future__ import annotations

import pytest

from judge.challenge import find
from judge.grading import grade
from judge.sandbox.process import ProcessSandbox
from judge.verdict import Verdict

CASES = {
    "softmax-cross-entropy/log_softmax": ("def log_softmax(x, dim=-1):\n    return 7\n", "returned int where a Tensor"),
    "softmax-cross-entropy/cross_entropy": (
        "def cross_entropy(logits, targets, **kwargs):\n    return [0.0] * len(logits)\n",
        "returned list of length"),
    "attention/scaled_dot_product_attention": (
        "def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False):\n    return 7\n",
        "returned int where a Tensor of shape (..., L, Ev)"),
    "attention/MultiHeadAttention.state_dict": (
        "_Real = MultiHeadAttention\n\n\nclass MultiHeadAttention(_Real):\n"
        "    def state_dict(self, *args, **kwargs):\n"
        "        return {name: 7 for name in _Real.state_dict(self)}\n",
        "calling state_dict at ['"),
    "attention/MultiHeadAttention.forward": (
        "_Real = MultiHeadAttention\n\n\nclass MultiHeadAttention(_Real):\n"
        "    def forward(self, query, key, value, **kwargs):\n        return 10 ** 399\n",
        "returned int where a Tensor of shape (...)"),
    "dpo-loss/sequence_logprobs": (
        "def sequence_logprobs(logits, labels, loss_mask):\n    return float(len(logits))\n",
        "returned float where a Tensor of shape (B,)"),
    "dpo-loss/dpo_loss": (
        "_real = dpo_loss\n\n\ndef dpo_loss(*args, **kwargs):\n    losses, chosen, rejected = _real(*args, **kwargs)\n"
        "    return losses, chosen, [1] * len(rejected)\n",
        "at [2] returned list of length"),
    "kmeans/kmeans": (
        "_real = kmeans\n\n\ndef kmeans(X, k, **kwargs):\n"
        "    centroids, labels, inertia, n_iters = _real(X, k, **kwargs)\n"
        "    return centroids, labels, 10 ** 399, n_iters\n",
        "at [2] returned int where a float"),
    "debug-training-loop/training_support.run": (
        "import training_support\n\n\ndef _forged(*args, **kwargs):\n    return {'state': 7}\n\n\n"
        "training_support.run = _forged\n",
        "returned a dict with keys ['state']"),
}


@pytest.fixture(scope="module")
def box():
    sandbox = ProcessSandbox()
    yield sandbox
    sandbox.close()


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_wrong_kind_from_an_entry_point_is_wa_with_the_contract_message(case, box, tmp_path):
    challenge_id, _ = case.split("/")
    challenge = find(challenge_id)
    override, says = CASES[case]
    submission = tmp_path / "solution.py"
    base = sorted((challenge.path / "solutions" / "accepted").glob("*.py")) or [challenge.reference_path]
    submission.write_text(base[0].read_text() + "\n\n" + override)
    result = grade(challenge, submission, sandbox=box, seed=5)
    ran = [t for t in result.tests if t.verdict is not None]
    assert all(t.verdict is not Verdict.JE for t in ran), [(t.name, t.message[:300]) for t in ran]
    if challenge_id == "debug-training-loop" and result.verdict in (Verdict.CE, Verdict.FB):
        # train()'s value never crosses the wire: only the support module's report does, and replacing its
        # function is refused as tampering where the guard catches it (test_contracts checks that contract)
        assert "training_support" in result.message, result.message
        return
    flagged = [t for t in ran if says in t.message]
    assert flagged, [(t.name, t.verdict, t.message[:300]) for t in ran if t.verdict is not Verdict.AC][:5]
    assert all(t.verdict is Verdict.WA for t in flagged), [(t.name, t.verdict) for t in flagged]
    # other entry points of the reference may call the broken one (and fail as they will); never AC
    assert result.verdict in (Verdict.WA, Verdict.RE), (result.verdict, result.message)
