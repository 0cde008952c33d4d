"""The team leaderboard server: ``mlj serve``, its database, grading queue, web pages and JSON API.

Submissions are stored before they are graded; grading runs in separate
processes with the same ``judge.grading.grade`` as the CLI. See
``judge/server/README_SECTION.md`` for hosting notes.
"""
