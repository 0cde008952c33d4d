"""The team leaderboard server: ``mlj serve``, its database, grading queue, web pages and JSON API.

Submissions are stored before they are graded; grading runs in separate
processes with the same ``judge.grading.grade`` as the CLI. Hosting notes:
README.md, "Hosting a team leaderboard". Imports run one way: ``app`` ->
``api``/``pages`` -> ``deps``/``views`` -> ``auth``/``models``/``ranking``;
``client`` (the CLI's HTTP side) imports none of them.
"""
