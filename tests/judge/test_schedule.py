"""The order a parallel batch hands out its gradings (judge/schedule.py)."""

from __future__ import annotations

from judge.schedule import Schedule, looks_slow, python_loops


def drain(schedule: Schedule, seconds: dict[str, float], challenges: list[str]) -> list[int]:
    """Hand out everything, one at a time, finishing each grading before the next is asked for."""
    order = []
    while (index := schedule.next()) is not None:
        order.append(index)
        schedule.finished(index, seconds[challenges[index]])
    return order


def test_each_challenge_is_tried_once_before_the_costliest_goes_first():
    challenges = ["cheap", "cheap", "cheap", "costly", "costly", "middle", "middle"]
    order = drain(Schedule(challenges), {"cheap": 0.2, "costly": 3.0, "middle": 1.0}, challenges)
    assert order[:3] == [0, 3, 5], "first one of each challenge, in input order"
    assert [challenges[i] for i in order[3:]] == ["costly", "middle", "cheap", "cheap"]
    assert sorted(order) == list(range(len(challenges))), "every submission exactly once"


def test_a_challenge_whose_first_grading_is_still_running_counts_as_costly():
    challenges = ["a", "a", "b", "b"]
    schedule = Schedule(challenges)
    assert schedule.next() == 0 and schedule.next() == 2  # one of each, nothing finished yet
    schedule.finished(2, 0.5)
    assert schedule.estimate("a") == float("inf") and schedule.estimate("b") == 0.5
    assert schedule.next() == 1, "unknown cost goes before a known small one"
    assert schedule.next() == 3
    assert schedule.next() is None


def test_estimates_follow_the_mean_of_finished_gradings():
    challenges = ["a", "a", "a", "b", "b", "b"]
    schedule = Schedule(challenges)
    first_a, first_b = schedule.next(), schedule.next()
    schedule.finished(first_a, 0.1)
    schedule.finished(first_b, 1.0)
    assert challenges[schedule.next()] == "b"
    schedule.finished(4, 9.0)
    assert schedule.estimate("b") == 5.0
    assert challenges[schedule.next()] == "b"


def test_an_empty_batch_hands_out_nothing():
    assert Schedule([]).next() is None


def test_submissions_that_look_slow_go_out_first_and_say_nothing_about_their_challenge():
    challenges = ["a", "a", "b", "b"]
    schedule = Schedule(challenges, [False, True, False, True])
    assert [schedule.next(), schedule.next()] == [1, 3], "the slow-looking ones first, in input order"
    schedule.finished(1, 30.0)
    assert schedule.estimate("a") == float("inf"), "a time-out does not make the rest of its challenge costly"
    assert [schedule.next(), schedule.next(), schedule.next()] == [0, 2, None]


def test_more_python_loops_than_the_reference_looks_slow(tmp_path):
    reference = tmp_path / "reference.py"
    reference.write_text("def f(xs):\n    for x in xs:\n        pass\n")
    vectorised = tmp_path / "vectorised.py"
    vectorised.write_text("def f(xs):\n    return xs.sum()\n")
    looping = tmp_path / "looping.py"
    looping.write_text("def f(xs):\n    for x in xs:\n        while x:\n            x -= 1\n")
    broken = tmp_path / "broken.py"
    broken.write_text("def f(xs)\n    while True: pass\n")
    deep = tmp_path / "deep.py"  # ast.parse raises MemoryError on this: it must not stop the batch
    deep.write_text("x = " + "-" * 200_000 + "1\n")
    assert python_loops(deep) == 0
    assert [python_loops(p) for p in (reference, vectorised, looping, broken)] == [1, 0, 2, 0]
    assert looks_slow([(vectorised, reference), (looping, reference), (broken, reference)]) == [False, True, False]
